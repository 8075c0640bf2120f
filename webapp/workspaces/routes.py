"""Workspace pages: create, switch, members, invitations."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import segno
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import (
    session as cookie_session,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from webapp.audit import service as audit
from webapp.auth import limits
from webapp.auth import service as auth_service
from webapp.auth.forms import SignUpForm
from webapp.auth.session import fresh_login_required, sign_in
from webapp.db import get_session
from webapp.errors import Conflict, ServiceError, error_response
from webapp.extensions import client_address
from webapp.workspaces import service
from webapp.workspaces.forms import (
    UNLOCK_POLICY_HINTS,
    EmptyForm,
    InvitationForm,
    RoleForm,
    UnlockPolicyForm,
    role_choices,
)
from webapp.workspaces.models import Membership, Role

bp = Blueprint("workspaces", __name__)

CURRENT = "workspace_id"

# Sections that features above this one (readiness, the poster) add to the workspace page, so
# that this package never imports them: each renders itself for (session, membership).
PANELS = "enlace_workspace_panels"
Panel = Callable[[Session, Membership], Markup | None]


def add_panel(app: Flask, panel: Panel) -> None:
    """Add a section to the workspace page (call it once per app, e.g. from record_once)."""
    app.extensions.setdefault(PANELS, []).append(panel)


def country_choices() -> list[SelectChoice]:
    """Return the countries as form choices, by name in the user's language."""
    locale = str(get_locale())
    names = [SelectChoice(code, service.country_name(code, locale)) for code in service.countries()]
    return [SelectChoice("", "—"), *sorted(names, key=lambda choice: choice.label.casefold())]


def set_current(workspace_id: uuid.UUID) -> None:
    """Remember the workspace this device works in."""
    cookie_session[CURRENT] = str(workspace_id)


def _as_owner(workspace_id: str) -> tuple[Session, Membership]:
    """Return the session and the current user's membership, which must be an owner's.

    :raises NotFound: for a non-member; :raises Forbidden: for an editor or viewer.
    """
    session = get_session()
    wid = service.parse_uuid(workspace_id)
    return session, service.require_role(session, wid, current_user, Role.OWNER)


@bp.get("/workspaces/<workspace_id>")
@login_required
def show(workspace_id: str) -> str | tuple[str, int]:
    """Show the workspace page to a member: its details, links and the features' panels."""
    session = get_session()
    wid = service.parse_uuid(workspace_id)
    membership = service.require_role(session, wid, current_user, Role.VIEWER)
    return _show_page(session, membership)


