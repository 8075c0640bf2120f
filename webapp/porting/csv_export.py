"""The CSV export: one contact a row, in the import template's columns (`columns.TEMPLATE`),
every cell a spreadsheet would run as a formula neutralised (`columns.neutralise`).

UTF-8 with a byte order mark (Excel reads UTF-8 only with one), comma separated, CRLF line
ends (RFC 4180). Numbers are written as stored, in E.164 ("+34600123456"), which any workspace
reads back as the same number whatever its country (formatting 10,000 numbers for people took
most of a 5,000-contact export: docs/PERFORMANCE.md). The template has three phones
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

from webapp.porting.columns import TEMPLATE, neutralise, template_headers
from webapp.porting.csv_import import MULTI

_PHONE = re.compile(r"^phone(\d)(_label)?$")
_EMAIL = re.compile(r"^email(\d)$")


def _layout() -> tuple[tuple[str, Any], ...]:
    """Where each of the template's cells comes from: (what, which), read once."""
    layout: list[tuple[str, Any]] = []
    for column in TEMPLATE:
        phone, email = _PHONE.match(column.key), _EMAIL.match(column.key)
        if phone:
            layout.append(("label" if phone.group(2) else "number", int(phone.group(1)) - 1))
        elif email:
            layout.append(("email", int(email.group(1)) - 1))
        elif column.key == "tags":
            layout.append(("tags", None))
        else:
            layout.append(("field", column.key))
    return tuple(layout)


LAYOUT = _layout()
PHONES = sum(1 for what, _ in LAYOUT if what == "number")
EMAILS = sum(1 for what, _ in LAYOUT if what == "email")


def _slots(items: list[str], count: int) -> list[str]:
    """Spread values over `count` columns, the last one holding the rest."""
    if len(items) <= count:
        return items + [""] * (count - len(items))
    return items[: count - 1] + [MULTI.join(items[count - 1 :])]


def row_of(contact: dict[str, Any]) -> list[str]:
    """Return a contact's cells in the template's order (before neutralising)."""
    phones = contact.get("phones") or []
    numbers = _slots([p["number"] for p in phones], PHONES)
    labels = _slots([p.get("label") or "" for p in phones], PHONES)
    emails = _slots([e["address"] for e in contact.get("emails") or []], EMAILS)
    sources = {"number": numbers, "label": labels, "email": emails}
    cells = []
    for what, which in LAYOUT:
        if what == "field":
            cells.append(str(contact.get(which) or ""))
        elif what == "tags":
            cells.append(", ".join(contact.get("tags") or []))
        else:
            cells.append(sources[what][which])
    return cells


def write(contacts: list[dict[str, Any]], lang: str) -> bytes:
    """Return the CSV of the contacts, its header row in the language."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(template_headers(lang))
    for contact in contacts:
        writer.writerow([neutralise(cell) for cell in row_of(contact)])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")
