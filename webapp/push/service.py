"""Push notifications: subscriptions, the user's choice, the outbox, crisis alerts.

Plain functions over a session. `push` sits above `auth`, `workspaces` and `directory` and below
`sync`: the sync service calls `enqueue_change` in the transaction of the change it reports.
"""

from __future__ import annotations

import hashlib
import unicodedata
import uuid
from datetime import datetime, timedelta
from enum import StrEnum

from cryptography.hazmat.primitives.asymmetric import ec
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.audit import service as audit
from webapp.auth.models import User
from webapp.db import utcnow
from webapp.directory.models import Contact, Playbook, is_restricted
from webapp.encoding import b64url, b64url_decode
from webapp.errors import ServiceError
from webapp.push import endpoints
from webapp.push.models import OutboxMessage, PushDelivery, PushNotice, PushSubscription
from webapp.workspaces.models import Membership, Role, Workspace

DIRECTORY_CHANGED = "directory-changed"
CRISIS_ALERT = "crisis-alert"
INCIDENT_STARTED = "incident-started"
STALE_CONTACTS = "stale-contacts"
# A contact not checked for this long is stale; owners hear of them once per period.
STALE_AFTER = timedelta(days=180)
STALE_NOTICE_EVERY = timedelta(days=30)
MAX_ENDPOINT = 2048
MAX_ALERT_MESSAGE = 140
# Devices per user: a phone, a tablet, a few browsers, with room for re-installs.
MAX_SUBSCRIPTIONS = 20


class Level(StrEnum):
    """Which notifications a user's devices get."""

    ALL = "all"
    URGENT = "urgent"  # crisis alerts only
    NONE = "none"


# The levels that receive each kind of message.
LEVELS_FOR = {
    DIRECTORY_CHANGED: (Level.ALL.value,),
    CRISIS_ALERT: (Level.ALL.value, Level.URGENT.value),
    INCIDENT_STARTED: (Level.ALL.value, Level.URGENT.value),
    STALE_CONTACTS: (Level.ALL.value,),
}
# Messages sent as they are, without coalescing, and their Urgency header.
IMMEDIATE = {CRISIS_ALERT: "high", INCIDENT_STARTED: "high", STALE_CONTACTS: "normal"}
# Messages for some roles only (the others go to every member).
ROLES_FOR = {STALE_CONTACTS: (Role.OWNER.value,)}


def topic(workspace_id: uuid.UUID) -> str:
    """Return the workspace's `Topic` header: 32 characters of the base64url alphabet.

    A push service keeps only the newest undelivered message of a topic, so a device that was
    off gets one message per workspace, the latest.
    """
    return b64url(hashlib.sha256(b"enlace-topic:" + workspace_id.bytes).digest()[:24])


def check_endpoint(endpoint: object, allowed: list[str]) -> str:
    """Return the endpoint when the allow-list names its push service (never a user-chosen
    address): https on port 443 to an allowed host (webapp/push/endpoints.py).

    :raises ServiceError: (400, field `endpoint`) otherwise.
    """
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > MAX_ENDPOINT:
        raise ServiceError(
            str(_l("The endpoint must be the push service's URL, at most 2,048 characters.")),
            field="endpoint",
        )
    try:
        endpoints.check(endpoint, allowed)
    except endpoints.Refused as refused:
        if refused.reason == "characters":
            message = _l(
                "The endpoint may hold only ASCII letters, digits and URL punctuation: no "
                "spaces, control characters or letters of other alphabets."
            )
        else:
            message = _l(
                "This endpoint is not a push service this server sends to; "
                "use the subscription your browser's push service gave you."
            )
        raise ServiceError(str(message), field="endpoint") from None
    return endpoint


