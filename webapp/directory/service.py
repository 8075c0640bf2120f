"""Directory records: validation, phone numbers, serialization and reads."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from functools import cache, lru_cache
from typing import Any

import orjson
import phonenumbers
from flask_babel import get_locale
from flask_babel import gettext as _
from pydantic import ValidationError
from sqlalchemy import JSON, Select, Text, cast, func, or_, select
from sqlalchemy.orm import Session

from webapp.directory.models import ENTITY_TYPES, Contact, Synced, Visibility, is_restricted
from webapp.directory.schemas import SCHEMAS, error_map
from webapp.workspaces.models import Workspace


def iso(value: datetime) -> str:
    """Format a datetime as pydantic does for UTC: `2026-11-25T09:00:00Z`."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def to_api(entity: Synced | Any, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Return a record's fields as JSON values, exactly as the schema would dump them.

    `entity` is an ORM object, or a Core row of its table with the type's `fields`.
    """
    data: dict[str, Any] = {}
    for field in fields or entity.FIELDS:
        value = getattr(entity, field)
        if isinstance(value, datetime):
            value = iso(value)
        elif isinstance(value, uuid.UUID):
            value = str(value)
        data[field] = value
    return data


@cache
def json_columns(entity_type: str) -> frozenset[str]:
    """Return the fields of a type that are stored as JSON documents."""
    table = ENTITY_TYPES[entity_type].__table__  # type: ignore[attr-defined]
    return frozenset(c.name for c in table.columns if isinstance(c.type, JSON))


@cache
def raw_columns(entity_type: str) -> tuple[Any, ...]:
    """Return the type's columns for bulk reads: JSON documents as their stored text."""
    table = ENTITY_TYPES[entity_type].__table__  # type: ignore[attr-defined]
    nested = json_columns(entity_type)
    return tuple(cast(c, Text).label(c.name) if c.name in nested else c for c in table.columns)


def raw_data(entity_type: str, row: Any, country: str | None) -> dict[str, Any]:
    """Return a bulk-read row's fields for orjson: stored JSON text embedded, not decoded.

    Decoding thousands of phone lists only to encode them again was a third of a full pull; the
    phones are decoded all the same, since each gets its `display` for the workspace's
    `country` (`with_display`).
    """
    nested = json_columns(entity_type)
    model = ENTITY_TYPES[entity_type]
    data = to_api(row, tuple(name for name in model.FIELDS if name not in nested))
    for name in nested:
        text = getattr(row, name)
        if name == "phones":
            data[name] = with_display(orjson.loads(text) if text is not None else None, country)
        else:
            data[name] = orjson.Fragment(text if text is not None else "null")
    return data


def api_record(entity: Synced | Any, country: str | None) -> dict[str, Any]:
    """Return a record's fields as the API sends them: `to_api` with each phone's `display`.

    `to_api` alone is what the merge compares and stores; `display` is never one of them.
    """
    data = to_api(entity)
    if "phones" in data:
        data["phones"] = with_display(data["phones"], country)
    return data


class Validated:
    """A record checked against its schema: JSON values for the API, Python ones for columns."""

    def __init__(self, entity_type: str, json_doc: dict[str, Any], py_doc: dict[str, Any]):
        self.entity_type = entity_type
        self.json = json_doc
        self.python = py_doc

    def column_value(self, field: str) -> Any:
        """Return the value to store in the field's column."""
        if field in json_columns(self.entity_type):
            return self.json[field]
        return self.python[field]


