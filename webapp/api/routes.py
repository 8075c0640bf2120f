"""JSON API basics under /api/v1."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from pydantic import ValidationError
from werkzeug.wrappers import Response

from webapp.api.openapi import (
    limits_document,
    limits_version,
    openapi_document,
    openapi_version,
)
from webapp.api.schemas import ReauthRequest, Session, SessionUser, SessionWorkspace
from webapp.auth.routes import check_own_password
from webapp.auth.session import mark_authenticated
from webapp.db import get_session
from webapp.directory.schemas import error_map
from webapp.directory.service import phone_example
from webapp.errors import error_response
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
            SessionWorkspace(
                id=m.workspace_id,
                name=m.workspace.name,
                role=m.role,
                unlock_policy=m.workspace.unlock_policy,
                phone_example=phone_example(m.workspace.country),
            )
            for m in memberships
        ],
    )
    return jsonify(answer.model_dump(mode="json"))


@bp.post("/session/reauth")
@login_required
def reauth() -> Response:
    """Prove the password again on this device (Forgot PIN, or its local data is gone): 204.

    Like /reauth's form: the same failure counters (429 with Retry-After), and the device may
    then fetch the snapshot key and a new unlock token for REAUTH_SECONDS.
    """
    try:
        payload = request.get_json(silent=True)
    except RecursionError:
        payload = None  # nested deeper than any real request
    try:
        body = ReauthRequest.model_validate(payload)
    except ValidationError as error:
        return error_response(400, _("Enter your password."), errors=error_map(error))
    right = check_own_password(current_user, body.password, "auth.reauth_failed")
    if isinstance(right, Response):
        return right
    if not right:
        return error_response(403, _("That password is incorrect."), code="wrong_password")
    mark_authenticated()
    get_session().commit()  # a password rehash, if any
    return Response(status=204)


@bp.get("/openapi.json")
def openapi() -> Response:
    """Return the OpenAPI 3.1 description of /api/v1; public, it holds no data. The app reads
    its field limits from it at every online open: the browser's cache revalidates it (weak
    ETag: the same document in any encoding) and a device that holds it gets a 304."""
    return _revalidated("o-" + openapi_version(), openapi_document)


@bp.get("/limits.json")
def limits() -> Response:
    """Return the part of the OpenAPI document the app's forms read their field limits from
    (the record schemas a sync mutation carries); public, revalidated like the document."""
    return _revalidated("l-" + limits_version(), limits_document)


def _revalidated(tag: str, document: Callable[[], dict[str, Any]]) -> Response:
    # Kept by the browser and revalidated (weak ETag: the same document in any encoding): a
    # device that holds it gets a 304.
    headers = {"ETag": f'W/"{tag}"', "Cache-Control": "no-cache"}
    if request.if_none_match.contains_weak(tag):
        return Response(status=304, headers=headers)
    response = jsonify(document())
    response.headers.update(headers)
    return response
