"""One handler per kind of error, each answering through `error_response`."""

from __future__ import annotations

import logging
import time

from flask import Flask
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

from webapp.errors import ServiceError, error_response, messages
from webapp.extensions import limiter
from webapp.security import too_large_message

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Register the error handlers."""

    @app.errorhandler(ServiceError)
    def _service_error(error: ServiceError) -> Response:
        errors = {error.field: error.message} if error.field else None
        return error_response(error.status, error.message, code=error.code, errors=errors)

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
        code = error.code or 500
        description = None if code in messages() else error.description
        if code == 413:
            description = too_large_message()
        return error_response(code, description)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        if isinstance(error, HTTPException):
            return _http(error)
        log.exception("unhandled error", exc_info=error)
        return error_response(InternalServerError.code)
