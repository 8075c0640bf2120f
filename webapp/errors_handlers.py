"""One handler per error: JSON under /api/, an HTML page in the user's language elsewhere."""

from __future__ import annotations

import logging
import time

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from webapp.errors import ServiceError
from webapp.extensions import limiter

log = logging.getLogger(__name__)


# Stable, untranslated codes for API clients; the message beside them is in the user's language.
ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "rate_limited",
    500: "internal_error",
}


def wants_json() -> bool:
    """Tell whether the client is an API client."""
    return request.path.startswith("/api/")


def _messages() -> dict[int, tuple[str, str]]:
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
        500: (
            _("Something went wrong"),
            _(
                "Something went wrong on our side. Try again in a moment; what you saved before is safe."
            ),
        ),
    }


def _render(
    status: int,
    message: str | None = None,
    code: str | None = None,
    headers: dict[str, str] | None = None,
):  # type: ignore[no-untyped-def]
    title, default = _messages().get(status, (str(status), ""))
    message = message or default
    if wants_json():
        response = jsonify({"error": code or ERROR_CODES.get(status, "error"), "message": message})
        response.status_code = status
    else:
        page = render_template("errors/error.html", status=status, title=title, message=message)
        response = make_response(page, status)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def init_app(app: Flask) -> None:
    """Register the error handlers."""

    @app.errorhandler(ServiceError)
    def _service_error(error: ServiceError):  # type: ignore[no-untyped-def]
        return _render(error.status, error.message)

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):  # type: ignore[no-untyped-def]
        message = _(
            "This form has expired or was sent from elsewhere. Reload the page and try again."
        )
        return _render(400, message, code="csrf")

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(error: RateLimitExceeded):  # type: ignore[no-untyped-def]
        current = limiter.current_limit
        retry = max(1, current.reset_at - int(time.time())) if current else 60
        if request.endpoint == "auth.login":
            message = _("Too many failed sign-ins. Wait a minute, then try again.")
        else:
            message = _("Too many requests. Wait a minute, then try again.")
        return _render(429, message, code="rate_limited", headers={"Retry-After": str(retry)})

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):  # type: ignore[no-untyped-def]
        code = error.code or 500
        description = None if code in _messages() else error.description
        return _render(code, description)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):  # type: ignore[no-untyped-def]
        if isinstance(error, HTTPException):
            return _http(error)
        log.exception("unhandled error", exc_info=error)
        return _render(InternalServerError.code)
