"""JSON API basics under /api/v1."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response

from webapp.api.openapi import openapi_document
from webapp.api.schemas import Session, SessionUser, SessionWorkspace
from webapp.db import get_session
from webapp.workspaces import service as workspaces

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/session")
@login_required
def session_info() -> Response:
    """Return the signed-in user, a CSRF token for API writes, and the user's workspaces."""
    memberships = workspaces.memberships_of(get_session(), current_user)
    answer = Session(
        user=SessionUser(
            id=current_user.id,
            email=current_user.email,
            name=current_user.name,
            locale=current_user.locale,
        ),
        csrf_token=generate_csrf(),
        workspaces=[
            SessionWorkspace(id=m.workspace_id, name=m.workspace.name, role=m.role)
            for m in memberships
        ],
    )
    return jsonify(answer.model_dump(mode="json"))


@bp.get("/openapi.json")
def openapi() -> Response:
    """Return the OpenAPI 3.1 description of /api/v1; public, it holds no data."""
    return jsonify(openapi_document())
