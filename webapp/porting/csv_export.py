"""The CSV export: one contact a row, in the import template's columns (`columns.TEMPLATE`),
every cell a spreadsheet would run as a formula neutralised (`columns.neutralise`).

UTF-8 with a byte order mark (Excel reads UTF-8 only with one), comma separated, CRLF line
ends (RFC 4180). Numbers are written in international form ("+34 600 12 34 56"), which any
workspace reads back as the same number whatever its country. The template has three phones
and two emails: a contact's further ones share the last column, ` ::: ` between them, as
Google Contacts writes several values (the import reads them so). What the template has no
column for (kind, area, visibility, hours, backup, partner details, email labels) travels only
in the JSON export.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from typing import Any

from webapp.directory.service import display_number
from webapp.porting.columns import TEMPLATE, neutralise, template_headers
from webapp.porting.csv_import import MULTI

_PHONE = re.compile(r"^phone(\d)(_label)?$")
_EMAIL = re.compile(r"^email(\d)$")
PHONES = sum(1 for column in TEMPLATE if re.match(r"^phone\d$", column.key))
EMAILS = sum(1 for column in TEMPLATE if _EMAIL.match(column.key))


def _slots(items: list[str], count: int) -> list[str]:
    """Spread values over `count` columns, the last one holding the rest."""
    if len(items) <= count:
        return items + [""] * (count - len(items))
    return items[: count - 1] + [MULTI.join(items[count - 1 :])]


def row_of(contact: dict[str, Any]) -> list[str]:
    """Return a contact's cells in the template's order (before neutralising)."""
    phones = contact.get("phones") or []
    # No country: every number in its international form, as any workspace reads it back.
    numbers = _slots([display_number(p["number"], None) for p in phones], PHONES)
    labels = _slots([p.get("label") or "" for p in phones], PHONES)
    emails = _slots([e["address"] for e in contact.get("emails") or []], EMAILS)
    cells = []
    for column in TEMPLATE:
        phone, email = _PHONE.match(column.key), _EMAIL.match(column.key)
        if phone:
            cells.append((labels if phone.group(2) else numbers)[int(phone.group(1)) - 1])
        elif email:
            cells.append(emails[int(email.group(1)) - 1])
        elif column.key == "tags":
            cells.append(", ".join(contact.get("tags") or []))
        else:
            cells.append(str(contact.get(column.key) or ""))
    return cells


def write(contacts: list[dict[str, Any]], lang: str) -> bytes:
    """Return the CSV of the contacts, its header row in the language."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(template_headers(lang))
    for contact in contacts:
        writer.writerow([neutralise(cell) for cell in row_of(contact)])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")
