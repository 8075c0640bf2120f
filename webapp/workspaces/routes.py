"""Workspace pages: create, switch, members, invitations."""

from __future__ import annotations

import uuid

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from webapp.auth.forms import SignUpForm
from webapp.auth.limits import TooManyFailures
from webapp.auth.service import HashingBusy
from webapp.auth.session import fresh_login_required, sign_in
from webapp.db import get_session
from webapp.errors import Conflict, ServiceError, error_response
from webapp.extensions import client_address
from webapp.workspaces import joining, service
from webapp.workspaces.access import forget_current, member_of, set_current
from webapp.workspaces.forms import (
    UNLOCK_POLICY_HINTS,
    EmptyForm,
    InvitationForm,
    RoleForm,
    UnlockPolicyForm,
    role_choices,
)
from webapp.workspaces.models import Membership, Role
from webapp.workspaces.panels import render_panels

bp = Blueprint("workspaces", __name__)


@bp.get("/workspaces/<uuid:workspace_id>")
@login_required
def show(workspace_id: uuid.UUID) -> str | tuple[str, int]:
    """Show the workspace page to a member: its details, links and the features' panels."""
    return _show_page(get_session(), member_of(workspace_id, Role.VIEWER))


def _show_page(
    session: Session,
    membership: Membership,
    policy_form: UnlockPolicyForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    if policy_form is None and membership.role == Role.OWNER.value:
        policy_form = UnlockPolicyForm(unlock_policy=membership.workspace.unlock_policy)
    page = render_template(
        "workspaces/show.html",
        workspace=membership.workspace,
        membership=membership,
        country=service.country_name(membership.workspace.country, str(get_locale())),
        panels=render_panels(session, membership),
        policy_form=policy_form,
        policy_hints=UNLOCK_POLICY_HINTS,
    )
    return page, status


@bp.post("/workspaces/<uuid:workspace_id>/unlock-policy")
@login_required
@fresh_login_required  # a weaker policy would let a guessed PIN open members' phones
def unlock_policy(workspace_id: uuid.UUID) -> Response | tuple[str, int]:
    """Choose whether members' phones may unlock with a PIN or need a passphrase (owners)."""
    session, membership = get_session(), member_of(workspace_id, Role.OWNER)
    form = UnlockPolicyForm()
    if not form.validate_on_submit():
        return _show_page(session, membership, form, 400)
    service.set_unlock_policy(session, membership, form.unlock_policy.data)
    session.commit()
    flash(_("The unlock rule was saved."), "success")
    return redirect(url_for("workspaces.show", workspace_id=membership.workspace_id), 303)


@bp.post("/workspaces/<uuid:workspace_id>/switch")
@login_required
def switch(workspace_id: uuid.UUID) -> Response:
    """Make another of the user's workspaces the current one."""
    member_of(workspace_id, Role.VIEWER)
    if not EmptyForm().validate_on_submit():
        abort(400)
    set_current(workspace_id)
    return redirect(url_for("pages.app_shell"))


@bp.get("/workspaces/<uuid:workspace_id>/members")
@login_required
@fresh_login_required
def members(workspace_id: uuid.UUID) -> str:
    """List members and pending invitations, with the owner's controls."""
    membership = member_of(workspace_id, Role.OWNER)
    return _members_page(membership.workspace)


def _members_page(workspace, invitation_form: InvitationForm | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    session = get_session()
    members = service.list_members(session, workspace.id)
    if invitation_form is None:
        invitation_form = InvitationForm()
        invitation_form.role.choices = role_choices()
    role_form = RoleForm()
    role_form.role.choices = role_choices()
    invitations = service.pending_invitations(session, workspace.id)
    return (
        render_template(
            "workspaces/members.html",
            workspace=workspace,
            members=members,
            invitations=[(i, service.invitation_link(i)) for i in invitations],
            invitation_form=invitation_form,
            role_form=role_form,
            button_form=EmptyForm(),
            sole_owner=service.sole_owner(members),
        ),
        status,
    )


@bp.post("/workspaces/<uuid:workspace_id>/invitations")
@login_required
@fresh_login_required
def invite(workspace_id: uuid.UUID) -> tuple[str, int] | str:
    """Create an invitation link and show it with its QR code."""
    session, membership = get_session(), member_of(workspace_id, Role.OWNER)
    wid = membership.workspace_id
    form = InvitationForm()
    form.role.choices = role_choices()
    if not form.validate_on_submit():
        return _members_page(membership.workspace, form, 400)
    invitation, _token = service.create_invitation(
        session,
        wid,
        form.role.data,
        current_user._get_current_object(),
        days=current_app.config["INVITATION_DAYS"],
        note=form.note.data or "",
    )
    session.commit()
    link = service.invitation_link(invitation)
    qr = Markup(segno.make(link, error="m").svg_inline(scale=4, dark="#111", light="#fff"))  # noqa: S704 - segno's own SVG markup, the link inside it is escaped by segno
    return render_template(
        "workspaces/invitation.html",
        workspace=membership.workspace,
        invitation=invitation,
        link=link,
        qr=qr,
    ), 201


@bp.post("/workspaces/<uuid:workspace_id>/invitations/<id:invitation_id>/revoke")
@login_required
@fresh_login_required
def revoke(workspace_id: uuid.UUID, invitation_id: int) -> Response:
    """Revoke a pending invitation."""
    session, membership = get_session(), member_of(workspace_id, Role.OWNER)
    wid = membership.workspace_id
    if not EmptyForm().validate_on_submit():
        abort(400)
    service.revoke_invitation(session, wid, invitation_id, current_user._get_current_object())
    session.commit()
    flash(_("The invitation was revoked; its link no longer works."), "success")
    return redirect(url_for("workspaces.members", workspace_id=wid))


@bp.post("/workspaces/<uuid:workspace_id>/members/<uuid:user_id>/role")
@login_required
@fresh_login_required
def change_role(workspace_id: uuid.UUID, user_id: uuid.UUID) -> Response:
    """Give a member another role."""
    session, membership = get_session(), member_of(workspace_id, Role.OWNER)
    wid = membership.workspace_id
    form = RoleForm()
    form.role.choices = role_choices()
    if not form.validate_on_submit():
        flash(_("Choose owner, editor or viewer."), "error")
        return redirect(url_for("workspaces.members", workspace_id=wid))
    try:
        service.change_role(
            session,
            wid,
            user_id,
            form.role.data,
            current_user._get_current_object(),
        )
    except Conflict as error:
        flash(error.message, "error")
        return redirect(url_for("workspaces.members", workspace_id=wid))
    session.commit()
    flash(_("The role was changed."), "success")
    return redirect(url_for("workspaces.members", workspace_id=wid))


@bp.post("/workspaces/<uuid:workspace_id>/members/<uuid:user_id>/remove")
@login_required
@fresh_login_required
def remove(workspace_id: uuid.UUID, user_id: uuid.UUID) -> Response:
    """Remove a member from the workspace."""
    session, membership = get_session(), member_of(workspace_id, Role.OWNER)
    wid = membership.workspace_id
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        service.remove_member(session, wid, user_id, current_user._get_current_object())
    except Conflict as error:
        flash(error.message, "error")
        return redirect(url_for("workspaces.members", workspace_id=wid))
    session.commit()
    if user_id == current_user.id:
        forget_current()
        flash(_("You left the workspace."), "success")
        return redirect(url_for("pages.app_shell"))
    flash(_("The member was removed."), "success")
    return redirect(url_for("workspaces.members", workspace_id=wid))


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept(token: str) -> Response | str | tuple[str, int]:
    """Join a workspace through an invitation link, creating an account if needed."""
    session = get_session()
    try:
        invitation = service.find_invitation(session, token)
    except ServiceError as error:
        return render_template("workspaces/invitation_invalid.html", message=error.message), 404
    if current_user.is_authenticated:
        form = EmptyForm()
        if form.validate_on_submit():
            service.accept_invitation(session, token, current_user._get_current_object())
            session.commit()
            set_current(invitation.workspace_id)
            flash(_("You joined “%(name)s”.", name=invitation.workspace.name), "success")
            return redirect(url_for("pages.app_shell"))
        return render_template(
            "workspaces/accept.html", invitation=invitation, form=form, signup=None
        )
    signup = SignUpForm()
    if signup.validate_on_submit():
        try:
            user, device_token = joining.sign_up_and_join(
                session,
                invitation,
                token,
                email=signup.email.data,
                name=signup.name.data,
                password=signup.password.data,
                locale=str(get_locale()),
                user_agent=request.headers.get("User-Agent", ""),
                address=client_address(),
            )
        except TooManyFailures as error:
            return error_response(
                429, error.message, headers={"Retry-After": str(error.retry_after)}
            )
        except HashingBusy as error:
            return error_response(
                503, error.message, headers={"Retry-After": str(error.retry_after)}
            )
        except ServiceError as error:
            getattr(signup, error.field or "email").errors.append(error.message)
            if isinstance(error, Conflict):
                signup.email.errors.append(_("Sign in first, then open the link again."))
        else:
            session.commit()
            sign_in(user, device_token)
            set_current(invitation.workspace_id)
            flash(_("Welcome! You joined “%(name)s”.", name=invitation.workspace.name), "success")
            return redirect(url_for("pages.app_shell"))
    return render_template(
        "workspaces/accept.html", invitation=invitation, form=EmptyForm(), signup=signup
    )
