"""Record and list audit events."""

from __future__ import annotations

import uuid
from typing import Any

from flask import has_request_context, request
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from webapp.audit.models import AuditEvent
from webapp.db import session_scope


def record(
    session: Session,
    action: str,
    *,
    actor_id: uuid.UUID | None = None,
    workspace_id: uuid.UUID | None = None,
    subject_id: uuid.UUID | None = None,
    **details: Any,
) -> AuditEvent:
    """Add an audit event to the session; it commits with the change it records."""
    ip = request.remote_addr if has_request_context() else None
    event = AuditEvent(
        action=action,
        actor_id=actor_id,
        workspace_id=workspace_id,
        subject_id=subject_id,
        ip=ip,
        details=details,
    )
    session.add(event)
    return event


def list_for_workspace(
    session: Session, workspace_id: uuid.UUID, *, before_id: int | None = None, limit: int = 100
) -> list[AuditEvent]:
    """Return the newest events of a workspace (none of its members' account events)."""
    query = select(AuditEvent).where(AuditEvent.workspace_id == workspace_id)
    return _page(session, query, before_id, limit)


def list_for_account(
    session: Session, user_id: uuid.UUID, *, before_id: int | None = None, limit: int = 100
) -> list[AuditEvent]:
    """Return the newest account events of a user: sign-ins, password, devices, keys."""
    query = select(AuditEvent).where(
        AuditEvent.workspace_id.is_(None),
        or_(AuditEvent.actor_id == user_id, AuditEvent.subject_id == user_id),
    )
    return _page(session, query, before_id, limit)


def _page(session: Session, query: Any, before_id: int | None, limit: int) -> list[AuditEvent]:
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    return list(session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)))


def record_now(
    action: str,
    *,
    actor_id: uuid.UUID | None = None,
    workspace_id: uuid.UUID | None = None,
    subject_id: uuid.UUID | None = None,
    **details: Any,
) -> None:
    """Write an audit event at once in its own short transaction, whatever the request does.

    For events that must survive the request's rollback (a failed password, a refusal). The
    request's session must hold no write lock meanwhile (on SQLite it would wait for itself).
    """
    with session_scope() as session:
        record(
            session,
            action,
            actor_id=actor_id,
            workspace_id=workspace_id,
            subject_id=subject_id,
            **details,
        )
