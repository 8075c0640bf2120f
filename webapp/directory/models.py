"""Synced directory entities: contacts, playbooks, incidents and their append-only entries.

Every synced entity has a client-creatable UUID, a per-entity `version` (+1 on each change), the
workspace `revision` of its last change, and a tombstone flag: rows are never deleted, so that a
device that was offline for a month still learns what was removed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from webapp.db import Base, UTCDateTime, utcnow


class Visibility(StrEnum):
    """Who sees a contact or playbook (the one list of levels; `sees_restricted` says who is
    allowed past `RESTRICTED`, `directory.service.only_visible` scopes queries by it)."""

    # Everyone: the public list and quick dial while locked, the poster.
    PUBLIC = "public"
    # Every member of the workspace.
    TEAM = "team"
    # Owners and editors only.
    RESTRICTED = "restricted"


def is_restricted(record: Any) -> bool:
    """Tell whether a record (an entity or a row) is restricted; types without a visibility are not."""
    return getattr(record, "visibility", None) == Visibility.RESTRICTED


@dataclass(frozen=True)
class Ref:
    """A field that names another record of the same workspace (a list of them, or one)."""

    type: str
    # The record must not be deleted (an entry of a deleted incident would be lost to view).
    live: bool = False


class Synced:
    """Columns shared by every synced entity."""

    # The API name of the entity type ("contact") and its data fields, in API order.
    TYPE: ClassVar[str]
    FIELDS: ClassVar[tuple[str, ...]]
    # Fields holding ids of other records, which must be of the same workspace.
    REFERENCES: ClassVar[dict[str, Ref]] = {}

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    revision: Mapped[int] = mapped_column(BigInteger)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:  # noqa: N805
        # Paging by cursor reads (workspace, revision) ranges of every synced table.
        return (Index(f"ix_{cls.__tablename__}_workspace_revision", "workspace_id", "revision"),)


class Contact(Synced, Base):
    __tablename__ = "contacts"
    TYPE = "contact"
    FIELDS = (
        "name",
        "organization",
        "role_title",
        "kind",
        "area",
        "phones",
        "emails",
        "address",
        "city",
        "country",
        "availability",
        "backup_contact_id",
        "when_to_contact",
        "partner",
        "notes",
        "tags",
        "visibility",
        "last_verified_at",
    )
    REFERENCES = {"backup_contact_id": Ref("contact")}

    name: Mapped[str] = mapped_column(String(200))
    organization: Mapped[str | None] = mapped_column(String(200))
    role_title: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="internal")
    area: Mapped[str | None] = mapped_column(String(60))
    phones: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    emails: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    address: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    availability: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # No foreign key: the sync service checks that it names a contact of the same workspace.
    backup_contact_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    when_to_contact: Mapped[str | None] = mapped_column(Text)
    partner: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    notes: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    visibility: Mapped[str] = mapped_column(String(12), default=Visibility.TEAM.value)
    last_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The workspace revision at which it last became restricted (None: never, or not now).
    restricted_since: Mapped[int | None] = mapped_column(BigInteger)


class Playbook(Synced, Base):
    __tablename__ = "playbooks"
    TYPE = "playbook"
    FIELDS = (
        "name",
        "crisis_kind",
        "severity",
        "steps",
        "contact_ids",
        "guidance",
        "visibility",
    )
    REFERENCES = {"contact_ids": Ref("contact")}

    name: Mapped[str] = mapped_column(String(200))
    crisis_kind: Mapped[str | None] = mapped_column(String(60))
    severity: Mapped[str] = mapped_column(String(10), default="medium")
    steps: Mapped[list[str]] = mapped_column(JSON, default=list)
    contact_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    guidance: Mapped[str | None] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(12), default=Visibility.TEAM.value)
    # The workspace revision at which it last became restricted (None: never, or not now).
    restricted_since: Mapped[int | None] = mapped_column(BigInteger)


class Incident(Synced, Base):
    __tablename__ = "incidents"
    TYPE = "incident"
    FIELDS = (
        "title",
        "kind",
        "severity",
        "status",
        "started_at",
        "closed_at",
        "summary",
        "playbook_id",
    )
    REFERENCES = {"playbook_id": Ref("playbook")}

    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str | None] = mapped_column(String(60))
    severity: Mapped[str] = mapped_column(String(10), default="medium")
    status: Mapped[str] = mapped_column(String(12), default="open")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    summary: Mapped[str | None] = mapped_column(Text)
    playbook_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class IncidentEntry(Synced, Base):
    """One line of an incident's timeline: created once, never changed (append-only)."""

    __tablename__ = "incident_entries"
    TYPE = "incident_entry"
    FIELDS = (
        "incident_id",
        "at",
        "kind",
        "text",
        "contact_id",
        "outcome",
        "reference",
        "step",
        "author",
    )
    REFERENCES = {"incident_id": Ref("incident", live=True), "contact_id": Ref("contact")}

    incident_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(20), default="note")
    text: Mapped[str] = mapped_column(Text)
    contact_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # A call's outcome, a report's case or folio number, an action's playbook step (from 0).
    outcome: Mapped[str | None] = mapped_column(String(20))
    reference: Mapped[str | None] = mapped_column(String(100))
    step: Mapped[int | None] = mapped_column(Integer)
    # Who logged it (their name then): set by the sync service, never taken from the device.
    author: Mapped[str | None] = mapped_column(String(200))


ENTITY_TYPES: dict[str, type[Synced]] = {
    model.TYPE: model for model in (Contact, Playbook, Incident, IncidentEntry)
}
