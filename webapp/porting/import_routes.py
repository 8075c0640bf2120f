"""The import API under /api/v1/workspaces/<id>/imports (docs/ARCHITECTURE.md, 4.13): parse,
check the membership, call `imports`, answer."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, Response, jsonify, make_response, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required
from pydantic import ValidationError
from sqlalchemy.orm import Session

from webapp.auth.session import unlock_required
from webapp.db import MAX_INT4, begin_read, end_read, get_session
from webapp.directory.schemas import error_map
from webapp.directory.service import iso
from webapp.errors import ServiceError, TooLarge, error_response
from webapp.i18n import in_requested_language
from webapp.jsonprovider import request_json
from webapp.porting import imports
from webapp.porting.columns import template_csv
from webapp.porting.files import MAX_FILE_BYTES
from webapp.porting.import_schemas import ApplyRequest, RowFix
from webapp.porting.models import ImportPreview
from webapp.porting.preview import Row, counts
from webapp.security import body_limit
from webapp.workspaces.access import member_of
from webapp.workspaces.models import Membership, Role

bp = Blueprint("porting_import", __name__, url_prefix="/api/v1/workspaces/<uuid:workspace_id>")
# The multipart envelope around the file: boundaries, headers, the form's other fields.
MULTIPART_SLACK = 64 * 1024


def _too_large() -> str:
    return _("The file is over 5 MiB: split it into smaller files and import each.")


def _answer(
    preview: ImportPreview, rows: list[Row], country: str | None, status: int = 200
) -> Response:
    body: dict[str, Any] = {
        "id": str(preview.id),
        "format": preview.format,
        "expires_at": iso(preview.expires_at),
        "applied": preview.result,
        "rows": [row.answer(country) for row in rows],
        "counts": counts(rows),
    }
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def _current(session: Session, membership: Membership, preview: ImportPreview) -> Response:
    """Answer the preview as it stands now, read after the change was committed."""
    begin_read(session)
    rows = imports.rows_of(session, membership, preview)
    country = membership.workspace.country
    end_read(session)
    return _answer(preview, rows, country)


@bp.post("/imports")
@body_limit(MAX_FILE_BYTES + MULTIPART_SLACK, _too_large)
@login_required
@unlock_required  # the preview shows the file's contacts and which ones the directory has
@in_requested_language
def upload(workspace_id: uuid.UUID) -> Response:
    """Read an uploaded vCard or CSV file into a preview; write no contact (editors, owners)."""
    session = get_session()
    membership = member_of(workspace_id, Role.EDITOR)
    upload = request.files.get("file")
    if upload is None:
        raise ServiceError(
            _("Send the file as multipart/form-data, in the field “file”."), field="file"
        )
    data = upload.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise TooLarge(_too_large(), field="file")
    visibility, kind = imports.check_choices(
        request.form.get("visibility"), request.form.get("kind")
    )
    # No lock while the file is read: on SQLite this POST's transactions take the write lock.
    session.commit()
    fmt, records = imports.read_file(data)
    preview, rows = imports.create(session, membership, fmt, records, visibility, kind)
    session.commit()
    return _answer(preview, rows, membership.workspace.country, status=201)


@bp.get("/imports/<uuid:import_id>")
@login_required
@unlock_required
@in_requested_language
def show(workspace_id: uuid.UUID, import_id: uuid.UUID) -> Response:
    """Return a preview again (a reload of the Import screen)."""
    session = get_session()
    membership = member_of(workspace_id, Role.EDITOR)
    preview = imports.find(session, membership, import_id)
    rows = imports.rows_of(session, membership, preview)
    return _answer(preview, rows, membership.workspace.country)


def _row_number(row: str) -> int:
    if not row.isdigit() or not 1 <= int(row) <= MAX_INT4:
        raise ServiceError(_("A row is a whole number from 1."), field="row")
    return int(row)


# One rule for both methods (a rule per method answers 405 for a malformed id).
@bp.route("/imports/<uuid:import_id>/rows/<row>", methods=["PATCH", "DELETE"])
@login_required
@unlock_required
@in_requested_language
def row(workspace_id: uuid.UUID, import_id: uuid.UUID, row: str) -> Response:
    """Fix a row (PATCH `{"fields"}`) or leave it out (DELETE); answer the whole preview."""
    session = get_session()
    membership = member_of(workspace_id, Role.EDITOR)
    number = _row_number(row)
    if request.method == "DELETE":
        preview = imports.remove_row(session, membership, import_id, number)
    else:
        try:
            body = RowFix.model_validate(request_json())
        except ValidationError as error:
            shape = '{"fields": {...}}'
            message = _("Send a JSON object: %(shape)s.", shape=shape)
            return error_response(400, message, errors=error_map(error))
        preview = imports.fix_row(session, membership, import_id, number, body.fields)
    session.commit()
    return _current(session, membership, preview)


@bp.post("/imports/<uuid:import_id>/apply")
@login_required
@unlock_required
@in_requested_language
def apply(workspace_id: uuid.UUID, import_id: uuid.UUID) -> Response:
    """Write the preview's rows through sync in one transaction; a second apply writes nothing."""
    session = get_session()
    membership = member_of(workspace_id, Role.EDITOR)
    payload = request_json()
    try:
        body = ApplyRequest.model_validate({} if payload is None and not request.data else payload)
    except ValidationError as error:
        shape = '{"skip_errors": false, "duplicates": "skip"}'
        message = _("Send a JSON object: %(shape)s.", shape=shape)
        return error_response(400, message, errors=error_map(error))
    result = imports.apply(session, membership, import_id, body.skip_errors, body.duplicates)
    response = jsonify(result)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/imports/template.csv")
@login_required
@in_requested_language
def template(workspace_id: uuid.UUID) -> Response:
    """Download the CSV template: a header row in the user's language and an example row."""
    member_of(workspace_id, Role.EDITOR)
    lang = str(get_locale() or "es")
    response = make_response(template_csv("es" if lang.startswith("es") else "en"))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    name = "plantilla-enlace.csv" if lang.startswith("es") else "enlace-template.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response
