"""What the audit pages and the app's audit screens show: pages of events, each described once.

The page templates and the API answers both read events through here, so an event reads the same
on the server page and in the app, in the reader's language (the labels of `audit/labels.py`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from webapp.audit import service as audit
from webapp.audit.labels import OPERATIONS, RECORD_TYPES, audit_label
from webapp.audit.models import AuditEvent
from webapp.auth import service as auth_service
from webapp.auth.models import User
from webapp.workspaces.forms import ROLE_LABELS

PAGE = 100


@dataclass(frozen=True)
class Described:
    """An event in words: its label, what it changed (may be empty), the fields it touched."""

    label: str
    detail: str
    fields: str


@dataclass(frozen=True)
class EventPage:
    """A page of events, newest first, the people they name, and where the next page starts."""

    events: list[AuditEvent]
    people: dict[uuid.UUID, User]
    next_before: int | None


def _role(role: object) -> str:
    label = ROLE_LABELS.get(str(role or ""))
    return str(label) if label is not None else str(role or "")


def describe(event: AuditEvent) -> Described:
    """Describe an event in the reader's language (call under `force_locale` for another)."""
    details = event.details or {}
    detail = ""
    fields = ""
    if details.get("new"):
        detail = f"{_role(details.get('old'))} → {_role(details['new'])}"
    elif details.get("role"):
        detail = _role(details["role"])
    if event.action == "sync.mutation" and details.get("type") in RECORD_TYPES:
        detail = str(RECORD_TYPES[details["type"]])
        if details.get("op") in OPERATIONS:
            detail += f" {OPERATIONS[details['op']]}"
        if isinstance(details.get("fields"), list):
            fields = ", ".join(str(name) for name in details["fields"])
    if event.action == "porting.exported" and isinstance(details.get("contacts"), int):
        # The format and how many, never whom (the event keeps no contents).
        fmt = {"vcard": "vCard", "csv": "CSV", "json": "JSON"}.get(str(details.get("format")), "")
        detail = _("%(format)s, %(count)s contacts", format=fmt, count=details["contacts"])
    if event.action == "auth.sign_in_failed" and details.get("email") and not event.subject_id:
        detail = str(details["email"])
    return Described(label=audit_label(event.action), detail=detail, fields=fields)


def _people(session: Session, events: Iterable[AuditEvent]) -> dict[uuid.UUID, User]:
    ids = {e.actor_id for e in events} | {e.subject_id for e in events}
    ids.discard(None)
    found = {uid: auth_service.get_user(session, uid) for uid in ids if uid is not None}
    return {uid: user for uid, user in found.items() if user is not None}


def _next(events: list[AuditEvent]) -> int | None:
    return events[-1].id if len(events) == PAGE else None


def workspace_page(session: Session, workspace_id: uuid.UUID, before: int | None) -> EventPage:
    """Return a page of the workspace's events (the caller checked the owner role)."""
    events = audit.list_for_workspace(session, workspace_id, before_id=before, limit=PAGE)
    return EventPage(events, _people(session, events), _next(events))


def account_page(session: Session, user_id: uuid.UUID, before: int | None) -> EventPage:
    """Return a page of the user's own account events."""
    events = audit.list_for_account(session, user_id, before_id=before, limit=PAGE)
    return EventPage(events, {}, _next(events))