def _show_page(
    session: Session,
    membership: Membership,
    policy_form: UnlockPolicyForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    panels = [panel(session, membership) for panel in current_app.extensions.get(PANELS, [])]
    if policy_form is None and membership.role == Role.OWNER.value:
        policy_form = UnlockPolicyForm(unlock_policy=membership.workspace.unlock_policy)
    page = render_template(
        "workspaces/show.html",
        workspace=membership.workspace,
        membership=membership,
        country=service.country_name(membership.workspace.country, str(get_locale())),
        panels=[p for p in panels if p],
        policy_form=policy_form,
        policy_hints=UNLOCK_POLICY_HINTS,
    )
    return page, status


@bp.post("/workspaces/<workspace_id>/unlock-policy")
@login_required
@fresh_login_required  # a weaker policy would let a guessed PIN open members' phones
def unlock_policy(workspace_id: str) -> Response | tuple[str, int]:
    """Choose whether members' phones may unlock with a PIN or need a passphrase (owners)."""
    session, membership = _as_owner(workspace_id)
    form = UnlockPolicyForm()
    if not form.validate_on_submit():
        return _show_page(session, membership, form, 400)
    service.set_unlock_policy(session, membership, form.unlock_policy.data)
    session.commit()
    flash(_("The unlock rule was saved."), "success")
    return redirect(url_for("workspaces.show", workspace_id=membership.workspace_id), 303)


@bp.post("/workspaces/<workspace_id>/switch")
@login_required
def switch(workspace_id: str) -> Response:
    """Make another of the user's workspaces the current one."""
    session = get_session()
    wid = service.parse_uuid(workspace_id)
    service.require_role(session, wid, current_user, Role.VIEWER)
    if not EmptyForm().validate_on_submit():
        abort(400)
    set_current(wid)
    return redirect(url_for("pages.app_shell"))


@bp.get("/workspaces/<workspace_id>/members")
@login_required
@fresh_login_required
def members(workspace_id: str) -> str:
    """List members and pending invitations, with the owner's controls."""
    _session, membership = _as_owner(workspace_id)
    return _members_page(membership.workspace)


def _members_page(workspace, invitation_form: InvitationForm | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    session = get_session()
    members = service.list_members(session, workspace.id)
    if invitation_form is None:
        invitation_form = InvitationForm()
        invitation_form.role.choices = role_choices()
    role_form = RoleForm()
    role_form.role.choices = role_choices()
    return (
        render_template(
            "workspaces/members.html",
            workspace=workspace,
            members=members,
            invitations=service.pending_invitations(session, workspace.id),
            invitation_form=invitation_form,
            role_form=role_form,
            button_form=EmptyForm(),
            owner_count=sum(1 for m in members if m.role == Role.OWNER.value),
        ),
        status,
    )


@bp.post("/workspaces/<workspace_id>/invitations")
@login_required
@fresh_login_required
def invite(workspace_id: str) -> tuple[str, int] | str:
    """Create an invitation link and show it once, with its QR code."""
    session, membership = _as_owner(workspace_id)
    wid = membership.workspace_id
    form = InvitationForm()
    form.role.choices = role_choices()
    if not form.validate_on_submit():
        return _members_page(membership.workspace, form, 400)
    invitation, token = service.create_invitation(
        session,
        wid,
        form.role.data,
        current_user._get_current_object(),
        days=current_app.config["INVITATION_DAYS"],
        note=form.note.data or "",
    )
    session.commit()
    link = external_url("workspaces.accept", token=token)
    qr = Markup(segno.make(link, error="m").svg_inline(scale=4, dark="#111", light="#fff"))  # noqa: S704 - segno's own SVG markup, the link inside it is escaped by segno
    return render_template(
        "workspaces/invitation.html",
        workspace=membership.workspace,
        invitation=invitation,
        link=link,
        qr=qr,
    ), 201


def external_url(endpoint: str, **values: str) -> str:
    """Return an absolute URL, on ENLACE_PUBLIC_URL when it is set."""
    public = current_app.config["PUBLIC_URL"]
    if public:
        return public + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


@bp.post("/workspaces/<workspace_id>/invitations/<id:invitation_id>/revoke")
@login_required
@fresh_login_required
def revoke(workspace_id: str, invitation_id: int) -> Response:
    """Revoke a pending invitation."""
    session, membership = _as_owner(workspace_id)
    wid = membership.workspace_id
    if not EmptyForm().validate_on_submit():
        abort(400)
    service.revoke_invitation(session, wid, invitation_id, current_user._get_current_object())
    session.commit()
    flash(_("The invitation was revoked; its link no longer works."), "success")
    return redirect(url_for("workspaces.members", workspace_id=wid))


@bp.post("/workspaces/<workspace_id>/members/<user_id>/role")
@login_required
@fresh_login_required
def change_role(workspace_id: str, user_id: str) -> Response:
    """Give a member another role."""
    session, membership = _as_owner(workspace_id)
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
            service.parse_uuid(user_id),
            form.role.data,
            current_user._get_current_object(),
        )
    except Conflict as error:
        flash(error.message, "error")
        return redirect(url_for("workspaces.members", workspace_id=wid))
    session.commit()
    flash(_("The role was changed."), "success")
    return redirect(url_for("workspaces.members", workspace_id=wid))


@bp.post("/workspaces/<workspace_id>/members/<user_id>/remove")
@login_required
@fresh_login_required
def remove(workspace_id: str, user_id: str) -> Response:
    """Remove a member from the workspace."""
    session, membership = _as_owner(workspace_id)
    wid = membership.workspace_id
    if not EmptyForm().validate_on_submit():
        abort(400)
    uid = service.parse_uuid(user_id)
    try:
        service.remove_member(session, wid, uid, current_user._get_current_object())
    except Conflict as error:
        flash(error.message, "error")
        return redirect(url_for("workspaces.members", workspace_id=wid))
    session.commit()
    if uid == current_user.id:
        cookie_session.pop(CURRENT, None)
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
        # Signing up with an existing account's email says so (the person should sign in
        # instead): count each attempt like a failed sign-in, per address and per invitation,
        # so that the form cannot be used to test a list of emails.
        try:
            attempt = limits.reserve(
                limits.invitation_key(invitation.id), limits.address_key(client_address())
            )
        except limits.TooManyFailures as error:
            return error_response(429, headers={"Retry-After": str(error.retry_after)})
        session.commit()  # hold no write lock while the password is hashed
        try:
            user = auth_service.create_user(
                session,
                signup.email.data,
                signup.name.data,
                signup.password.data,
                locale=str(get_locale()),
            )
        except auth_service.HashingBusy as error:
            attempt.not_a_failure()
            return error_response(
                503, error.message, headers={"Retry-After": str(error.retry_after)}
            )
        except ServiceError as error:
            getattr(signup, error.field or "email").errors.append(error.message)
            if isinstance(error, Conflict):
                signup.email.errors.append(_("Sign in first, then open the link again."))
                workspace_id, invitation_id = invitation.workspace_id, str(invitation.id)
                session.rollback()  # hold no write lock: the audit row is written on its own
                audit.record_now(
                    "invitation.signup_existing_email",
                    workspace_id=workspace_id,
                    invitation=invitation_id,
                )
            else:
                attempt.not_a_failure()
        else:
            attempt.not_a_failure()
            service.accept_invitation(session, token, user)
            device_token = auth_service.start_device_session(
                session, user, request.headers.get("User-Agent", ""), client_address()
            )
            session.commit()
            sign_in(user, device_token)
            set_current(invitation.workspace_id)
            flash(_("Welcome! You joined “%(name)s”.", name=invitation.workspace.name), "success")
            return redirect(url_for("pages.app_shell"))
    return render_template(
        "workspaces/accept.html", invitation=invitation, form=EmptyForm(), signup=signup
    )
