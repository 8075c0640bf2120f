"""HTML pages: the home redirect, the app shell, the service worker and the offline notice."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    get_flashed_messages,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_login import current_user

from webapp.extensions import csrf
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

    The page itself asks /api/v1/session who is signed in. A visitor without a session gets the
    page without the app's modules, and static/js/boot.js sends them to /login unless a service
    worker (someone signed in here before) controls the page. With an ETag: the worker's
    precache revalidates the copy the page just loaded (304) instead of downloading it again;
    it is not a navigation, so it neither shows nor consumes a flash message.
    """
    # Browsers send Sec-Fetch-Mode; a client that does not is taken as navigating.
    navigation = request.headers.get("Sec-Fetch-Mode", "navigate") == "navigate"
    flashes = navigation and bool(get_flashed_messages())
    page = render_template("pages/app.html", modules=shell.app_modules(), navigation=navigation)
    response = make_response(page)
    # The same page for everyone signed in, so kept (privately) like the worker keeps it; one
    # that shows a flash ("You joined …") is the user's own and kept nowhere.
    response.headers["Cache-Control"] = "no-store" if flashes else "private, no-cache"
    response.add_etag()
    return response.make_conditional(request)


@bp.post("/app/share")
@csrf.exempt  # it reads nothing of the request and changes nothing
def shared_file() -> Response:
    """Answer a share (the manifest's share_target) that no service worker caught: the file is
    not kept anywhere, and the Import screen asks to share it again (static/js/share-target.js).
    """
    return redirect("/app#import?shared=lost", code=303)


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
