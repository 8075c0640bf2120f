"""HTML pages: the home redirect, the app shell, the service worker and the offline notice."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, url_for
from flask import session as cookie_session
from flask_login import current_user, login_required

from webapp.db import get_session
from webapp.pages import shell
from webapp.workspaces import service as workspaces
from webapp.workspaces.forms import EmptyForm
from webapp.workspaces.routes import CURRENT

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> Response:
    """Send signed-in users to the app, others to the sign-in page."""
    if current_user.is_authenticated:
        return redirect(url_for("pages.app_shell"))
    return redirect(url_for("auth.login"))


@bp.get("/app")
@login_required
def app_shell() -> str:
    """Show the app shell for the current workspace, with the workspace switcher."""
    memberships = workspaces.memberships_of(get_session(), current_user)
    current = None
    wanted = cookie_session.get(CURRENT)
    for membership in memberships:
        if wanted and str(membership.workspace_id) == wanted:
            current = membership
    if current is None and memberships:
        current = memberships[0]
        cookie_session[CURRENT] = str(current.workspace_id)
    return render_template(
        "pages/app.html",
        memberships=memberships,
        current=current,
        button_form=EmptyForm(),
    )


@bp.get("/sw.js")
def service_worker() -> Response:
    """Serve the service worker at the root (scope /), never from a stale HTTP cache."""
    response = Response(shell.service_worker_source(), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/offline")
def offline() -> str:
    """Show the offline notice the service worker keeps for pages it cannot serve."""
    return render_template("pages/offline.html")
