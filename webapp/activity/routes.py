"""The audit pages: a workspace's events for its owners, an account's events for its user."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy.orm import Session

from webapp.audit import service
from webapp.audit.models import AuditEvent
from webapp.auth import service as auth_service
from webapp.auth.session import fresh_login_required
from webapp.converters import query_int
from webapp.db import get_session
from webapp.workspaces.access import member_of
from webapp.workspaces.models import Role

if TYPE_CHECKING:
    from webapp.auth.models import User

bp = Blueprint("audit", __name__)  # its endpoints keep the name the templates use

PAGE = 100


def _people(session: Session, events: Iterable[AuditEvent]) -> dict[uuid.UUID, User]:
    ids = {e.actor_id for e in events} | {e.subject_id for e in events}
    ids.discard(None)
    found = {uid: auth_service.get_user(session, uid) for uid in ids if uid is not None}
    return {uid: user for uid, user in found.items() if user is not None}


def _older(events: list[AuditEvent]) -> int | None:
    return events[-1].id if len(events) == PAGE else None


@bp.get("/workspaces/<uuid:workspace_id>/audit")
@login_required
@fresh_login_required
def audit_log(workspace_id: uuid.UUID) -> str:
    """List the workspace's audit events, newest first, a page at a time."""
    membership = member_of(workspace_id, Role.OWNER)
    session = get_session()
    before = query_int("before")
    events = service.list_for_workspace(session, workspace_id, before_id=before, limit=PAGE)
    return render_template(
        "audit/list.html",
        workspace=membership.workspace,
        events=events,
        users=_people(session, events),
        next_before=_older(events),
    )


@bp.get("/account/activity")
@login_required
def account_activity() -> str:
    """List the signed-in user's own account events, newest first, a page at a time."""
    session = get_session()
    before = query_int("before")
    events = service.list_for_account(session, current_user.id, before_id=before, limit=PAGE)
    return render_template("audit/account.html", events=events, next_before=_older(events))
