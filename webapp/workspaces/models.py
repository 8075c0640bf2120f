"""Workspaces, memberships and invitations."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.auth.models import User
from webapp.db import Base, UTCDateTime, new_id, utcnow


class Role(enum.StrEnum):
    OWNER = "owner"
    EDITOR = "editor"
    VIEWER = "viewer"


ROLE_CHECK = "role IN ('owner', 'editor', 'viewer')"


class UnlockPolicy(enum.StrEnum):
    """How members' devices of a workspace may unlock the app."""

    PIN = "pin"  # a 6-digit PIN, a passphrase or a passkey
    PASSPHRASE = "passphrase"  # noqa: S105 - a policy name; a passphrase or a passkey, never a PIN


class Workspace(Base):
    __tablename__ = "workspaces"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(2))
    city: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64))
    # The language of what the server writes for the workspace (default playbooks, emergency
    # numbers' names, the poster): "es" or "en".
    language: Mapped[str] = mapped_column(String(5), default="es", server_default="es")
    # Contacts an owner chose to print on the office poster beyond the public numbers (ids, in
    # order); the poster never shows another non-public contact.
    poster_contact_ids: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    # What the app accepts to unlock on members' devices (UnlockPolicy); the app enforces it.
    unlock_policy: Mapped[str] = mapped_column(String(10), default="pin", server_default="pin")
    # The workspace's change counter: every applied change takes the next value.
    revision: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("workspace_id", "user_id"),
        CheckConstraint(ROLE_CHECK, name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
    workspace: Mapped[Workspace] = relationship(lazy="joined")


class Invitation(Base):
    __tablename__ = "invitations"
    __table_args__ = (CheckConstraint(ROLE_CHECK, name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    # Only a SHA-256 of the token is stored: a leaked database does not leak usable links. The
    # token is derived from the master key (service.invitation_token), so owners see it again.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    workspace: Mapped[Workspace] = relationship(lazy="joined")