def validate(
    entity_type: str, document: dict[str, Any], default_country: str | None
) -> tuple[Validated | None, dict[str, str]]:
    """Check a whole record; return it canonical (phones in E.164) or errors keyed by path."""
    schema = SCHEMAS[entity_type]
    try:
        model = schema.model_validate(document)
    except ValidationError as error:
        return None, error_map(error)
    json_doc = model.model_dump(mode="json", by_alias=True)
    # Checked on the validated record, whose depth the schema bounds: the input may be nested
    # a thousand levels deep, and walking it would exhaust Python's stack.
    # A NUL is rare: look for its JSON escape once before walking the record for its paths.
    nul = _nul_paths(json_doc) if b"\\u0000" in orjson.dumps(json_doc) else []
    if nul:
        return None, dict.fromkeys(nul, _("Remove the NUL character from this text."))
    py_doc = model.model_dump(mode="python", by_alias=True)
    errors: dict[str, str] = {}
    if entity_type == "contact":
        region = json_doc.get("country") or default_country
        for index, phone in enumerate(json_doc["phones"]):
            normalized, message = normalize_phone(phone["number"], region)
            if message:
                errors[f"phones.{index}.number"] = message
            else:
                phone["number"] = normalized
    return (None, errors) if errors else (Validated(entity_type, json_doc, py_doc), {})


def _nul_paths(value: Any, path: str = "") -> list[str]:
    """Return the paths of strings holding a NUL character (PostgreSQL text cannot store it).

    Recursive: call it only on a validated record (a few levels deep), never on raw input.
    """
    if isinstance(value, str):
        return [path or "_"] if "\x00" in value else []
    if isinstance(value, dict):
        return [
            p for k, v in value.items() for p in _nul_paths(v, f"{path}.{k}" if path else str(k))
        ]
    if isinstance(value, list):
        return [
            p for i, v in enumerate(value) for p in _nul_paths(v, f"{path}.{i}" if path else str(i))
        ]
    return []


def normalize_phone(number: str, region: str | None) -> tuple[str, str | None]:
    """Return the number in E.164 (short numbers such as 911 as dialled), or an error message.

    National forms are read in `region` (the contact's country, else the workspace's). The
    message says what is wrong and, where it helps, shows the country's example number.
    """
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException as error:
        return number, _parse_error(error, number, region)
    if phonenumbers.is_valid_number(parsed):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), None
    if region and not number.strip().startswith("+"):
        short = phonenumbers.parse(number, region)
        if phonenumbers.is_valid_short_number_for_region(short, region):
            return phonenumbers.national_significant_number(short), None
    # The country the number was read in: its own country code's, when written with one.
    where = phonenumbers.region_code_for_country_code(parsed.country_code)
    reason = phonenumbers.is_possible_number_with_reason(parsed)
    if reason == phonenumbers.ValidationResult.INVALID_COUNTRY_CODE:
        return number, _("Unknown country code: check the digits after +.")
    international = where != region or number.strip().startswith(("+", "00"))
    return number, _invalid_for(where, reason, international)


def _parse_error(error: phonenumbers.NumberParseException, number: str, region: str | None) -> str:
    """Return the message of a number phonenumbers could not even read."""
    kind = phonenumbers.NumberParseException
    if error.error_type == kind.INVALID_COUNTRY_CODE:
        if number.strip().startswith(("+", "00")):
            return _("Unknown country code: check the digits after +.")
        return _("Start with + and the country code, e.g. +52 55 1234 5678.")
    if not region:
        return _("Not a phone number: start with + and the country code, e.g. +52 55 1234 5678.")
    if error.error_type == kind.NOT_A_NUMBER:
        example = _example(region, international=False)
        if example:
            return _("Not a phone number: write it like %(example)s.", example=example)
        return _("Not a phone number.")
    reason = (
        phonenumbers.ValidationResult.TOO_LONG
        if error.error_type == kind.TOO_LONG
        else phonenumbers.ValidationResult.TOO_SHORT
    )
    return _invalid_for(region, reason, international=number.strip().startswith(("+", "00")))


def _invalid_for(region: str, reason: int, international: bool) -> str:
    """Return "too short/too long/not valid for <country>: write it like <example>."."""
    example = _example(region, international)
    if not example:
        return _("Not a valid phone number: check its digits and country code.")
    country = _country_name(region)
    if reason == phonenumbers.ValidationResult.TOO_SHORT:
        return _(
            "Too short for a number in %(country)s: write it like %(example)s.",
            country=country,
            example=example,
        )
    if reason == phonenumbers.ValidationResult.TOO_LONG:
        return _(
            "Too long for a number in %(country)s: write it like %(example)s.",
            country=country,
            example=example,
        )
    return _(
        "Not a valid number for %(country)s: write it like %(example)s.",
        country=country,
        example=example,
    )


