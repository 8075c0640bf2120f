"""Users."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Integer, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import Base, UTCDateTime, new_id, utcnow


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    # Stored lower-cased so that uniqueness is case-insensitive on every backend.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(8))
    # Bumped to sign out every other device (password change, "sign out everywhere").
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # The per-user snapshot key, encrypted under the server master key; kid changes on rotation.
    snapshot_key_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    snapshot_kid: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def get_id(self) -> str:
        """Return the session identity; it changes when other devices must be signed out."""
        return f"{self.id}:{self.session_version}"
