"""One handler per kind of error, each answering through `error_response`."""

from __future__ import annotations

import logging
import time

from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

from webapp.db import discard_session
from webapp.errors import OUTAGE_RETRY_SECONDS, ServiceError, error_response, is_outage, messages
from webapp.extensions import limiter
from webapp.i18n import language_without_database

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Register the error handlers."""

    @app.errorhandler(ServiceError)
    def _service_error(error: ServiceError) -> Response:
        errors = {error.field: error.message} if error.field else None
        return error_response(error.status, error.message, errors=errors)

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> Response:
        message = _(
            "This form has expired or was sent from elsewhere. Reload the page and try again."
        )
        return error_response(400, message, code="csrf")

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(error: RateLimitExceeded) -> Response:
        current = limiter.current_limit
        retry = max(1, current.reset_at - int(time.time())) if current else 60
        message = _("Too many requests. Wait a minute, then try again.")
        return error_response(429, message, headers={"Retry-After": str(retry)})

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        original = getattr(error, "original_exception", None)  # an error Flask did not handle
        if original is not None and is_outage(original):
            return outage_response(original)
        code = error.code or 500
        description = None if code in messages() else error.description
        return error_response(code, description)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        if isinstance(error, HTTPException):
            return _http(error)
        if is_outage(error):
            return outage_response(error)
        log.exception("unhandled error", exc_info=error)
        return error_response(InternalServerError.code)


def outage_response(error: BaseException) -> Response:
    """Answer 503 `unavailable` with Retry-After: the database or Redis cannot be reached.

    Nothing here may ask the database: the request's session is rolled back and dropped (the
    next request starts on a fresh connection), the language comes from the request itself,
    and the page is a template of its own, rendered without Flask's context processors (which
    would load the signed-in user).
    """
    log.warning("answering 503, a dependency is unavailable: %r", error)
    discard_session()
    lang = language_without_database()
    with force_locale(lang):
        message = _(
            "Enlace cannot reach its data right now. Try again in a moment; the app keeps "
            "working with the copy on this device."
        )
        page = current_app.jinja_env.get_template("errors/unavailable.html").render(
            lang=lang, title=_("Back in a moment"), message=message
        )
        return error_response(
            503,
            message,
            code="unavailable",
            headers={"Retry-After": str(OUTAGE_RETRY_SECONDS), "Cache-Control": "no-store"},
            page=page,
        )