# Formatting a number costs tens of microseconds (phonenumbers parses it again); a full pull or
# a snapshot formats every number of the directory, the same ones again and again.
@lru_cache(maxsize=100_000)
def display_number(number: str, country: str | None) -> str:
    """Return a stored number as people of `country` (the workspace's) read it.

    National form for a number of that country ("33 0000 0202"), international form for any
    other ("+34 612 34 56 78"); a short number (911, 112) and anything phonenumbers cannot read
    stay as they are. The one formatting of numbers: the app (through `display`), the poster.
    """
    if not number.startswith("+"):
        return number  # a short number is dialled, and read, as it is
    try:
        parsed = from_e164(number) or phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    home = country is not None and phonenumbers.region_code_for_number(parsed) == country
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if home
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, style)


def from_e164(number: str) -> phonenumbers.PhoneNumber | None:
    """Return a stored E.164 number as phonenumbers would parse it, without its parser, or None
    for anything else ("+" and 2 to 15 ASCII digits after a known country code).

    A directory is formatted whole at a process's first snapshot: the parser was two thirds of
    the cost of a number (tests/unit/test_phone_display.py checks it agrees with the parser).
    """
    digits = number[1:]
    if not (number.startswith("+") and digits.isascii() and digits.isdigit()):
        return None
    if not 2 <= len(digits) <= 15:
        return None
    # Country codes are prefix-free: the first known one is the number's.
    for length in (1, 2, 3):
        code = int(digits[:length])
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            break
    else:
        return None
    national = digits[length:]
    if not national:
        return None
    parsed = phonenumbers.PhoneNumber(country_code=code, national_number=int(national))
    if len(national) > 1 and national[0] == "0":
        # As the parser keeps them (Italy's fixed lines start with 0).
        parsed.italian_leading_zero = True
        zeros = 1
        while zeros < len(national) - 1 and national[zeros] == "0":
            zeros += 1
        if zeros != 1:
            parsed.number_of_leading_zeros = zeros
    return parsed


def with_display(phones: Any, country: str | None) -> Any:
    """Return stored phones with each one's `display` for the API.

    Computed for the workspace's country at each read, never stored nor merged: a record's
    `phones` stay what the client sent, in E.164 (docs/ARCHITECTURE.md, 4.3).
    """
    if not isinstance(phones, list):
        return phones
    shown = []
    for phone in phones:
        number = phone.get("number") if isinstance(phone, dict) else None
        if not isinstance(number, str):
            shown.append(phone)
            continue
        item = {key: value for key, value in phone.items() if key != "display"}
        item["display"] = display_number(number, country)
        shown.append(item)
    return shown


def phone_example(region: str | None) -> str:
    """Return how a mobile number of the country is written at home (the forms' hint), or ""."""
    return (_example(region, international=False) or "") if region else ""


def _example(region: str, international: bool) -> str | None:
    """Return the country's example number (phonenumbers' own), as it would be written.

    A mobile number where the country has one: what a directory mostly holds.
    """
    example = phonenumbers.example_number_for_type(
        region, phonenumbers.PhoneNumberType.MOBILE
    ) or phonenumbers.example_number(region)
    if example is None:
        return None
    form = (
        phonenumbers.PhoneNumberFormat.INTERNATIONAL
        if international
        else phonenumbers.PhoneNumberFormat.NATIONAL
    )
    return phonenumbers.format_number(example, form)


def _country_name(region: str) -> str:
    """Return the country's name in the request's language (its code when there is none)."""
    locale = get_locale()
    return locale.territories.get(region, region) if locale is not None else region


def has_phone(contact: Any) -> bool:
    """Tell whether a contact (or a row with `phones`) has a number to call."""
    return any((phone or {}).get("number") for phone in contact.phones or [])


