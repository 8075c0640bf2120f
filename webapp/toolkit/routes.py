"""Creating a workspace on the web: with its country's emergency numbers and the playbooks."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from webapp.db import get_session
from webapp.errors import ServiceError
from webapp.i18n import browser_locales
from webapp.toolkit import seed
from webapp.workspaces import service as workspaces
from webapp.workspaces.access import set_current
from webapp.workspaces.forms import WorkspaceForm, country_choices

bp = Blueprint("toolkit", __name__)


@bp.route("/workspaces/new", methods=["GET", "POST"])
@login_required
def create_workspace() -> Response | str:
    """Create a workspace with its defaults; its creator becomes its owner."""
    form = WorkspaceForm()
    form.country.choices = country_choices()
    if request.method == "GET":
        # es-MX: México and Español chosen already; the user may change either.
        country, language = workspaces.suggested_place(browser_locales())
        form.country.data = country or ""
        form.language.data = language or ""
    if form.validate_on_submit():
        session = get_session()
        try:
            workspace = seed.create_workspace(
                session,
                form.name.data,
                current_user._get_current_object(),
                form.country.data,
                form.city.data,
                form.timezone.data,
                form.language.data,
            )
        except ServiceError as error:
            session.rollback()
            getattr(form, error.field or "name").errors.append(error.message)
        else:
            session.commit()
            set_current(workspace.id)
            flash(_("Workspace “%(name)s” created.", name=workspace.name), "success")
            return redirect(url_for("pages.app_shell"))
    return render_template("workspaces/new.html", form=form)
