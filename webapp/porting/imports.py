"""Import previews: read an uploaded file, keep its rows an hour, let the user fix or leave out
rows, and apply it through sync in one transaction (docs/ARCHITECTURE.md, 4.13).

Plain functions over a session; the routes parse the request and check the membership.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from webapp.audit import service as audit
from webapp.db import begin_read, end_read, utcnow
from webapp.directory.models import Contact, Visibility
from webapp.directory.service import only_visible
from webapp.directory.vocabulary import KINDS
from webapp.errors import Conflict, Gone, NotFound, ServiceError
from webapp.porting import csv_import, json_import, vcard_import
from webapp.porting.files import Record, decode, is_vcard
from webapp.porting.models import ImportPreview
from webapp.porting.preview import DUPLICATE, ERROR, NEW, Known, Row, counts, evaluate
from webapp.sync import service as sync
from webapp.sync.schemas import Mutation
from webapp.workspaces.models import Membership
from webapp.workspaces.service import sees_restricted

LIFETIME = timedelta(hours=1)
# Expired previews are kept a day (answering "expired", not "unknown"), then deleted.
KEEP_EXPIRED = timedelta(days=1)
DUPLICATE_CHOICES = ("skip", "create")


def _now() -> datetime:
    return utcnow()


def check_choices(visibility: str | None, kind: str | None) -> tuple[str, str]:
    """Return the visibility and kind every row gets (defaults: team, internal).

    :raises ServiceError: naming the field of a value that is not a level or a kind.
    """
    levels = [level.value for level in Visibility]
    visibility = visibility or Visibility.TEAM.value
    kind = kind or "internal"
    if visibility not in levels:
        raise ServiceError(
            _("Choose one of: %(choices)s.", choices=", ".join(levels)), field="visibility"
        )
    if kind not in KINDS:
        raise ServiceError(_("Choose one of: %(choices)s.", choices=", ".join(KINDS)), field="kind")
    return visibility, kind


def read_file(data: bytes) -> tuple[str, list[Record]]:
    """Return an uploaded file's format (`vcard`, `csv`, or `json`: Enlace's own export) and
    its records.

    :raises ServiceError: for a file that is empty, binary, neither vCard nor CSV, or too long.
    """
    text = decode(data)
    if is_vcard(text):
        return "vcard", vcard_import.read(text)
    if json_import.is_export(text):
        return "json", json_import.read(text)
    return "csv", csv_import.read(text)


def create(
    session: Session,
    membership: Membership,
    fmt: str,
    records: list[Record],
    visibility: str,
    kind: str,
) -> tuple[ImportPreview, list[Row]]:
    """Keep a file's records as a preview for an hour; write no contact; audit the counts.

    The rows are checked against the directory in a read, before the short write.
    """
    for record in records:
        # An Enlace JSON export's contacts keep their own kind and visibility; other files'
        # rows take the upload's.
        own = record.fields if fmt == "json" else {}
        record.fields["visibility"] = own.get("visibility") or visibility
        record.fields["kind"] = own.get("kind") or kind
    stored = [record.stored() for record in records]
    begin_read(session)
    rows = evaluate(stored, known(session, membership), membership.workspace.country)
    end_read(session)
    now = _now()
    session.execute(delete(ImportPreview).where(ImportPreview.expires_at < now - KEEP_EXPIRED))
    preview = ImportPreview(
        id=uuid.uuid4(),
        workspace_id=membership.workspace_id,
        user_id=membership.user_id,
        format=fmt,
        rows=stored,
        created_at=now,
        expires_at=now + LIFETIME,
    )
    session.add(preview)
    audit.record(
        session,
        "import.previewed",
        actor_id=membership.user_id,
        workspace_id=membership.workspace_id,
        format=fmt,
        rows=len(rows),
        **counts(rows),
    )
    session.flush()
    return preview, rows


def known(session: Session, membership: Membership) -> Known:
    """Return the numbers and emails of the live contacts this member can see."""
    query = only_visible(
        select(Contact.id, Contact.phones, Contact.emails).where(
            Contact.workspace_id == membership.workspace_id, Contact.deleted.is_(False)
        ),
        Contact,
        sees_restricted(membership.role),
    )
    found = Known()
    for contact_id, phones, emails in session.execute(query.order_by(Contact.created_at)):
        found.add(contact_id, phones, emails)
    return found


def find(session: Session, membership: Membership, import_id: uuid.UUID) -> ImportPreview:
    """Return this member's own preview in this workspace.

    :raises NotFound: for an id of no preview, of another member or workspace;
    :raises Gone: for a preview older than an hour.
    """
    preview = session.scalars(
        select(ImportPreview)
        .where(
            ImportPreview.id == import_id,
            ImportPreview.workspace_id == membership.workspace_id,
            ImportPreview.user_id == membership.user_id,
        )
        .execution_options(populate_existing=True)
    ).first()
    if preview is None:
        raise NotFound(_("No such import: upload the file again."))
    if preview.expires_at <= _now():
        raise Gone(
            _("This preview expired after an hour: upload the file again."), code="import_expired"
        )
    return preview


def rows_of(session: Session, membership: Membership, preview: ImportPreview) -> list[Row]:
    """Return the preview's rows as they stand against the directory now."""
    return evaluate(preview.rows, known(session, membership), membership.workspace.country)


