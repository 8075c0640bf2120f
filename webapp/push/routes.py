"""The push API under /api/v1: VAPID key, subscriptions, the user's choice, crisis alerts."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from webapp.db import get_session
from webapp.errors import ServiceError
from webapp.extensions import limiter
from webapp.push import service
from webapp.push.schemas import AlertCreated, PushPreferences, SubscriptionCreated, VapidKey
from webapp.workspaces.access import member_of
from webapp.workspaces.models import Role

bp = Blueprint("push", __name__, url_prefix="/api/v1")


def _json_object(shape: str) -> dict[str, Any]:
    try:
        payload = request.get_json(silent=True)
    except RecursionError:
        payload = None
    if not isinstance(payload, dict):
        raise ServiceError(_("Send a JSON object: %(shape)s.", shape=shape))
    return payload


@bp.get("/push/vapid-public-key")
@login_required
def vapid_public_key() -> Response:
    """Return the server's VAPID public key."""
    return jsonify(VapidKey(key=current_app.config["VAPID_PUBLIC_KEY"]).model_dump())


@bp.post("/push/subscriptions")
@login_required
def subscribe() -> Response:
    """Store this device's push subscription for the signed-in user."""
    body = _json_object("{endpoint, keys: {p256dh, auth}}")
    session = get_session()
    row, created = service.subscribe(
        session,
        current_user._get_current_object(),
        body.get("endpoint"),
        body.get("keys"),
        current_app.config["PUSH_ALLOWED_ENDPOINTS"],
    )
    answer = SubscriptionCreated(id=row.id)
    session.commit()
    response = jsonify(answer.model_dump(mode="json"))
    response.status_code = 201 if created else 200
    return response


@bp.delete("/push/subscriptions")
@login_required
def unsubscribe() -> Response:
    """Forget this device's subscription (only the user's own)."""
    body = _json_object("{endpoint}")
    session = get_session()
    service.unsubscribe(session, current_user._get_current_object(), body.get("endpoint"))
    session.commit()
    return Response(status=204)


@bp.get("/push/preferences")
@login_required
def preferences() -> Response:
    """Return which notifications the user's devices get."""
    return jsonify(PushPreferences(level=current_user.push_level).model_dump())


@bp.put("/push/preferences")
@login_required
def set_preferences() -> Response:
    """Choose which notifications the user's devices get: all, urgent (alerts only) or none."""
    body = _json_object("{level}")
    session = get_session()
    user = session.merge(current_user._get_current_object())
    level = service.set_level(session, user, body.get("level"))
    session.commit()
    return jsonify(PushPreferences(level=level).model_dump())  # type: ignore[arg-type]


def _alert_key() -> str:
    """Key the limit on the parsed workspace id: the `uuid` converter reads upper case, no
    dashes, braces and `urn:uuid:` as the same id, so the URL's spelling makes no new counter."""
    workspace = (request.view_args or {}).get("workspace_id")
    return f"alert:{workspace}:{current_user.id}"


def _alert_limit() -> str:
    return current_app.config["PUSH_ALERT_RATE_LIMIT"]


@bp.post("/workspaces/<uuid:workspace_id>/alerts")
@login_required
@limiter.limit(_alert_limit, key_func=_alert_key)
def send_alert(workspace_id: uuid.UUID) -> Response:
    """Send a crisis alert (a playbook, a short message) to every other member's devices."""
    membership = member_of(workspace_id, Role.EDITOR)
    session = get_session()
    body = _json_object("{playbook_id, message}")
    alert_id, recipients = service.create_alert(
        session, workspace_id, membership.user, body.get("playbook_id"), body.get("message")
    )
    session.commit()
    response = jsonify(AlertCreated(id=alert_id, recipients=recipients).model_dump(mode="json"))
    response.status_code = 202
    return response
