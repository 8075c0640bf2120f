"""Errors: what services raise, and the one way an error answer is built.

An API client (a path under /api/) gets `{"error": <stable code>, "message": <in the user's
language>, "errors": {<field path>: <message>}}`; a browser gets the error page. Everything that
answers with an error goes through `error_response` (microblog's `errors/handlers.py`).
"""

from __future__ import annotations

from typing import Literal

from flask import jsonify, make_response, render_template, request
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import exc as sa_exc
from werkzeug.wrappers import Response

API_PREFIX = "/api/"
# Seconds a client is asked to wait when the database or Redis cannot be reached (503).
OUTAGE_RETRY_SECONDS = 5


class ServiceError(Exception):
    """A request a service refuses; `message` is safe to show to the user."""

    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(ServiceError):
    status = 404


class Forbidden(ServiceError):
    status = 403


class Conflict(ServiceError):
    status = 409


# Every stable, untranslated code an API client may get; the message beside it is in the user's
# language. A code missing here fails `error_response` in the tests, not silently in the document.
ErrorCode = Literal[
    "bad_request",
    "csrf",
    "unauthorized",
    "reauthentication_required",
    "wrong_password",
    "locked",
    "forbidden",
    "not_found",
    "method_not_allowed",
    "conflict",
    "too_large",
    "rate_limited",
    "internal_error",
    "unavailable",
    "error",
]

# The code of each status when the caller names none.
ERROR_CODES: dict[int, ErrorCode] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class ErrorBody(BaseModel):
    """The body of every error answer under /api/."""

    model_config = ConfigDict(extra="forbid")

    error: ErrorCode = Field(description="A stable, untranslated code for programs.")
    message: str = Field(description="For people, in their language.")
    errors: dict[str, str] = Field(
        default_factory=dict,
        description="Messages by field path (`mutations.0.id`), where known; left out when empty.",
    )


def wants_json_response() -> bool:
    """Tell whether the client of this request is an API client (it gets JSON, not a page)."""
    return request.path.startswith(API_PREFIX)


def is_outage(error: BaseException) -> bool:
    """Tell whether an error means the database or Redis cannot be reached right now.

    Such an error is no bug of the request: it answers 503 `unavailable` with Retry-After.
    Connection failures, a server going down or restarting, a pool with no free connection
    (SQLAlchemy's TimeoutError) and SQLite's "database is locked" are all OperationalError or a
    connection invalidated under SQLAlchemy; Redis says ConnectionError or TimeoutError (the
    `limits` library may wrap them in its StorageError).
    """
    if isinstance(error, (sa_exc.OperationalError, sa_exc.TimeoutError)):
        return True
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    from limits.errors import StorageError
    from redis import exceptions as redis_errors

    if isinstance(error, StorageError):
        return True
    return isinstance(error, (redis_errors.ConnectionError, redis_errors.TimeoutError))


def messages() -> dict[int, tuple[str, str]]:
    """Return the title and default message of each status, in the user's language."""
    return {
        400: (_("Bad request"), _("The request could not be understood. Go back and try again.")),
        401: (_("Sign in needed"), _("Sign in to continue.")),
        403: (_("Not allowed"), _("Your role in this workspace does not allow this.")),
        404: (
            _("Not found"),
            _("There is nothing here. Check the address, or go back to the app."),
        ),
        405: (_("Wrong kind of request"), _("This address does not accept that kind of request.")),
        413: (_("Too large"), _("What you sent is too large. Send less at a time.")),
        429: (_("Too many attempts"), _("Too many attempts. Wait a minute, then try again.")),
        503: (_("Busy"), _("Enlace is busy right now. Try again in a moment.")),
        500: (
            _("Something went wrong"),
            _(
                "Something went wrong on our side. Try again in a moment; what you saved before is safe."
            ),
        ),
    }


def error_response(
    status: int,
    message: str | None = None,
    *,
    code: str | None = None,
    errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    page: str | None = None,
) -> Response:
    """Return the error answer: JSON for API clients, the error page for browsers.

    `page` replaces the error page (the outage's answer, made without the database).
    """
    title, default = messages().get(status, (str(status), ""))
    message = message or default
    if wants_json_response():
        body = ErrorBody(
            error=code or ERROR_CODES.get(status, "error"),  # type: ignore[arg-type]
            message=str(message),
            errors=errors or {},
        )
        response = jsonify(body.model_dump(exclude_defaults=True))
        response.status_code = status
    else:
        if page is None:
            page = render_template("errors/error.html", status=status, title=title, message=message)
        response = make_response(page, status)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response
