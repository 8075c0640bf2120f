"""The members and settings API under /api/v1/workspaces/<id>: the app's screens for what the
workspace pages do, with the same services, role checks, audit events and CSRF.

Reading the members needs an unlocked app (`unlock_required`: the unlock token or a recent
password). Every change, and the invitation links, need a recent password, as on the pages: an
invitation or a role is a way in that outlives the device session, so a guessed PIN must not
give one (docs/THREAT-MODEL.md).
"""

from __future__ import annotations

import uuid
from typing import TypeVar

from flask import Blueprint, current_app, jsonify, request
from flask.views import MethodView
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from pydantic import BaseModel, ValidationError
from werkzeug.wrappers import Response

from webapp.auth.session import fresh_login_required, recently_authenticated, unlock_required
from webapp.db import get_session
from webapp.errors import ServiceError
from webapp.i18n import in_requested_language
from webapp.workspaces import service
from webapp.workspaces.access import forget_current, member_of
from webapp.workspaces.models import Invitation, Membership, Role
from webapp.workspaces.schemas import (
    InvitationRequest,
    Member,
    Members,
    PendingInvitation,
    RoleRequest,
    SettingsUpdate,
    WorkspaceSettings,
)

bp = Blueprint("workspaces_api", __name__, url_prefix="/api/v1/workspaces/<uuid:workspace_id>")

Body = TypeVar("Body", bound=BaseModel)


def _read(model: type[Body], shape: str) -> Body:
    """Return the JSON body as the model.

    :raises ServiceError: (400, naming the first field at fault) for anything else.
    """
    try:
        payload = request.get_json(silent=True)
    except RecursionError:
        payload = None  # nested deeper than any real request
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        where = error.errors(include_url=False)[0]["loc"]
        field = ".".join(str(part) for part in where) or None
        raise ServiceError(_("Send a JSON object: %(shape)s.", shape=shape), field=field) from None


def _json(answer: BaseModel, status: int = 200) -> Response:
    response = jsonify(answer.model_dump(mode="json"))
    response.status_code = status
    return response


def _pending(invitation: Invitation, links: bool) -> PendingInvitation:
    return PendingInvitation(
        id=invitation.id,
        role=invitation.role,  # type: ignore[arg-type]
        note=invitation.note,
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
        link=service.invitation_link(invitation) if links else None,
    )


def _member(member: Membership, viewer: Membership, sole: uuid.UUID | None) -> Member:
    return Member(
        user_id=member.user_id,
        name=member.user.name,
        email=member.user.email,
        role=member.role,  # type: ignore[arg-type]
        you=member.user_id == viewer.user_id,
        sole_owner=member.user_id == sole,
    )


def _settings(membership: Membership) -> WorkspaceSettings:
    workspace = membership.workspace
    return WorkspaceSettings(
        id=workspace.id,
        name=workspace.name,
        city=workspace.city,
        country=workspace.country,
        country_name=service.country_name(workspace.country, str(get_locale())),
        timezone=workspace.timezone,
        language=workspace.language,
        role=membership.role,  # type: ignore[arg-type]
        unlock_policy=workspace.unlock_policy,  # type: ignore[arg-type]
    )


@bp.get("/members")
@login_required
@in_requested_language
@unlock_required  # names and email addresses of the members
def members(workspace_id: uuid.UUID) -> Response:
    """List the members and the pending invitations (owners); links only after the password."""
    membership = member_of(workspace_id, Role.OWNER)
    session = get_session()
    listed = service.list_members(session, workspace_id)
    sole = service.sole_owner(listed)
    links = recently_authenticated()
    answer = Members(
        members=[_member(m, membership, sole) for m in listed],
        invitations=[
            _pending(i, links) for i in service.pending_invitations(session, workspace_id)
        ],
        links_shown=links,
    )
    return _json(answer)


@bp.post("/invitations")
@login_required
@in_requested_language
@fresh_login_required  # a link is a way in: as on the members page
def invite(workspace_id: uuid.UUID) -> Response:
    """Create an invitation link (owners); audited."""
    membership = member_of(workspace_id, Role.OWNER)
    body = _read(InvitationRequest, "{role, note}")
    session = get_session()
    invitation, _token = service.create_invitation(
        session,
        membership.workspace_id,
        body.role,
        current_user._get_current_object(),
        days=current_app.config["INVITATION_DAYS"],
        note=body.note or "",
    )
    session.commit()
    return _json(_pending(invitation, links=True), 201)


@bp.delete("/invitations/<id:invitation_id>")
@login_required
@in_requested_language
@fresh_login_required
def revoke(workspace_id: uuid.UUID, invitation_id: int) -> Response:
    """Revoke a pending invitation (owners): its link stops working; audited."""
    membership = member_of(workspace_id, Role.OWNER)
    session = get_session()
    service.revoke_invitation(
        session, membership.workspace_id, invitation_id, current_user._get_current_object()
    )
    session.commit()
    return Response(status=204)


class MemberView(MethodView):
    """One member: another role, or removal. One rule for both methods, so that a malformed id
    is 404 whatever the method (with two rules werkzeug answers 405 for one of them)."""

    decorators = [in_requested_language, login_required]

    @fresh_login_required
    def patch(self, workspace_id: uuid.UUID, user_id: uuid.UUID) -> Response:
        """Give a member another role (owners); the sole owner keeps theirs; audited."""
        membership = member_of(workspace_id, Role.OWNER)
        body = _read(RoleRequest, "{role}")
        session = get_session()
        changed = service.change_role(
            session, membership.workspace_id, user_id, body.role, current_user._get_current_object()
        )
        listed = service.list_members(session, workspace_id)
        answer = _member(changed, membership, service.sole_owner(listed))
        session.commit()
        return _json(answer)

    @fresh_login_required
    def delete(self, workspace_id: uuid.UUID, user_id: uuid.UUID) -> Response:
        """Remove a member, or leave (owners; never the sole owner); audited."""
        membership = member_of(workspace_id, Role.OWNER)
        session = get_session()
        service.remove_member(
            session, membership.workspace_id, user_id, current_user._get_current_object()
        )
        session.commit()
        if user_id == current_user.id:
            forget_current()
        return Response(status=204)


bp.add_url_rule("/members/<uuid:user_id>", view_func=MemberView.as_view("member"))


class SettingsView(MethodView):
    """The workspace's details and settings (one rule: see MemberView)."""

    decorators = [in_requested_language, login_required]

    def get(self, workspace_id: uuid.UUID) -> Response:
        """Return the workspace's details and settings to a member (no directory data)."""
        return _json(_settings(member_of(workspace_id, Role.VIEWER)))

    @fresh_login_required  # a weaker policy would let a guessed PIN open members' phones
    def patch(self, workspace_id: uuid.UUID) -> Response:
        """Change the workspace's settings (owners); audited."""
        membership = member_of(workspace_id, Role.OWNER)
        body = _read(SettingsUpdate, "{unlock_policy}")
        session = get_session()
        if body.unlock_policy is not None:
            service.set_unlock_policy(session, membership, body.unlock_policy)
        answer = _settings(membership)
        session.commit()
        return _json(answer)


bp.add_url_rule("/settings", view_func=SettingsView.as_view("settings"))
