"""Signed-in sessions: loading the user, signing in and out, recent password entry."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from webapp.auth.models import User
from webapp.db import get_session
from webapp.errors import error_response, wants_json_response
from webapp.extensions import login_manager

AUTH_AT = "auth_at"


def init_login(app: Flask) -> None:
    """Bind flask-login: users load from `<id>:<session_version>`; the API answers 401 in JSON."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Sign in to continue.")
    login_manager.login_message_category = "info"
    # flask-login's remember-me cookie is not used: the session cookie itself lasts 30 days.
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load(identity: str) -> User | None:
        user_id, _, version = identity.partition(":")
        try:
            user = get_session().get(User, uuid.UUID(user_id))
        except ValueError:
            return None
        if user is None or str(user.session_version) != version:
            return None
        return user

    @login_manager.unauthorized_handler
    def _unauthorized():  # type: ignore[no-untyped-def]
        if wants_json_response():
            return error_response(401, str(_l("Sign in to continue.")))
        return redirect(url_for("auth.login", next=safe_next(request.full_path)))


def sign_in(user: User) -> None:
    """Start a 30-day sliding session for the user and note the time of password entry."""
    session.clear()
    login_user(user)
    session.permanent = True
    session[AUTH_AT] = int(time.time())


def sign_out() -> None:
    """End this session."""
    logout_user()
    session.clear()


def refresh_identity(user: User) -> None:
    """Keep this device signed in after its user's session version changed."""
    login_user(user)
    session[AUTH_AT] = int(time.time())


def recently_authenticated() -> bool:
    """Tell whether the password was entered within the re-authentication window."""
    at = session.get(AUTH_AT, 0)
    return time.time() - at < current_app.config["REAUTH_SECONDS"]


def mark_authenticated() -> None:
    """Record that the password was just entered."""
    session[AUTH_AT] = int(time.time())


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
        # A form post is not replayed after the password: the user lands on the page again.
        target = request.full_path if request.method == "GET" else (request.referrer or "/")
        return redirect(url_for("auth.reauth", next=safe_next(target)))

    return wrapper


def safe_next(target: str | None) -> str | None:
    """Return the target when it stays on this site (a path), else None."""
    if not target:
        return None
    if target.endswith("?"):
        target = target[:-1]
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        # A referrer is absolute: keep its path only when it points at this host.
        if parts.netloc and parts.netloc == request.host and parts.path.startswith("/"):
            return parts.path + (f"?{parts.query}" if parts.query else "")
        return None
    if "\\" in target:
        return None
    return target
