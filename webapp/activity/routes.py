"""The audit log: a workspace's events for its owners, an account's events for its user.

As pages, and as JSON for the app (`/api/v1/...`): the same checks, the same pages of events,
each described by `service.describe` in the reader's language (`?lang=` for the app's).
"""

from __future__ import annotations

import uuid

from flask import Blueprint, jsonify, render_template
from flask_babel import force_locale
from flask_login import current_user, login_required
from pydantic import BaseModel
from werkzeug.wrappers import Response

from webapp.activity import service
from webapp.activity.schemas import AccountActivity, WorkspaceAudit
from webapp.auth.session import fresh_login_required, unlock_required
from webapp.converters import query_int
from webapp.db import get_session
from webapp.i18n import requested_language
from webapp.workspaces.access import member_of
from webapp.workspaces.models import Role

bp = Blueprint("audit", __name__)  # its endpoints keep the name the templates use
bp.add_app_template_global(service.describe, "describe_event")


@bp.get("/workspaces/<uuid:workspace_id>/audit")
@login_required
@fresh_login_required
def audit_log(workspace_id: uuid.UUID) -> str:
    """List the workspace's audit events, newest first, a page at a time."""
    membership = member_of(workspace_id, Role.OWNER)
    page = service.workspace_page(get_session(), workspace_id, query_int("before"))
    return render_template(
        "audit/list.html",
        workspace=membership.workspace,
        events=page.events,
        users=page.people,
        next_before=page.next_before,
    )


@bp.get("/account/activity")
@login_required
def account_activity() -> str:
    """List the signed-in user's own account events, newest first, a page at a time."""
    page = service.account_page(get_session(), current_user.id, query_int("before"))
    return render_template("audit/account.html", events=page.events, next_before=page.next_before)


def _answer(
    build: type[AccountActivity] | type[WorkspaceAudit], page: service.EventPage
) -> Response:
    """Describe the page in the request's `lang` (the app's language), no-store."""
    lang = requested_language()
    answer: BaseModel
    if lang is None:
        answer = build.of(page)
    else:
        with force_locale(lang):
            answer = build.of(page)
    response = jsonify(answer.model_dump(mode="json"))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/api/v1/workspaces/<uuid:workspace_id>/audit")
@login_required
@unlock_required  # the page asks for a recent password; an unlocked app's token counts too
def audit_log_api(workspace_id: uuid.UUID) -> Response:
    """Return a page of the workspace's audit events, for its owners."""
    requested_language()  # a bad `lang` is a 400 before anything is read
    before = query_int("before")
    member_of(workspace_id, Role.OWNER)
    return _answer(WorkspaceAudit, service.workspace_page(get_session(), workspace_id, before))


@bp.get("/api/v1/account/activity")
@login_required
def account_activity_api() -> Response:
    """Return a page of the signed-in user's own account events."""
    requested_language()
    before = query_int("before")
    return _answer(AccountActivity, service.account_page(get_session(), current_user.id, before))
