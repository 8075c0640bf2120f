"""Response headers that every page and API answer carries."""

from __future__ import annotations

from flask import Flask, Response, abort, request

from webapp.errors import wants_json_response

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def _has_nul() -> bool:
    values = (
        [*request.args.values(), *request.view_args.values()]
        if request.view_args
        else [*request.args.values()]
    )
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += list(request.form.values())
    return any("\x00" in value for value in values if isinstance(value, str))


def init_app(app: Flask) -> None:
    """Refuse NUL characters in forms and addresses; add the security headers to every response."""

    @app.before_request
    def _refuse_nul() -> None:
        # PostgreSQL text cannot hold NUL: refuse it up front instead of failing in a query.
        if _has_nul():
            abort(400)

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Permissions-Policy"] = PERMISSIONS
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if app.config["PUBLIC_URL"].startswith("https://"):
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        if wants_json_response() and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response
