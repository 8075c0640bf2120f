"""The contacts of Enlace's own JSON export (`export.json_document`), read for an import into
any workspace: each contact's fields as the export wrote them, without what belongs to its
old workspace (id, version, revision, the backup's id, each phone's `display`).

Playbooks, incidents and their entries are not imported: a playbook's steps name contacts by
id, and the import previews contacts only (docs/ARCHITECTURE.md, 4.13).
"""

from __future__ import annotations

from typing import Any

import orjson
from flask_babel import gettext as _

from webapp.directory.models import Contact
from webapp.errors import ServiceError
from webapp.porting.export import JSON_FORMAT
from webapp.porting.files import MAX_RECORDS, Record, no_records, too_many_records

# Fields that name records of the old workspace: they mean nothing in another.
LEFT_OUT = frozenset({"backup_contact_id"})


def is_export(text: str) -> bool:
    """Tell whether the text looks like Enlace's JSON export (a JSON object)."""
    return text.lstrip()[:1] == "{"


def read(text: str) -> list[Record]:
    """Return the contacts of a JSON export, one record each, in the file's order.

    :raises ServiceError: for JSON that is not Enlace's export, or that holds no contact.
    """
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError:
        document = None
    if not isinstance(document, dict) or document.get("format") != JSON_FORMAT:
        raise ServiceError(
            _("This JSON file is not an export of Enlace: choose a vCard or CSV file."),
            field="file",
        )
    contacts = document.get("contacts")
    if not isinstance(contacts, list) or not contacts:
        raise no_records()
    if len(contacts) > MAX_RECORDS:
        raise too_many_records()
    return [Record(row, _fields(item)) for row, item in enumerate(contacts, start=1)]


def _fields(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        return {}
    fields = {
        name: item[name]
        for name in Contact.FIELDS
        if name in item and name not in LEFT_OUT and item[name] is not None
    }
    phones = fields.get("phones")
    if isinstance(phones, list):
        fields["phones"] = [
            {k: v for k, v in phone.items() if k != "display"} if isinstance(phone, dict) else phone
            for phone in phones
        ]
    return fields
