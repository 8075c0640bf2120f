"""Snapshot key, encrypted snapshot and public emergency contacts."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from webapp.audit import service as audit
from webapp.auth.models import User
from webapp.auth.service import ensure_key, new_unlock_token, user_key
from webapp.auth.session import UNLOCK_HEADER, recently_authenticated, unlock_token_valid
from webapp.converters import query_int
from webapp.db import IMMEDIATE, begin_snapshot_read, get_session, session_scope
from webapp.directory.service import public_contacts
from webapp.errors import error_response
from webapp.snapshot import service
from webapp.snapshot.schemas import SnapshotKey
from webapp.workspaces import service as workspaces
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
    kid, key = _key_of(session, user)
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


@bp.get("/workspaces/<workspace_id>/snapshot")
@login_required
def snapshot(workspace_id: str) -> Response:
    """Return the workspace's snapshot encrypted for this user, or with `?since=R` the delta
    from revision R (a full snapshot when the delta would not be much smaller; 304 when unchanged).
    """
    session = get_session()
    wid = workspaces.parse_uuid(workspace_id)
    since = query_int("since", low=0)
    membership = workspaces.require_role(session, wid, current_user, Role.VIEWER)
    user = current_user._get_current_object()
    full = workspaces.sees_restricted(membership.role)
    kid, key = _key_of(session, user)
    # The membership query of this request loaded the current revision: an unchanged snapshot
    # is answered without another query (a device polls this often).
    revision = membership.workspace.revision
    if since is not None and since > revision:
        since = None  # a device ahead of the server (a restored database): start afresh
    if since == revision:
        current = service.etag(kid, revision, full)
        if _holds_current(current):
            return Response(status=304, headers=_cache_headers(current))
        since = None  # the device's copy is under another key or class: send it afresh
    tag = service.etag(kid, revision, full, base=since)
    if request.if_none_match.contains(tag):
        return Response(status=304, headers=_cache_headers(tag))
    begin_snapshot_read(session)  # reads one consistent revision
    workspace = workspaces.current_workspace(session, wid)
    page_size = current_app.config["SYNC_PAGE_SIZE"]
    data = (
        None
        if since is None
        else service.delta_plaintext(session, workspace, full, since, page_size)
    )
    base = since if data is not None else None
    if data is None:
        data = service.plaintext(session, workspace, full)
    tag = service.etag(kid, workspace.revision, full, base=base)
    body = service.envelope(user, workspace, data, kid, key, base=base)
    session.commit()  # the read ends before the audit row is written in its own transaction
    audit.record_now(
        "snapshot.fetched",
        actor_id=user.id,
        workspace_id=wid,
        revision=workspace.revision,
        base=base,
        kid=kid,
    )
    # Described by SnapshotEnvelope, not validated through it: its pattern check of a
    # ciphertext of hundreds of KB would cost more than the encryption (a hot path).
    response = jsonify(body)
    response.headers.update(_cache_headers(tag))
    return response


def _key_of(session: Session, user: User) -> tuple[str, bytes]:
    """Return the user's snapshot key; a first one is made in a writing transaction.

    These are GET requests: their session reads, and on SQLite a reader that starts writing
    fails at once when another writer committed meanwhile.
    """
    if user.snapshot_kid is None:
        session.commit()
        session.connection(execution_options=IMMEDIATE)
        ensure_key(session, user.id)
        session.commit()
    return user_key(user)


def _holds_current(current: str) -> bool:
    """Tell whether a device asking for the delta from the current revision holds a usable copy.

    Without If-None-Match it is taken at its word. With it, the ETag of its last answer (full:
    `revision-kid-class`, delta: `base-revision-kid-class`) must end with the current revision,
    key and class: a device whose key was rotated then learns of it although nothing changed.
    """
    tags = request.if_none_match
    if not tags:
        return True
    return any(tag == current or tag.endswith("-" + current) for tag in tags.as_set())


def _cache_headers(tag: str) -> dict[str, str]:
    # no-store: the browser's HTTP cache would keep a removed workspace's envelope where no wipe
    # reaches it (its key is still wrapped under the PIN until the next online unlock). Devices
    # keep the ETag themselves and send If-None-Match, so 304s need no HTTP cache.
    return {"ETag": f'"{tag}"', "Cache-Control": "no-store", "Vary": "Cookie"}


@bp.get("/workspaces/<workspace_id>/public")
@login_required
def public(workspace_id: str) -> Response:
    """Return the workspace's public contacts in clear, for quick dial while locked."""
    session = get_session()
    wid = workspaces.parse_uuid(workspace_id)
    workspaces.require_role(session, wid, current_user, Role.VIEWER)
    workspace = workspaces.current_workspace(session, wid)
    # Described by PublicContacts, not validated through it: stored records are sent as they
    # are, so a record saved under older rules still reaches the quick-dial screen.
    return jsonify(
        {
            "workspace": str(wid),
            "revision": workspace.revision,
            "contacts": public_contacts(session, wid),
        }
    )