def check_keys(keys: object) -> tuple[str, str]:
    """Return (p256dh, auth) as base64url without padding, checked.

    p256dh must be an uncompressed P-256 point on the curve (65 bytes), auth 16 bytes.

    :raises ServiceError: (400, naming the field) otherwise.
    """
    if not isinstance(keys, dict):
        raise ServiceError(str(_l("Send keys: {p256dh, auth}.")), field="keys")
    try:
        point = b64url_decode(keys.get("p256dh"))  # type: ignore[arg-type]
        if len(point) != 65 or point[0] != 4:
            raise ValueError("not an uncompressed point")
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise ServiceError(
            str(_l("p256dh must be a P-256 public key (65 bytes, base64url).")),
            field="keys.p256dh",
        ) from None
    try:
        secret = b64url_decode(keys.get("auth"))  # type: ignore[arg-type]
        if len(secret) != 16:
            raise ValueError("not 16 bytes")
    except ValueError:
        raise ServiceError(
            str(_l("auth must be 16 bytes, base64url.")), field="keys.auth"
        ) from None
    return b64url(point), b64url(secret)


def subscribe(
    session: Session, user: User, endpoint: object, keys: object, allowed: list[str]
) -> tuple[PushSubscription, bool]:
    """Store the device's subscription for the user; return it and whether it is new.

    The same endpoint again updates its keys; an endpoint another user had moves to this one
    (the device changed hands), and what was waiting for the other user is dropped. A user
    keeps at most MAX_SUBSCRIPTIONS: a new one beyond them deletes the user's oldest.
    """
    endpoint = check_endpoint(endpoint, allowed)
    p256dh, auth = check_keys(keys)
    row = session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    if row is None:
        row = PushSubscription(user_id=user.id, endpoint=endpoint, p256dh=p256dh, auth=auth)
        session.add(row)
        session.flush()
        _keep_newest(session, user)
        return row, True
    if row.user_id != user.id:
        session.execute(delete(PushDelivery).where(PushDelivery.subscription_id == row.id))
        # New to this user: it counts as their newest, not as the oldest to drop.
        row.user_id, row.created_at = user.id, utcnow()
        created = True
    else:
        created = False
    row.p256dh, row.auth, row.updated_at = p256dh, auth, utcnow()
    session.flush()
    if created:
        _keep_newest(session, user)
    return row, created


def _keep_newest(session: Session, user: User) -> None:
    """Delete the user's subscriptions beyond the newest MAX_SUBSCRIPTIONS (and what waits
    for them): one change must never fan out to hundreds of endpoints of one user."""
    extra = list(
        session.scalars(
            select(PushSubscription.id)
            .where(PushSubscription.user_id == user.id)
            .order_by(PushSubscription.created_at.desc(), PushSubscription.id.desc())
            .offset(MAX_SUBSCRIPTIONS)
        )
    )
    if extra:
        session.execute(delete(PushDelivery).where(PushDelivery.subscription_id.in_(extra)))
        session.execute(delete(PushSubscription).where(PushSubscription.id.in_(extra)))


def unsubscribe(session: Session, user: User, endpoint: object) -> None:
    """Forget the user's subscription with this endpoint (another user's stays)."""
    if not isinstance(endpoint, str) or not endpoint:
        raise ServiceError(str(_l("Send the endpoint to unsubscribe.")), field="endpoint")
    if len(endpoint) > MAX_ENDPOINT or any(ord(c) < 32 for c in endpoint):
        # No stored endpoint looks like this (subscribe refuses it), and PostgreSQL refuses a
        # NUL in a query: say what is wrong instead of failing.
        raise ServiceError(str(_l("This is not a push subscription's endpoint.")), field="endpoint")
    session.execute(
        delete(PushSubscription).where(
            PushSubscription.endpoint == endpoint, PushSubscription.user_id == user.id
        )
    )


def set_level(session: Session, user: User, level: object) -> str:
    """Set which notifications the user's devices get; return the level."""
    if not isinstance(level, str) or level not in {lv.value for lv in Level}:
        raise ServiceError(str(_l("level must be all, urgent or none.")), field="level")
    user.push_level = level
    session.flush()
    return level