def _editable(session: Session, membership: Membership, import_id: uuid.UUID) -> ImportPreview:
    preview = find(session, membership, import_id)
    if preview.result is not None:
        raise Conflict(
            _("This import was applied already: upload the file again to import more."),
            code="import_applied",
        )
    return preview


def _row_index(preview: ImportPreview, row: int) -> int:
    for index, item in enumerate(preview.rows):
        if item["row"] == row:
            return index
    raise NotFound(_("This import has no row %(row)d.", row=row))


def fix_row(
    session: Session,
    membership: Membership,
    import_id: uuid.UUID,
    row: int,
    fields: dict[str, Any],
) -> ImportPreview:
    """Replace a row's fields with the user's correction (checked again at every answer).

    The row keeps its visibility and kind unless the correction names them.
    """
    preview = _editable(session, membership, import_id)
    index = _row_index(preview, row)
    old = preview.rows[index]["fields"]
    fixed = {
        **{name: old[name] for name in ("visibility", "kind") if name in old},
        **fields,
    }
    rows = list(preview.rows)
    rows[index] = {"row": row, "fields": fixed, "errors": {}}
    preview.rows = rows
    session.flush()
    return preview


def remove_row(
    session: Session, membership: Membership, import_id: uuid.UUID, row: int
) -> ImportPreview:
    """Leave a row out of the import."""
    preview = _editable(session, membership, import_id)
    index = _row_index(preview, row)
    preview.rows = preview.rows[:index] + preview.rows[index + 1 :]
    session.flush()
    return preview


def apply(
    session: Session,
    membership: Membership,
    import_id: uuid.UUID,
    skip_errors: bool,
    duplicates: str,
) -> dict[str, Any]:
    """Write the preview's rows through sync in one transaction and commit; return
    `{"applied", "skipped", "revision"}`. A second apply writes nothing and returns the first
    answer.

    Under the workspace's writer lock the rows are checked again against the directory as it
    is then: what the preview showed may have changed meanwhile.

    :raises Conflict: (`import_has_errors`) when error rows remain and `skip_errors` is false;
        nothing is written.
    """
    workspace = sync.begin_write(session, membership.workspace_id)
    try:
        preview = find(session, membership, import_id)
        if preview.result is not None:
            result = dict(preview.result)
            session.rollback()
            return result
        rows = evaluate(preview.rows, known(session, membership), workspace.country)
        errors = [row for row in rows if row.status == ERROR]
        if errors and not skip_errors:
            raise Conflict(
                ngettext(
                    "%(num)d row needs fixing: fix it, leave it out, or skip the rows with errors.",
                    "%(num)d rows need fixing: fix them, leave them out, or skip the rows with "
                    "errors.",
                    len(errors),
                ),
                code="import_has_errors",
            )
        chosen = [
            row
            for row in rows
            if row.status == NEW or (row.status == DUPLICATE and duplicates == "create")
        ]
        mutations = [
            Mutation.model_construct(
                id=uuid.uuid5(preview.id, f"mutation:{row.row}"),
                type="contact",
                entity_id=uuid.uuid5(preview.id, f"contact:{row.row}"),
                op="put",
                base_version=None,
                fields=row.fields,
                base={},
            )
            for row in chosen
        ]
        results = sync.apply_locked(session, membership, workspace, mutations, atomic=True)
        refused = [result for result in results if result["status"] != "applied"]
        if refused:
            raise Conflict(_("The directory changed meanwhile: upload the file again."))
        result = {
            "applied": len(chosen),
            "skipped": len(rows) - len(chosen),
            "revision": workspace.revision,
        }
        preview.result = result
        preview.applied_at = _now()
        # Applied, the rows are in the directory: the preview need not keep their contents.
        preview.rows = []
        audit.record(
            session,
            "import.applied",
            actor_id=membership.user_id,
            workspace_id=membership.workspace_id,
            **result,
        )
        session.commit()
        return result
    except BaseException:
        session.rollback()
        raise
