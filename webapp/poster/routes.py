"""The office poster: one A4 sheet to print, and the owner's choice of what it shows — a form
on the print view's page and, for the app, JSON at /api/v1/workspaces/<id>/poster/choice.

A feature package rather than a route in `pages/`: the poster reads the directory, checks the
membership, audits each view and has a form, which is the shape of a feature (service, routes);
`pages/` serves the shell and the worker and reads no data.
"""

from __future__ import annotations

import uuid
from contextlib import nullcontext
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import segno
from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import force_locale, format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from pydantic import ValidationError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from webapp.audit import service as audit
from webapp.auth.session import fresh_login_required, unlock_required
from webapp.db import get_session
from webapp.directory.models import Visibility
from webapp.directory.schemas import error_map
from webapp.errors import ServiceError, error_response
from webapp.i18n import requested_language
from webapp.jsonprovider import request_json
from webapp.poster import service
from webapp.poster.schemas import PosterChoice, PosterChoiceRequest
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
    chosen = [c for c, confirmed in state if confirmed and c.visibility != Visibility.PUBLIC]
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
            size=service.sheet_size(len(shown), len(chosen)),
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
    lang = str(get_locale() or "es")
    page = render_template(
        "poster/poster.html",
        workspace=workspace,
        sheet=sheet,
        left_out=left_out,
        unconfirmed=unconfirmed,
        owner=owner,
        form=EmptyForm(),
        choices=[(c, service.place(c.area, c.kind, lang)) for c in choices],
        restricted=Visibility.RESTRICTED,
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
    # What the owner's form showed of each contact: one that changed since is not confirmed
    # unseen.
    entries = [
        service.Chosen(value, fingerprint=request.form.get(f"seen-{value}"))
        for value in request.form.getlist("contact_ids")
    ]
    try:
        service.choose(session, membership, entries, current_user.id)
    except ServiceError as error:
        session.rollback()
        return _page(session, membership, error.message, error.status)
    session.commit()
    flash(_("The poster's contacts were saved."), "success")
    return redirect(url_for("poster.poster", workspace_id=workspace_id), 303)


def _everyone() -> bool:
    """Read `?all=` of the chooser's JSON: true for every contact the poster may show.

    :raises ServiceError: (400) for a value that is not true or false.
    """
    value = request.args.get("all", "false")
    if value not in ("true", "false", "1", "0"):
        raise ServiceError(_("“all” must be true or false."), field="all")
    return value in ("true", "1")


def _choice_answer(session: Session, membership: Membership, everyone: bool) -> Response:
    rows = service.candidates(session, membership.workspace, everyone)
    print_url = url_for("poster.poster", workspace_id=membership.workspace_id)
    response = jsonify(PosterChoice.of(rows, everyone, print_url).model_dump(mode="json"))
    response.headers["Cache-Control"] = "no-store"
    return response


# One rule for both methods: with a rule per method, Werkzeug answers a malformed workspace id
# with 405 (the other method's rule matched the path) instead of 404.
@bp.route("/api/v1/workspaces/<uuid:workspace_id>/poster/choice", methods=["GET", "PUT"])
@login_required
@unlock_required  # it names contacts, restricted ones included
def choice(workspace_id: uuid.UUID) -> Response:
    """Return the contacts an owner may print on the poster and which it prints (owners only);
    PUT saves the choice."""
    membership = member_of(workspace_id, Role.OWNER)
    if request.method == "PUT":
        return _set_choice(membership)
    return _choice_answer(get_session(), membership, _everyone())


@fresh_login_required  # it may publish restricted numbers on the office wall
def _set_choice(membership: Membership) -> Response:
    """Save which contacts the poster prints, audited like the page's form."""
    lang, everyone = requested_language(), _everyone()
    session = get_session()
    with force_locale(lang) if lang else nullcontext():
        try:
            body = PosterChoiceRequest.model_validate(request_json())
        except ValidationError as error:
            errors = error_map(error)
            message = (
                service.too_many()
                if any(
                    e["type"] == "too_long" and e["loc"] == ("contacts",) for e in error.errors()
                )
                else _(
                    "Send a JSON object: %(shape)s.",
                    shape="{contacts: [{id, version, fingerprint}]}",
                )
            )
            return error_response(400, message, errors=errors)
        entries = [
            service.Chosen(str(c.id), version=c.version, fingerprint=c.fingerprint)
            for c in body.contacts
        ]
        service.choose(session, membership, entries, current_user.id)
    session.commit()
    return _choice_answer(session, membership, everyone)


def panel(_session: Session, membership: Membership) -> Markup:
    """Render the poster's section of the workspace page."""
    html = render_template("poster/_panel.html", workspace=membership.workspace)
    return Markup(html)  # noqa: S704 - a Jinja template, autoescaped


@bp.record_once
def _register_panel(state: BlueprintSetupState) -> None:
    add_panel(state.app, panel)
