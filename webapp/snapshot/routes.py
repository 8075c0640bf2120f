"""Snapshot key, encrypted snapshot and public emergency contacts."""

from __future__ import annotations

import uuid

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from webapp.audit import service as audit
from webapp.auth.service import new_unlock_token
from webapp.auth.session import UNLOCK_HEADER, recently_authenticated, unlock_token_valid
from webapp.converters import query_int
from webapp.db import begin_snapshot_read, get_session, session_scope
from webapp.directory.service import public_contacts, public_version
from webapp.errors import error_response
from webapp.snapshot import delivery, service
from webapp.snapshot.schemas import SnapshotKey
from webapp.workspaces import service as workspaces
from webapp.workspaces.access import member_of
from webapp.workspaces.models import Role

bp = Blueprint("snapshot", __name__, url_prefix="/api/v1")


@bp.get("/keys/snapshot")
@login_required
def snapshot_key() -> Response:
    """Return the user's snapshot key and this device's unlock token; never cached.

    Only to an unlocked device (its unlock token in `X-Enlace-Unlock`) or one whose password
    was entered within REAUTH_SECONDS: the 30-day cookie of a locked phone gets 403.
    """
    token = request.headers.get(UNLOCK_HEADER) if unlock_token_valid() else None
    if token is None and not recently_authenticated():
        return error_response(
            403, _("Enter your password again to continue."), code="reauthentication_required"
        )
    session = get_session()
    user = current_user._get_current_object()
    kid, key = delivery.key_of(session, user)
    session.commit()
    if token is None:
        # The password was just proved: a new token, and the device's older wraps are void.
        with session_scope() as own:
            token = new_unlock_token(own, user.device.id)
        if token is None:  # the device session ended meanwhile (signed out elsewhere)
            return current_app.login_manager.unauthorized()  # type: ignore[attr-defined,no-any-return]
    answer = SnapshotKey(kid=kid, key=service.b64url(key), unlock_token=token)
    audit.record_now("snapshot.key_fetched", actor_id=user.id, subject_id=user.id, kid=kid)
    response = jsonify(answer.model_dump())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/workspaces/<uuid:workspace_id>/snapshot")
@login_required
def snapshot(workspace_id: uuid.UUID) -> Response:
    """Return the workspace's snapshot encrypted for this user, or with `?since=R` the delta
    from revision R (a full snapshot when the delta would not be much smaller; 304 when unchanged).
    """
    since = query_int("since", low=0)
    membership = member_of(workspace_id, Role.VIEWER)
    session = get_session()
    user = current_user._get_current_object()
    full = workspaces.sees_restricted(membership.role)
    kid = delivery.kid_of(session, user)
    # The membership query of this request loaded the current revision: an unchanged snapshot
    # is answered without another query nor decrypting the key (a device polls this often).
    plan = delivery.plan(
        kid,
        membership.workspace.revision,
        full,
        membership.workspace.country,
        since,
        request.if_none_match,
    )
    if plan.unchanged is not None:
        unchanged = Response(status=304, headers=_cache_headers(plan.unchanged))
        unchanged.no_compression = True  # type: ignore[attr-defined]
        return unchanged
    key = delivery.key_of(session, user)
    begin_snapshot_read(session)  # reads one consistent revision
    workspace = workspaces.current_workspace(session, workspace_id)
    page_size = current_app.config["SYNC_PAGE_SIZE"]
    sent = delivery.answer(session, user, workspace, full, plan.since, key, page_size)
    session.commit()  # the read ends before the audit row is written in its own transaction
    audit.record_now(
        "snapshot.fetched",
        actor_id=user.id,
        workspace_id=workspace_id,
        revision=sent.revision,
        base=sent.base,
        kid=key[0],
    )
    if _wants_binary():
        response = Response(service.as_binary(sent.sealed), mimetype=service.BINARY_TYPE)
    else:
        # Described by SnapshotEnvelope, not validated through it: its pattern check of a
        # ciphertext of hundreds of KB would cost more than the encryption (a hot path).
        response = jsonify(service.as_json(sent.sealed))
    response.headers.update(_cache_headers(sent.etag))
    # The ciphertext does not compress: a compressed JSON envelope only undoes base64, which the
    # binary one does not have. And the ETag must stay the one the device sends back.
    response.no_compression = True  # type: ignore[attr-defined]
    return response


def _wants_binary() -> bool:
    """Tell whether the device asked for the binary envelope (Accept), else JSON."""
    best = request.accept_mimetypes.best_match(["application/json", service.BINARY_TYPE])
    return best == service.BINARY_TYPE


def _cache_headers(tag: str) -> dict[str, str]:
    # no-store: the browser's HTTP cache would keep a removed workspace's envelope where no wipe
    # reaches it (its key is still wrapped under the PIN until the next online unlock). Devices
    # keep the ETag themselves and send If-None-Match, so 304s need no HTTP cache. The ETag
    # names the envelope's contents, in either format (JSON or binary, by Accept).
    return {"ETag": f'"{tag}"', "Cache-Control": "no-store", "Vary": "Cookie, Accept"}


@bp.get("/workspaces/<uuid:workspace_id>/public")
@login_required
def public(workspace_id: uuid.UUID) -> Response:
    """Return the workspace's public contacts in clear, for quick dial while locked; 304 to a
    device that holds the current list (its ETag in If-None-Match)."""
    member_of(workspace_id, Role.VIEWER)
    session = get_session()
    workspace = workspaces.current_workspace(session, workspace_id)
    # Weak: the same list in any encoding, and whatever the workspace's revision in the body.
    # `p2`: the list as quick dial's fields only; a device holding a whole-record list (`p-`)
    # gets this one once instead of a 304.
    tag = "p2-" + public_version(session, workspace)
    headers = {"ETag": f'W/"{tag}"', "Cache-Control": "no-store"}
    if request.if_none_match.contains_weak(tag):
        return Response(status=304, headers=headers)
    # Described by PublicContacts, not validated through it: stored records are sent as they
    # are, so a record saved under older rules still reaches the quick-dial screen.
    response = jsonify(
        {
            "workspace": str(workspace_id),
            "revision": workspace.revision,
            "contacts": public_contacts(session, workspace),
        }
    )
    response.headers.update(headers)
    return response
