"""Import previews, kept on the server between the upload and the apply (any worker reads them)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import Base, UTCDateTime, new_id, utcnow


class ImportPreview(Base):
    """One uploaded file, read into rows: what the user checks, fixes, then applies.

    `rows` is a list of `{"row", "fields", "errors"}`: the fields as read from the file (or as
    the user fixed them) and what reading could not make sense of. Whether each row is new, a
    duplicate or an error is decided again at every answer, against the directory as it is then.
    """

    __tablename__ = "import_previews"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    format: Mapped[str] = mapped_column(String(10))
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # The first apply's answer `{"applied", "skipped", "revision"}`; a second apply returns it.
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
