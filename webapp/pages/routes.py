"""HTML pages: the home redirect, the app shell, the service worker and the offline notice."""

from __future__ import annotations

from flask import Blueprint, Response, make_response, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_login import current_user

from webapp.i18n import requested_language
from webapp.pages import shell

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> Response:
    """Send signed-in users to the app, others to the sign-in page."""
    if current_user.is_authenticated:
        return redirect(url_for("pages.app_shell"))
    return redirect(url_for("auth.login"))


@bp.get("/app")
def app_shell() -> Response:
    """Serve the app shell: no user data and no token, so the service worker may keep it.

    The page itself asks /api/v1/session who is signed in (and sends a stranger to /login).
    With an ETag: the worker's precache revalidates the copy the page just loaded (304) instead
    of downloading it again.
    """
    response = make_response(render_template("pages/app.html", modules=shell.app_modules()))
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/sw.js")
def service_worker() -> Response:
    """Serve the service worker at the root (scope /), never from a stale HTTP cache."""
    response = Response(shell.service_worker_source(), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/offline")
def offline() -> str:
    """Show the offline notice the service worker keeps for pages it cannot serve.

    In one language: `?lang=` (the worker keeps one notice per language and shows the one of the
    device's app), else the reader's.
    """
    lang = requested_language()
    if lang is None:
        return render_template("pages/offline.html")
    with force_locale(lang):
        return render_template("pages/offline.html")
