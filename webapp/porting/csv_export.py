"""The CSV export: one contact a row, in the import template's columns (`columns.py`), with
every cell a spreadsheet would run as a formula neutralised.

UTF-8 with a byte order mark (Excel reads UTF-8 only with one), comma separated, CRLF line
ends (RFC 4180). Numbers are written in international form ("+34 600 12 34 56"), which any
workspace reads back as the same number whatever its country.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from webapp.directory.service import display_number
from webapp.porting.columns import columns, join_tags, neutralise


def row_of(contact: dict[str, Any]) -> dict[str, str]:
    """Return a contact's cells by column key (before neutralising)."""
    row = {
        key: str(contact.get(key) or "")
        for key in (
            "name",
            "organization",
            "role_title",
            "kind",
            "area",
            "address",
            "city",
            "country",
            "when_to_contact",
            "notes",
            "visibility",
        )
    }
    for n, phone in enumerate(contact.get("phones") or [], start=1):
        # No country: every number in its international form, as any workspace reads it back.
        row[f"phone_{n}"] = display_number(phone["number"], None)
        row[f"phone_{n}_label"] = phone.get("label") or ""
    for n, email in enumerate(contact.get("emails") or [], start=1):
        row[f"email_{n}"] = email["address"]
        row[f"email_{n}_label"] = email.get("label") or ""
    row["tags"] = join_tags(contact.get("tags") or [])
    return row


def write(contacts: list[dict[str, Any]], lang: str) -> bytes:
    """Return the CSV of the contacts, its header row in the language."""
    phones = max((len(c.get("phones") or []) for c in contacts), default=0)
    emails = max((len(c.get("emails") or []) for c in contacts), default=0)
    layout = columns(phones, emails)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.header(lang) for column in layout])
    for contact in contacts:
        cells = row_of(contact)
        writer.writerow([neutralise(cells.get(column.key, "")) for column in layout])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
