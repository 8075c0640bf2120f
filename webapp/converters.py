"""Numbers in addresses, parsed with the bounds of the columns they are compared with.

A number past a column's range makes the database fail (PostgreSQL: integer out of range;
SQLite: "Python int too large"), which would be a 500. Path ids use the `id` converter (out of
range is 404, like an id that does not exist); query parameters use `query_int` (400 naming the
parameter). Workspace and user ids use the `uuid` converter: a malformed one is 404, like an id
that does not exist.
"""

from __future__ import annotations

import re
import uuid

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BaseConverter, IntegerConverter, ValidationError

from webapp.db import MAX_INT4, MAX_INT8
from webapp.errors import ServiceError

_DIGITS = re.compile(r"[0-9]{1,19}")


class IdConverter(IntegerConverter):
    """`<id:name>`: a row id from 1 to the largest PostgreSQL integer, in ASCII digits."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, min: int = 1, max: int = MAX_INT4) -> None:  # type: ignore[no-untyped-def]  # noqa: A002
        super().__init__(map, min=min, max=max)


class UuidConverter(BaseConverter):
    """`<uuid:name>`: a UUID in any spelling `uuid.UUID` reads (upper case, no dashes, braces,
    `urn:uuid:`), so that every spelling names one workspace (one rate-limit counter)."""

    def to_python(self, value: str) -> uuid.UUID:
        try:
            return uuid.UUID(value)
        except ValueError:
            raise ValidationError from None  # no route matches: 404

    def to_url(self, value: object) -> str:
        return str(value)


def query_int(name: str, *, low: int = 1, high: int = MAX_INT8) -> int | None:
    """Return the whole-number query parameter `name`, or None when absent.

    :raises ServiceError: (400, naming the parameter) when it is not a number from low to high.
    """
    value = request.args.get(name)
    if value is None:
        return None
    number = int(value) if _DIGITS.fullmatch(value) else None
    if number is None or not low <= number <= high:
        raise ServiceError(
            str(
                _l(
                    "“%(name)s” must be a whole number from %(low)s to %(high)s.",
                    name=name,
                    low=low,
                    high=high,
                )
            ),
            field=name,
        )
    return number


def init_app(app: Flask) -> None:
    """Register the `id` and `uuid` converters for every route (ours replaces Werkzeug's `uuid`,
    which reads only the dashed spelling)."""
    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["uuid"] = UuidConverter
