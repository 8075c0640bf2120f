"""What every request may carry and the headers every answer carries."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import IO, Any

from flask import Flask, Request, Response, abort, current_app, request
from flask_login import current_user
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.utils import cached_property
from werkzeug.wsgi import get_input_stream

from webapp.errors import wants_json_response
from webapp.wire import STATIC_ENDPOINTS

# The service worker script: a worker's CSP is its own script's.
WORKER_ENDPOINT = "pages.service_worker"
# The app shell: the same page for everyone, whose route sets its own Cache-Control.
SHELL_ENDPOINT = "pages.app_shell"

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


class NamedFields(ImmutableMultiDict):  # type: ignore[type-arg]
    """A request's form fields or files by name, without the multipart parts that have none.

    RFC 7578 gives every part a name; Werkzeug keeps a part without one under the key None,
    and Flask-WTF's CSRF check (which runs first, on every form) fails on that key with a 500.
    Such a part is nobody's field: it is left out, and the view sees what it would see anyway.
    """

    def __init__(self, mapping: Any = None) -> None:
        if isinstance(mapping, list):
            mapping = [(name, value) for name, value in mapping if name is not None]
        super().__init__(mapping)


class LimitedRequest(Request):
    """A request whose body is refused with 413 past MAX_CONTENT_LENGTH, however it is sent.

    Werkzeug checks a Content-Length against the limit, but a chunked body (no Content-Length;
    the server sets `wsgi.input_terminated`) is only cut at the limit: the reader gets the first
    MAX_CONTENT_LENGTH bytes as if they were the whole body, and answers 400 for a JSON body cut
    in half. Here such a body is read up to one byte past the limit, and refused if it gets there.
    """

    parameter_storage_class = NamedFields

    @property
    def max_content_length(self) -> int | None:  # type: ignore[override]
        """The limit of this request's body: its view's own (`body_limit`), else the app's."""
        limit = getattr(_view(self), "max_content_length", None)
        return limit if limit is not None else current_app.config["MAX_CONTENT_LENGTH"]

    @cached_property
    def stream(self) -> IO[bytes]:
        limit = self.max_content_length
        chunked = self.content_length is None and "wsgi.input_terminated" in self.environ
        if self.shallow or limit is None or not chunked:
            return get_input_stream(self.environ, max_content_length=limit)
        return io.BytesIO(_read_at_most(self.environ["wsgi.input"], limit))


def _view(req: Request) -> Any:
    """Return the view function this request was routed to, or None."""
    if req.url_rule is None or not req.endpoint:
        return None
    return current_app.view_functions.get(req.endpoint)


def body_limit(size: int, message: Callable[[], str]) -> Callable[[Any], Any]:
    """Let a view take bodies up to `size` bytes (uploads) instead of MAX_CONTENT_LENGTH.

    `message` gives the 413's text in the user's language. Put it under the route decorator:
    the limit must be known before anything reads the body (the CSRF check reads the form).
    """

    def decorate(view: Any) -> Any:
        view.max_content_length = size
        view.too_large_message = message
        return view

    return decorate


def too_large_message() -> str | None:
    """Return the 413 text of the view of this request, when it has its own (`body_limit`)."""
    message = getattr(_view(request), "too_large_message", None)
    return message() if message is not None else None


def _read_at_most(raw: IO[bytes], limit: int) -> bytes:
    """Return the whole of `raw`; raise RequestEntityTooLarge once it is past `limit` bytes."""
    body = bytearray()
    while len(body) <= limit:
        try:
            data = raw.read(min(64 * 1024, limit + 1 - len(body)))
        except (OSError, ValueError) as error:
            raise ClientDisconnected() from error
        if not data:
            return bytes(body)
        body += data
    raise RequestEntityTooLarge()


def _signed_in_page(response: Response) -> bool:
    # The app shell holds nothing of the user's and says itself how it is cached.
    return (
        response.mimetype == "text/html"
        and request.endpoint not in STATIC_ENDPOINTS
        and request.endpoint != SHELL_ENDPOINT
        and current_user.is_authenticated
    )


def _document(response: Response) -> bool:
    """Tell whether the answer is a document or the service worker's script (which carry the
    policy headers), not JSON, a module or an image."""
    if request.endpoint in STATIC_ENDPOINTS:
        return False
    return response.mimetype == "text/html" or request.endpoint == WORKER_ENDPOINT


def init_app(app: Flask) -> None:
    """Bound request bodies, refuse NUL characters, add the security headers to every answer."""
    app.request_class = LimitedRequest

    @app.before_request
    def _refuse_nul() -> None:
        # PostgreSQL text cannot hold NUL: refuse it up front instead of failing in a query.
        if _has_nul():
            abort(400)

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        if _document(response):
            # Policies that only a document (or the worker, whose script carries its own CSP)
            # reads: an API answer or a module script would carry about 600 bytes for nothing.
            response.headers.setdefault("Content-Security-Policy", CSP)
            response.headers["Referrer-Policy"] = "same-origin"
            response.headers["X-Frame-Options"] = "DENY"
            response.headers["Permissions-Policy"] = PERMISSIONS
            response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
            if app.config["PUBLIC_URL"].startswith("https://"):
                response.headers["Strict-Transport-Security"] = "max-age=31536000"
        if wants_json_response() and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        elif "no-store" not in response.headers.get("Cache-Control", "") and _signed_in_page(
            response
        ):
            # (An answer that is no-store already needs no user: the outage page must not
            # load one from a database that is down.)
            # What a signed-in user sees (members, invitation links, their activity) must not
            # stay in a browser or proxy cache after they sign out.
            response.headers["Cache-Control"] = "no-store"
        return response
