"""The readiness checklist: the API answer, and its panel on the workspace page."""

from __future__ import annotations

import uuid

from flask import Blueprint, jsonify, render_template, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import force_locale
from flask_login import login_required
from markupsafe import Markup
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from webapp.auth.session import unlock_required, unlocked
from webapp.db import get_session
from webapp.i18n import requested_language
from webapp.readiness import service
from webapp.readiness.schemas import Readiness
from webapp.workspaces.access import member_of
from webapp.workspaces.models import Membership, Role
from webapp.workspaces.panels import add_panel
from webapp.workspaces.service import sees_restricted

bp = Blueprint("readiness", __name__)


@bp.get("/api/v1/workspaces/<uuid:workspace_id>/readiness")
@login_required
@unlock_required  # its fixes name contacts and playbooks
def readiness(workspace_id: uuid.UUID) -> Response:
    """Return the workspace's readiness checklist as the user may see it (no-store)."""
    lang = requested_language()
    membership = member_of(workspace_id, Role.VIEWER)
    session = get_session()
    if lang is None:
        result = service.readiness(session, membership)
    else:
        with force_locale(lang):
            result = service.readiness(session, membership)
    response = jsonify(Readiness.of(result).model_dump(mode="json"))
    response.headers["Cache-Control"] = "no-store"
    return response


def panel(session: Session, membership: Membership) -> Markup:
    """Render the readiness panel of the workspace page; locked, a link to enter the password.

    Its fixes name contacts and playbooks: a page needs a recent password, like the API.
    """
    if not unlocked():
        workspace_page = url_for("workspaces.show", workspace_id=membership.workspace_id)
        html = render_template(
            "readiness/_locked.html", reauth=url_for("auth.reauth", next=workspace_page)
        )
        return Markup(html)  # noqa: S704 - a Jinja template, autoescaped
    result = service.readiness(session, membership)
    viewer = not sees_restricted(membership.role)  # its score counts what a viewer sees
    html = render_template("readiness/_panel.html", readiness=result, viewer=viewer)
    return Markup(html)  # noqa: S704 - a Jinja template, autoescaped


@bp.record_once
def _register_panel(state: BlueprintSetupState) -> None:
    add_panel(state.app, panel)
