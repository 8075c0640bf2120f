"""`GET /api/v1/workspaces/<id>/export`: a file of what the member may see (owners and editors),
after a password entered within the last minutes (a file leaves Enlace's protection for good,
so the unlock token alone is not enough: a guessed PIN must not take the directory away)."""

from __future__ import annotations

import uuid

from flask import Blueprint, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from webapp.audit import service as audit
from webapp.auth.session import fresh_login_required
from webapp.db import begin_snapshot_read, get_session
from webapp.errors import ServiceError
from webapp.i18n import in_requested_language
from webapp.porting import export as service
from webapp.workspaces import service as workspaces
from webapp.workspaces.access import member_of
from webapp.workspaces.models import Role

bp = Blueprint("porting_export", __name__, url_prefix="/api/v1/workspaces/<uuid:workspace_id>")


def _choice() -> tuple[service.Format, str]:
    fmt = request.args.get("format", "")
    if fmt not in service.FORMATS:
        raise ServiceError(_("Choose a format: vcard, csv or json."), field="format")
    version = request.args.get("version", "4.0")
    if version not in service.VCARD_VERSIONS or (fmt != "vcard" and "version" in request.args):
        raise ServiceError(_("The version is for vCard only: 4.0 or 3.0."), field="version")
    return fmt, version  # type: ignore[return-value]


@bp.get("/export")
@login_required
@in_requested_language
@fresh_login_required
def export(workspace_id: uuid.UUID) -> Response:
    """Send what the member may see as a vCard, CSV or JSON file (owners, editors); audited
    with the format and the counts, never the contents."""
    fmt, version = _choice()
    membership = member_of(workspace_id, Role.EDITOR)
    full = workspaces.sees_restricted(membership.role)
    session = get_session()
    begin_snapshot_read(session)  # one revision across the four tables
    workspace = workspaces.current_workspace(session, workspace_id)
    made = service.export(session, workspace, full, fmt, str(get_locale()), version)
    revision, user_id = workspace.revision, current_user.id
    session.commit()  # the read ends before the audit row is written in its own transaction
    details = {"format": fmt, "revision": revision, **made.counts}
    if fmt == "vcard":
        details["version"] = version
    audit.record_now("porting.exported", actor_id=user_id, workspace_id=workspace_id, **details)
    response = Response(made.body, mimetype=made.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
