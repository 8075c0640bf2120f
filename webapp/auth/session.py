"""Signed-in sessions: loading the user, signing in and out, recent password entry."""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, current_app, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from webapp.auth import service
from webapp.auth.models import User
from webapp.db import begin_read, end_read, get_session, session_scope
from webapp.errors import error_response, wants_json_response
from webapp.extensions import client_address, login_manager
from webapp.wire import STATIC_ENDPOINTS

AUTH_AT = "auth_at"
# The header a device sends its unlock token in while the app is unlocked.
UNLOCK_HEADER = "X-Enlace-Unlock"


def init_login(app: Flask) -> None:
    """Bind flask-login: users load from their device session's token; the API answers 401."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Sign in to continue.")
    login_manager.login_message_category = "info"
    # flask-login's remember-me cookie is not used: the session cookie itself lasts 30 days.
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load(token: str) -> User | None:
        return _load_device_user(token)

    @app.before_request
    def _load_user_first() -> None:
        # Load the signed-in user before the view opens the request's transaction: noting the
        # device's use writes in a transaction of its own, which on SQLite must not wait for a
        # write lock this request already holds.
        if request.endpoint not in STATIC_ENDPOINTS:
            _ = current_user.is_authenticated

    @login_manager.unauthorized_handler
    def _unauthorized():  # type: ignore[no-untyped-def]
        if wants_json_response():
            return error_response(401, str(_l("Sign in to continue.")))
        return redirect(url_for("auth.login", next=safe_next(request.full_path)))


def _load_device_user(token: str) -> User | None:
    db = get_session()
    begin_read(db)  # a lookup: on SQLite it must not take the write lock of a POST's session
    device = service.find_device(db, token)
    user = device.user if device is not None else None
    # End the read: the view begins its own transaction (IMMEDIATE when it writes), and the
    # touch below takes the write lock on its own.
    end_read(db)
    if device is None or user is None:
        return None
    if service.device_needs_touch(device):
        with session_scope() as own:
            service.touch_device(own, device.id, client_address())
    user.device, user.device_token = device, token
    return user


def sign_in(user: User, token: str) -> None:
    """Name the new device session in a 30-day sliding cookie; note the time of password entry."""
    session.clear()
    user.device_token = token
    login_user(user)
    session.permanent = True
    session[AUTH_AT] = int(time.time())
    # Mint the CSRF secret now, in the sign-in answer: otherwise the first pages and API calls
    # after it each mint their own at once, and the last cookie written wins over the others'
    # tokens (the app shell's parallel requests then fail the next form with 400). Flask-WTF
    # caches a token per request in `g`: drop the one made for the sign-in form first.
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    generate_csrf()


def sign_out() -> None:
    """Forget this device's session in the cookie (the caller ends it on the server)."""
    logout_user()
    session.clear()


def recently_authenticated() -> bool:
    """Tell whether the password was entered within the re-authentication window."""
    at = session.get(AUTH_AT, 0)
    return time.time() - at < current_app.config["REAUTH_SECONDS"]


def mark_authenticated() -> None:
    """Record that the password was just entered."""
    session[AUTH_AT] = int(time.time())


def unlock_token_valid() -> bool:
    """Tell whether the request carries this device session's unlock token (`X-Enlace-Unlock`).

    Another device session's token, or one of a session that ended, is not this session's.
    """
    token = request.headers.get(UNLOCK_HEADER, "")
    device = getattr(current_user, "device", None)
    stored = getattr(device, "unlock_token_hash", None)
    if not token or len(token) > 128 or not stored:
        return False
    return hmac.compare_digest(service.token_hash(token), stored)


def unlocked() -> bool:
    """Tell whether this request may read directory data in clear (docs/ARCHITECTURE.md, 4.4).

    The session cookie alone lasts 30 days, so it is not enough: the request needs the device
    session's unlock token (the app is unlocked) or a password entered within REAUTH_SECONDS.
    """
    if not current_user.is_authenticated:
        return False
    return recently_authenticated() or unlock_token_valid()


def unlock_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Answer 403 `locked` (a page: ask for the password) unless the request is `unlocked()`.

    For every answer that holds directory data in clear: readiness, exports, import previews,
    incident reports, and whatever is added later.
    """

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
        if unlocked():
            return view(*args, **kwargs)
        if wants_json_response():
            return error_response(
                403,
                str(_l("Unlock the app to see this: enter your PIN, or your password.")),
                code="locked",
            )
        return _ask_for_password()

    return wrapper


def fresh_login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Ask for the password again when it was not entered in the last minutes."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
        if recently_authenticated():
            return view(*args, **kwargs)
        if wants_json_response():
            return error_response(
                403,
                str(_l("Enter your password again to continue.")),
                code="reauthentication_required",
            )
        return _ask_for_password()

    return wrapper


def _ask_for_password() -> Any:
    # A form post is not replayed after the password: the user lands on the page again.
    target = request.full_path if request.method == "GET" else (request.referrer or "/")
    return redirect(url_for("auth.reauth", next=safe_next(target)))


def safe_next(target: str | None) -> str | None:
    """Return a path of this site to redirect to, or None when the target could leave it.

    Only a path that starts with a single `/` passes. Browsers read `\\` as `/` and drop tabs
    and newlines, so `/\\evil.com` or `/<tab>/evil.com` would become `//evil.com`: refused. An
    absolute address (a Referer) gives its path when it names this host.
    """
    if not target or "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        if parts.scheme not in ("http", "https") or parts.netloc != request.host:
            return None
        target = urlunsplit(("", "", parts.path, parts.query, ""))
    target = target.removesuffix("?")
    if not target.startswith("/") or target.startswith("//"):
        return None
    return target
