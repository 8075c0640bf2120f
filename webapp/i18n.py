"""Languages: the user's setting, else a cookie chosen on the sign-in page, else Accept-Language."""

from __future__ import annotations

import os

from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user

from webapp.extensions import babel

LANG_COOKIE = "enlace_lang"


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


def init_app(app: Flask) -> None:
    """Bind Flask-Babel and expose the current language to templates."""
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def _language() -> dict[str, object]:
        return {"current_language": str(get_locale()), "languages": app.config["LANGUAGES"]}