def only_visible(
    query: Select[Any], model: Any, full: bool, tombstones_after: int = 0
) -> Select[Any]:
    """Scope a query of a synced type to the records a member may see (the one visibility rule).

    `full` is `workspaces.service.sees_restricted(role)`: owners and editors see everything,
    viewers nothing restricted — except, with `tombstones_after`, the records that became
    restricted after that revision, which they may hold and must receive as tombstones.
    """
    table = model.__table__
    if full or "visibility" not in table.c:
        return query
    shown = table.c.visibility != Visibility.RESTRICTED.value
    if tombstones_after > 0:
        shown = or_(shown, table.c.restricted_since > tombstones_after)
    return query.where(shown)


def _public(workspace: Workspace) -> tuple[Any, ...]:
    return (
        Contact.workspace_id == workspace.id,
        Contact.visibility == Visibility.PUBLIC.value,
        Contact.deleted.is_(False),
    )


# What the public list carries of each public contact: what quick dial shows while the device
# is locked (static/js/views/lock.js: a button per phone with the contact's name, ordered by its
# `service:` tag), and its visibility, which the device checks before keeping it in clear
# (store.js `putPublic`). The rest of the record is in the encrypted snapshot, like any other's.
QUICK_DIAL_FIELDS = ("name", "phones", "tags", "visibility")


def public_contacts(session: Session, workspace: Workspace) -> list[dict[str, Any]]:
    """Return the workspace's public contacts (emergency services), by name, with what quick
    dial shows (`QUICK_DIAL_FIELDS`, each phone with its `display`)."""
    rows = session.scalars(select(Contact).where(*_public(workspace)).order_by(Contact.name))
    listed = []
    for contact in rows:
        record = api_record(contact, workspace.country)
        fields = {name: record[name] for name in QUICK_DIAL_FIELDS}
        listed.append({"id": str(contact.id), "version": contact.version, **fields})
    return listed


def public_version(session: Session, workspace: Workspace) -> str:
    """Return a tag that changes whenever the public list does: how many public contacts there
    are, the newest revision among them, and the country their phones' `display` are for.

    Every change to a contact takes a new revision, so a list that gained or changed a contact
    has a newer one; a list that only lost contacts (deleted, or no longer public) is shorter.
    """
    count, newest = session.execute(
        select(func.count(), func.max(Contact.revision)).where(*_public(workspace))
    ).one()
    return f"{count}-{newest or 0}-{workspace.country}"


def list_changes(
    session: Session, workspace: Workspace, full: bool, cursor: int, limit: int
) -> tuple[list[dict[str, Any]], int, bool]:
    """Return the changes after `cursor` that a member may see, the next cursor and `more`.

    `full` is true for members who see restricted records (owners and editors). The sync answer
    and the delta envelope both list changes with this function, so they cannot drift apart.

    A viewer learns nothing of a restricted record that viewers never saw; one that became
    restricted after the viewer's cursor (so that the device may hold it) reaches it as a
    tombstone.
    """
    # Plain rows, not ORM objects: a full pull reads thousands and identity-maps none of them.
    rows: list[tuple[type[Synced], Any]] = []
    for model in ENTITY_TYPES.values():
        table = model.__table__  # type: ignore[attr-defined]
        query = (
            select(*raw_columns(model.TYPE))
            .where(table.c.workspace_id == workspace.id, table.c.revision > cursor)
            .order_by(table.c.revision)
            .limit(limit + 1)
        )
        # Filtered in the query, so that a page is never filled with rows a viewer skips.
        # Cursor 0 is a device that holds nothing: it needs no tombstone at all.
        query = only_visible(query, model, full, tombstones_after=cursor)
        rows.extend((model, row) for row in session.execute(query))
    rows.sort(key=lambda item: item[1].revision)
    more = len(rows) > limit
    rows = rows[:limit]
    changes = []
    for model, row in rows:
        hidden = row.deleted or (not full and is_restricted(row))
        changes.append(
            {
                "type": model.TYPE,
                "entity_id": str(row.id),
                "version": row.version,
                "revision": row.revision,
                "deleted": hidden,
                "data": None if hidden else raw_data(model.TYPE, row, workspace.country),
            }
        )
    # Without `more`, every change up to the workspace's revision has been read (this runs
    # under the writer lock or in one snapshot read), including rows hidden from this role.
    next_cursor = rows[-1][1].revision if more else workspace.revision
    return changes, next_cursor, more
