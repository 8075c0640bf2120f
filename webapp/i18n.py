"""Languages: the user's setting, else a cookie chosen on the sign-in page, else Accept-Language."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import wraps
from typing import Any

from babel.core import parse_locale
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import force_locale, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import inspect
from werkzeug.wrappers import Response

from webapp.errors import ServiceError
from webapp.extensions import babel

LANG_COOKIE = "enlace_lang"
# The signed-in account's language, kept in the session cookie so that an answer made while the
# database is down (the 503 page) still speaks it.
SESSION_LANGUAGE = "lang"


def select_locale() -> str:
    """Return the language of this request."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        # Commands speak the operator's language: Spanish under an es_* locale, else English.
        env = (
            os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG", "")
        )
        return "es" if env.startswith("es") else "en"
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in languages:
        return chosen
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def language_without_database() -> str:
    """Return the reader's language without asking the database (the answer to an outage).

    The app's `?lang=`, then the account's language as this browser's session last saw it, then
    the one chosen on the sign-in page, then Accept-Language. Never loads the signed-in user.
    """
    languages = current_app.config["LANGUAGES"]
    for chosen in (
        request.args.get("lang"),
        session.get(SESSION_LANGUAGE),
        request.cookies.get(LANG_COOKIE),
    ):
        if chosen in languages:
            return chosen
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def _remember_language(response: Response) -> Response:
    # Only a user this request loaded already, and only an attribute already in memory: this
    # runs after an outage's answer too, when any query would fail again.
    user = g.get("_login_user")
    if user is None or not user.is_authenticated:
        return response
    locale = inspect(user).dict.get("locale")
    if locale in current_app.config["LANGUAGES"] and session.get(SESSION_LANGUAGE) != locale:
        session[SESSION_LANGUAGE] = locale
    return response


def browser_locales() -> list[tuple[str, str | None]]:
    """Return the browser's Accept-Language tags as (language, region), most wanted first.

    `es-MX` gives ("es", "MX"), `en` gives ("en", None); tags Babel cannot read are left out.
    """
    found = []
    for tag, _quality in request.accept_languages:
        try:
            language, region, *_rest = parse_locale(tag, sep="-")
        except ValueError:
            continue
        found.append((language, region))
    return found


def requested_language() -> str | None:
    """Return the `lang` query parameter (the app's language on this device), or None.

    The app's own language setting can differ from the account's: an API answer that the app
    shows asks for it, and is then built under `force_locale`.

    :raises ServiceError: (400) for a language the app does not speak.
    """
    lang = request.args.get("lang")
    if lang is None:
        return None
    if lang not in current_app.config["LANGUAGES"]:
        raise ServiceError(
            str(
                _l(
                    "“lang” must be one of: %(choices)s.",
                    choices=", ".join(current_app.config["LANGUAGES"]),
                )
            ),
            field="lang",
        )
    return lang


def in_requested_language(view: Callable[..., Any]) -> Callable[..., Any]:
    """Run the view in the `lang` query parameter's language when given (its texts, messages).

    :raises ServiceError: (400) for a language the app does not speak.
    """

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        lang = requested_language()
        if lang is None:
            return view(*args, **kwargs)
        with force_locale(lang):
            return view(*args, **kwargs)

    return wrapper


def init_app(app: Flask) -> None:
    """Bind Flask-Babel and expose the current language to templates."""
    babel.init_app(app, locale_selector=select_locale)
    app.after_request(_remember_language)

    @app.context_processor
    def _language() -> dict[str, object]:
        return {"current_language": str(get_locale()), "languages": app.config["LANGUAGES"]}