def enqueue_change(
    session: Session,
    workspace_id: uuid.UUID,
    revision: int,
    count: int,
    author_id: uuid.UUID | None,
) -> None:
    """Write the outbox row of an applied change, in the caller's (the change's) transaction."""
    session.add(
        OutboxMessage(
            kind=DIRECTORY_CHANGED,
            workspace_id=workspace_id,
            revision=revision,
            count=count,
            author_id=author_id,
        )
    )


def enqueue_incident_started(
    session: Session, workspace_id: uuid.UUID, revision: int, author_id: uuid.UUID | None
) -> None:
    """Write the outbox row that tells the other members an incident started (in the change's
    transaction). The payload names no incident: its title is the workspace's, not the push
    service's, to read; the app opens the newest open incident."""
    session.add(
        OutboxMessage(
            kind=INCIDENT_STARTED,
            workspace_id=workspace_id,
            revision=revision,
            count=1,
            author_id=author_id,
            payload={
                "type": INCIDENT_STARTED,
                "workspace": str(workspace_id),
                "revision": revision,
            },
        )
    )


def queue_stale_notices(conn: Connection, now: datetime) -> int:
    """Queue the stale-contacts notice of every workspace not checked for STALE_NOTICE_EVERY;
    return how many were queued.

    A contact is stale when neither it was checked (`last_verified_at`) nor added within
    STALE_AFTER. A workspace is checked once per period whether or not it has stale contacts
    (a new one is first checked now, and has none). Safe with several dispatchers: a workspace's
    check is claimed by a conditional update (or the insert of its first row) in the caller's
    writing transaction, so only one of them queues it.
    """
    due_before = now - STALE_NOTICE_EVERY
    checked = {
        row.workspace_id: row.checked_at
        for row in conn.execute(
            select(PushNotice.workspace_id, PushNotice.checked_at).where(
                PushNotice.kind == STALE_CONTACTS
            )
        )
    }
    due = [
        workspace_id
        for workspace_id in conn.scalars(select(Workspace.id))
        if workspace_id not in checked or checked[workspace_id] <= due_before
    ]
    if not due:
        return 0
    stale_before = now - STALE_AFTER
    counts = dict(
        conn.execute(
            select(Contact.workspace_id, func.count())
            .where(
                Contact.workspace_id.in_(due),
                Contact.deleted.is_(False),
                func.coalesce(Contact.last_verified_at, Contact.created_at) < stale_before,
            )
            .group_by(Contact.workspace_id)
        ).all()
    )
    queued = 0
    for workspace_id in due:
        if workspace_id in checked:
            claimed = conn.execute(
                update(PushNotice)
                .where(
                    PushNotice.workspace_id == workspace_id,
                    PushNotice.kind == STALE_CONTACTS,
                    PushNotice.checked_at <= due_before,
                )
                .values(checked_at=now)
            ).rowcount
        else:
            claimed = _insert_notice(conn, workspace_id, now)
        count = int(counts.get(workspace_id, 0))
        if not claimed or count == 0:
            continue
        conn.execute(
            insert(OutboxMessage).values(
                kind=STALE_CONTACTS,
                workspace_id=workspace_id,
                count=count,
                payload={"type": STALE_CONTACTS, "workspace": str(workspace_id), "count": count},
                created_at=now,
            )
        )
        queued += 1
    return queued


def _insert_notice(conn: Connection, workspace_id: uuid.UUID, now: datetime) -> int:
    """Insert a workspace's first check; 0 when another dispatcher inserted it first."""
    try:
        with conn.begin_nested():
            conn.execute(
                insert(PushNotice).values(
                    workspace_id=workspace_id, kind=STALE_CONTACTS, checked_at=now
                )
            )
    except IntegrityError:
        return 0
    return 1


