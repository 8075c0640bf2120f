"""What a device asking for a workspace's snapshot gets: the decisions of the snapshot routes,
without the request (the key, 304 or not, a delta or the full snapshot)."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy.orm import Session
from werkzeug.datastructures import ETags

from webapp.auth.models import User
from webapp.auth.service import ensure_key, user_key
from webapp.db import IMMEDIATE, begin_snapshot_read
from webapp.snapshot import service
from webapp.workspaces.models import Workspace
from webapp.workspaces.service import current_workspace


class Plan(NamedTuple):
    """`unchanged`: the ETag to answer 304 with; else `since`: the revision to send the delta
    from (None: the full snapshot)."""

    since: int | None
    unchanged: str | None = None


class Answer(NamedTuple):
    etag: str
    sealed: service.Sealed  # written out as JSON or binary, as the device asked
    base: int | None  # the delta's base revision, None for a full snapshot
    revision: int  # the revision sent (a later one than asked when the read began again)


def kid_of(session: Session, user: User) -> str:
    """Return the id of the user's snapshot key; a first key is made in a writing transaction.

    These are GET requests: their session reads, and on SQLite a reader that starts writing
    fails at once when another writer committed meanwhile.
    """
    if user.snapshot_kid is None:
        session.commit()
        session.connection(execution_options=IMMEDIATE)
        ensure_key(session, user.id)
        session.commit()
    assert user.snapshot_kid is not None
    return user.snapshot_kid


def key_of(session: Session, user: User) -> tuple[str, bytes]:
    """Return the user's snapshot key (made first if need be), decrypted: (kid, key)."""
    kid_of(session, user)
    return user_key(user)


def plan(kid: str, revision: int, full: bool, country: str, since: int | None, held: ETags) -> Plan:
    """Decide what a device that asks from revision `since` (None: a full snapshot) and holds
    the copies tagged `held` (its If-None-Match) gets at the workspace's `revision`, in the
    workspace's `country`."""
    if since is not None and since > revision:
        since = None  # a device ahead of the server (a restored database): start afresh
    if since is not None and held and not service.rendered_for(country, held.as_set()):
        # Its phones' `display` are of another country (or it has none): a delta would leave
        # the records that did not change as they were.
        since = None
    if since == revision:
        current = service.etag(kid, revision, full, country)
        if _holds_current(current, held):
            return Plan(since, unchanged=current)
        since = None  # the device's copy is under another key or class: send it afresh
    tag = service.etag(kid, revision, full, country, base=since)
    return Plan(since, unchanged=tag if held.contains(tag) else None)


def _holds_current(current: str, held: ETags) -> bool:
    """Tell whether a device asking for the delta from the current revision holds a usable copy.

    Without If-None-Match it is taken at its word. With it, the ETag of its last answer (full:
    `revision-kid-class-country`, delta: `base-revision-kid-class-country`) must end with the
    current revision, key, class and country: a device whose key was rotated then learns of it
    although nothing changed.
    """
    if not held:
        return True
    return any(tag == current or tag.endswith("-" + current) for tag in held.as_set())


def answer(
    session: Session,
    user: User,
    workspace: Workspace,
    full: bool,
    since: int | None,
    key: tuple[str, bytes],
    page_size: int,
) -> Answer:
    """Encrypt for the user the delta from `since` when it is much smaller than the snapshot,
    else the full snapshot (read in the caller's snapshot transaction).

    When another request already brought this process's snapshot past the revision this read
    sees, the read begins again at the current revision (a checkpoint only moves forward).
    """
    try:
        return _answer(session, user, workspace, full, since, key, page_size)
    except service.Outdated:
        begin_snapshot_read(session)
        workspace = current_workspace(session, workspace.id)
    try:
        return _answer(session, user, workspace, full, since, key, page_size)
    except service.Outdated:
        # Still newer than the database's current revision: a restored database.
        service.forget_document(workspace, full)
        return _answer(session, user, workspace, full, since, key, page_size)


def _answer(
    session: Session,
    user: User,
    workspace: Workspace,
    full: bool,
    since: int | None,
    key: tuple[str, bytes],
    page_size: int,
) -> Answer:
    kid, secret = key
    data = (
        None
        if since is None
        else service.delta_plaintext(session, workspace, full, since, page_size)
    )
    base = since if data is not None else None
    if data is None:
        data = service.plaintext(session, workspace, full)
    return Answer(
        etag=service.etag(kid, workspace.revision, full, workspace.country, base=base),
        sealed=service.seal(user, workspace, data, kid, secret, base=base),
        base=base,
        revision=workspace.revision,
    )
