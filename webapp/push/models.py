"""Push subscriptions, the outbox that applied changes write to, and the deliveries.

Two stages, so that nothing is lost and nothing is sent twice: a committed change writes an
`OutboxMessage` in its own transaction; the dispatcher turns a workspace's messages (coalesced
over a few seconds) into one `PushDelivery` per device, in one transaction that also deletes
them; then each delivery is claimed for a lease, sent, and deleted once the push service took
it (or retried at `next_attempt_at`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import Base, UTCDateTime, new_id, utcnow

BIG_ID = BigInteger().with_variant(Integer(), "sqlite")


class PushSubscription(Base):
    """One browser's push subscription (one device), tied to a user, never to a workspace."""

    __tablename__ = "push_subscriptions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # Unique: one row per device; re-registered by another user, the row moves to them.
    endpoint: Mapped[str] = mapped_column(Text, unique=True)
    p256dh: Mapped[str] = mapped_column(String(100))
    auth: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboxMessage(Base):
    """Something to tell members' devices, written in the transaction of what it reports."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_workspace_created", "workspace_id", "created_at"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    # "directory-changed" (coalesced) or "crisis-alert" (sent as it is, Urgency: high).
    kind: Mapped[str] = mapped_column(String(20))
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    # The workspace revision after the change and how many changes it made.
    revision: Mapped[int | None] = mapped_column(BigInteger)
    count: Mapped[int] = mapped_column(Integer, default=0)
    # Whose change it is: their own devices are not told (null: a system change).
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # A crisis alert's payload (ids and the sender's short message).
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class PushDelivery(Base):
    """One message for one device, until the push service has taken it."""

    __tablename__ = "push_deliveries"
    __table_args__ = (Index("ix_push_deliveries_due", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    subscription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("push_subscriptions.id", ondelete="CASCADE"), index=True
    )
    # Sent only while the subscription's user is still a member of it.
    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    urgency: Mapped[str] = mapped_column(String(10))
    topic: Mapped[str | None] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set while a dispatcher sends it; a dead dispatcher's claim lapses.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PushNotice(Base):
    """When a periodic notice (the monthly stale-contacts one) was last due for a workspace."""

    __tablename__ = "push_notices"

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    # The last check, whether or not it found anything to say: the next is a period later.
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
