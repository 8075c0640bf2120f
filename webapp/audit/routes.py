"""The owner-visible audit page."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from webapp.audit import service
from webapp.auth.models import User
from webapp.auth.session import fresh_login_required
from webapp.db import get_session
from webapp.workspaces import service as workspaces
from webapp.workspaces.models import Role

bp = Blueprint("audit", __name__)

PAGE = 100


@bp.get("/workspaces/<workspace_id>/audit")
@login_required
@fresh_login_required
def audit_log(workspace_id: str) -> str:
    """List the workspace's audit events, newest first, a page at a time."""
    session = get_session()
    wid = workspaces.parse_uuid(workspace_id)
    membership = workspaces.require_role(session, wid, current_user, Role.OWNER)
    before = request.args.get("before", type=int)
    events = service.list_for_workspace(session, wid, before_id=before, limit=PAGE)
    ids = {e.actor_id for e in events} | {e.subject_id for e in events}
    ids.discard(None)
    names = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    return render_template(
        "audit/list.html",
        workspace=membership.workspace,
        events=events,
        users=names,
        next_before=events[-1].id if len(events) == PAGE else None,
    )