def recipients_query(workspace_id: uuid.UUID, kind: str, exclude_user: uuid.UUID | None):  # type: ignore[no-untyped-def]
    """Select (subscription, user id) of the workspace's current members who get `kind`."""
    query = (
        select(PushSubscription.id, PushSubscription.user_id)
        .join(Membership, Membership.user_id == PushSubscription.user_id)
        .join(User, User.id == PushSubscription.user_id)
        .where(Membership.workspace_id == workspace_id, User.push_level.in_(LEVELS_FOR[kind]))
    )
    if kind in ROLES_FOR:
        query = query.where(Membership.role.in_(ROLES_FOR[kind]))
    if exclude_user is not None:
        query = query.where(PushSubscription.user_id != exclude_user)
    return query


def hidden_character(text: str) -> str | None:
    """Return the first character of `text` that a notification would not show as written
    (as `U+202E`), or None.

    Refused: controls (Unicode Cc, C0 and C1, DEL) but the newline, which is read as a space;
    format characters (Cf: bidi controls U+202A–202E, U+2066–2069, U+200E/200F, U+061C,
    zero-width U+200B–200D, U+2060, the BOM U+FEFF, the soft hyphen U+00AD and the like); lone
    surrogates (Cs). static/js/push.js `checkAlertMessage` applies the same rule in the app.
    """
    for char in text:
        if char != "\n" and unicodedata.category(char) in ("Cc", "Cf", "Cs"):
            return f"U+{ord(char):04X}"
    return None


def create_alert(
    session: Session,
    workspace_id: uuid.UUID,
    sender: User,
    playbook_id: object,
    message: object,
) -> tuple[uuid.UUID, int]:
    """Queue a crisis alert to every other member's devices; return (alert id, device count).

    The payload carries ids and the sender's short message only. A playbook must be a live,
    non-restricted playbook of the workspace: a viewer could not open a restricted one.
    """
    text = None
    if message is not None:
        if not isinstance(message, str):
            raise ServiceError(str(_l("message must be text.")), field="message")
        hidden = hidden_character(message)
        if hidden is not None:
            raise ServiceError(
                str(
                    _l(
                        "The message holds an invisible or control character (%(code)s) that "
                        "could make the notification read differently; write plain text.",
                        code=hidden,
                    )
                ),
                field="message",
            )
        text = " ".join(message.split())
        if len(text) > MAX_ALERT_MESSAGE:
            raise ServiceError(
                str(_l("Keep the message to 140 characters or fewer.")), field="message"
            )
        text = text or None
    playbook = None
    if playbook_id is not None:
        try:
            pid = uuid.UUID(str(playbook_id)) if isinstance(playbook_id, str) else None
        except ValueError:
            pid = None
        found = session.get(Playbook, pid) if pid is not None else None
        if found is None or found.workspace_id != workspace_id or found.deleted:
            raise ServiceError(
                str(_l("No playbook with this id in this workspace.")), field="playbook_id"
            )
        if is_restricted(found):
            raise ServiceError(
                str(
                    _l(
                        "This playbook is restricted, so viewers cannot open it: make it "
                        "visible to the team or send a message instead."
                    )
                ),
                field="playbook_id",
            )
        playbook = found
    if playbook is None and text is None:
        raise ServiceError(str(_l("Choose a playbook or write a short message.")), field="message")
    alert_id = uuid.uuid4()
    payload = {
        "type": CRISIS_ALERT,
        "workspace": str(workspace_id),
        "alert": str(alert_id),
        "playbook": str(playbook.id) if playbook else None,
        "message": text,
    }
    session.add(
        OutboxMessage(
            kind=CRISIS_ALERT,
            workspace_id=workspace_id,
            count=1,
            author_id=sender.id,
            payload=payload,
        )
    )
    devices = session.scalar(
        select(func.count()).select_from(
            recipients_query(workspace_id, CRISIS_ALERT, sender.id).subquery()
        )
    )
    audit.record(
        session,
        "push.alert_sent",
        actor_id=sender.id,
        workspace_id=workspace_id,
        alert=str(alert_id),
        playbook=payload["playbook"],
        message=text,
        recipients=devices or 0,
    )
    session.flush()
    return alert_id, int(devices or 0)
