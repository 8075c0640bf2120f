"""Exports of a workspace (`GET /api/v1/workspaces/<id>/export`): what a member may see, as
vCard, CSV (the import template's columns) or JSON (the whole workspace).

Every format reads one document: the snapshot's plaintext for the member's visibility class
(`snapshot.service.document_of`: the plaintext cached per revision, read back as records; scoped by `directory.service.only_visible`),
so an export never holds a record the member's own offline copy would not.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import orjson
from sqlalchemy.orm import Session

from webapp.db import utcnow
from webapp.directory.service import iso
from webapp.porting import csv_export, vcard_export
from webapp.snapshot.service import COLLECTIONS, document_of
from webapp.workspaces.models import Workspace

Format = Literal["vcard", "csv", "json"]
FORMATS: tuple[Format, ...] = ("vcard", "csv", "json")
VCARD_VERSIONS = ("4.0", "3.0")
# What a JSON export says it is, so that a reader (the import) knows it at once.
JSON_FORMAT = "enlace-workspace-export"
JSON_VERSION = 1

_MEDIA = {
    "vcard": ("text/vcard; charset=utf-8", "vcf"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "json": ("application/json", "json"),
}


@dataclass(frozen=True)
class Export:
    """A file ready to send, and what the audit log says of it (counts, never contents)."""

    body: bytes
    media_type: str
    filename: str
    counts: dict[str, int]


def visible_document(session: Session, workspace: Workspace, full: bool) -> dict[str, Any]:
    """Return every live record the class may see: `{"contacts": [...], "playbooks": [...],
    "incidents": [...], "incident_entries": [...]}` as the API sends them."""
    document = document_of(session, workspace, full)
    return {collection: document[collection] for collection in COLLECTIONS.values()}


def by_name(contacts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the contacts in the order people look for them: by name, accents aside."""
    return sorted(contacts, key=lambda c: (_fold(c.get("name") or ""), c.get("id") or ""))


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def filename(workspace: Workspace, extension: str, now: datetime) -> str:
    """Return a file name that says what it holds: `enlace-<workspace>-<date>.<ext>` (ASCII)."""
    slug = re.sub(r"[^a-z0-9]+", "-", _fold(workspace.name).encode("ascii", "ignore").decode())
    slug = slug.strip("-")[:40].strip("-") or "workspace"
    return f"enlace-{slug}-{now.date().isoformat()}.{extension}"


def json_document(workspace: Workspace, records: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Return the JSON export: the workspace's details and every record the member may see."""
    return {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "exported_at": iso(now),
        "workspace": {
            "name": workspace.name,
            "country": workspace.country,
            "city": workspace.city,
            "timezone": workspace.timezone,
            "language": workspace.language,
        },
        "revision": workspace.revision,
        **records,
    }


def export(
    session: Session,
    workspace: Workspace,
    full: bool,
    fmt: Format,
    lang: str,
    vcard_version: str = "4.0",
) -> Export:
    """Build the export of what the class may see, in the format (`lang`: the CSV's headers)."""
    now = utcnow()
    records = visible_document(session, workspace, full)
    contacts = by_name(records["contacts"])
    if fmt == "json":
        body = orjson.dumps(json_document(workspace, records, now), option=orjson.OPT_INDENT_2)
        counts = {collection: len(items) for collection, items in records.items()}
    elif fmt == "csv":
        body = csv_export.write(contacts, lang)
        counts = {"contacts": len(contacts)}
    else:
        body = vcard_export.write(contacts, vcard_version)
        counts = {"contacts": len(contacts)}
    media_type, extension = _MEDIA[fmt]
    return Export(body, media_type, filename(workspace, extension, now), counts)
