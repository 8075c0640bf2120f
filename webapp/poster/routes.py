"""The office poster: one A4 sheet to print, and the owner's form that chooses what it shows.

A feature package rather than a route in `pages/`: the poster reads the directory, checks the
membership, audits each view and has a form, which is the shape of a feature (service, routes);
`pages/` serves the shell and the worker and reads no data.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import segno
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy.orm import Session

from webapp.audit import service as audit
from webapp.auth.session import fresh_login_required
from webapp.db import get_session
from webapp.errors import ServiceError
from webapp.poster import service
from webapp.urls import external_url
from webapp.workspaces.access import member_of
from webapp.workspaces.forms import EmptyForm
from webapp.workspaces.models import Membership, Role
from webapp.workspaces.panels import add_panel

bp = Blueprint("poster", __name__)


def _sheet(session: Session, membership: Membership) -> tuple[Markup, int, int]:
    """Render the printed sheet in the workspace's language; return it, how many public
    numbers did not fit and how many chosen contacts wait for an owner's confirmation."""
    workspace = membership.workspace
    public = service.public_numbers(session, workspace.id)
    state = service.chosen_state(session, workspace)
    chosen = [c for c, confirmed in state if confirmed and c.visibility != "public"]
    unconfirmed = service.waiting(state)
    shown = public[: service.MAX_PUBLIC]
    app_url = external_url("pages.app_shell")
    qr = Markup(segno.make(app_url, error="m").svg_inline(scale=3, dark="#000", light="#fff"))  # noqa: S704 - segno's own SVG, the link inside is escaped by segno
    printed_at = datetime.now(UTC).astimezone(ZoneInfo(workspace.timezone))
    with force_locale(workspace.language):
        sheet = render_template(
            "poster/_sheet.html",
            workspace=workspace,
            public=[(c, service.phones(c, workspace.country)) for c in shown],
            chosen=[(c, service.phones(c, workspace.country)) for c in chosen],
            qr=qr,
            app_url=app_url,
            printed_on=format_date(printed_at.date(), "long"),
        )
    return Markup(sheet), len(public) - len(shown), unconfirmed  # noqa: S704 - a Jinja template, autoescaped


def _page(session: Session, membership: Membership, error: str | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    sheet, left_out, unconfirmed = _sheet(session, membership)
    owner = membership.role == Role.OWNER.value
    workspace = membership.workspace
    everyone = request.args.get("all") == "1"
    choices = service.candidates(session, workspace, everyone) if owner else []
    page = render_template(
        "poster/poster.html",
        workspace=workspace,
        sheet=sheet,
        left_out=left_out,
        unconfirmed=unconfirmed,
        owner=owner,
        form=EmptyForm(),
        choices=choices,
        everyone=everyone,
        max_chosen=service.MAX_CHOSEN,
        error=error,
    )
    wid, uid = workspace.id, current_user.id
    session.commit()  # end the read: the audit row is written on its own
    audit.record_now("poster.viewed", actor_id=uid, workspace_id=wid)
    return page, status


@bp.get("/workspaces/<uuid:workspace_id>/poster")
@login_required
@fresh_login_required  # it prints people's numbers in clear, restricted ones included
def poster(workspace_id: uuid.UUID):  # type: ignore[no-untyped-def]
    """Show the office poster to a member, ready to print; each view is audited."""
    return _page(get_session(), member_of(workspace_id, Role.VIEWER))


@bp.post("/workspaces/<uuid:workspace_id>/poster")
@login_required
@fresh_login_required  # it may publish restricted numbers on the office wall
def choose(workspace_id: uuid.UUID):  # type: ignore[no-untyped-def]
    """Save which internal contacts the poster prints (owners only)."""
    session, membership = get_session(), member_of(workspace_id, Role.OWNER)
    form = EmptyForm()
    if not form.validate_on_submit():
        session.rollback()
        return _page(session, membership, _("The form expired. Choose again and save."), 400)
    try:
        # What the owner's form showed of each contact: one that changed since is not
        # confirmed unseen.
        seen = {
            key.removeprefix("seen-"): value
            for key, value in request.form.items()
            if key.startswith("seen-")
        }
        service.choose(
            session, membership, request.form.getlist("contact_ids"), current_user.id, seen
        )
    except ServiceError as error:
        session.rollback()
        return _page(session, membership, error.message, error.status)
    session.commit()
    flash(_("The poster's contacts were saved."), "success")
    return redirect(url_for("poster.poster", workspace_id=workspace_id), 303)


def panel(_session: Session, membership: Membership) -> Markup:
    """Render the poster's section of the workspace page."""
    html = render_template("poster/_panel.html", workspace=membership.workspace)
    return Markup(html)  # noqa: S704 - a Jinja template, autoescaped


@bp.record_once
def _register_panel(state: BlueprintSetupState) -> None:
    add_panel(state.app, panel)
