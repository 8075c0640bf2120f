"""Users and their device sessions."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import Base, UTCDateTime, new_id, utcnow


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    # Stored lower-cased so that uniqueness is case-insensitive on every backend.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(8))
    # The per-user snapshot key, encrypted under the server master key; kid changes on rotation.
    snapshot_key_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    snapshot_kid: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Which push notifications the user's devices get: "all", "urgent" (crisis alerts) or "none".
    push_level: Mapped[str] = mapped_column(String(8), default="all", server_default="all")

    # Not columns: the device session (and its token) this request was made with, set when the
    # user is loaded for a request.
    device = None
    device_token = None

    def get_id(self) -> str | None:
        """Return the session identity: the device session's token (flask-login stores it)."""
        return self.device_token


class DeviceSession(Base):
    """One signed-in device: the session cookie names it by a token stored only as its hash."""

    __tablename__ = "device_sessions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    # SHA-256 (hex) of the random token in the cookie: the table alone signs nobody in.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # Loaded with the device in one query: every signed-in request needs both.
    user: Mapped[User] = relationship(lazy="joined")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    browser: Mapped[str] = mapped_column(String(40))
    platform: Mapped[str] = mapped_column(String(40))
    ip: Mapped[str | None] = mapped_column(String(64))
    # SHA-256 (hex) of the unlock token the app wraps under its PIN, passphrase or passkey; while
    # unlocked it sends the token, and only then (or after a recent password) does this session
    # read the snapshot key or directory data in clear (docs/ARCHITECTURE.md, 4.4).
    unlock_token_hash: Mapped[str | None] = mapped_column(String(64))
