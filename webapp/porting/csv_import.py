"""CSV files read into contact records: Google Contacts' export (old and new column names),
Outlook's (English and Spanish), and Enlace's own template, in either language.

Each header is recognised by its folded text (`columns.header_key`); columns nobody knows are
left out. Several values in one cell are separated by ` ::: ` (Google's way, read in every
column of phones, emails and tags).
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from webapp.errors import ServiceError
from webapp.porting.columns import TEMPLATE, header_key, label_of, restore
from webapp.porting.files import MAX_RECORDS, Record, no_records, too_many_records

MULTI = " ::: "
_GROUP = re.compile(
    r"^(e mail|phone|address|organization|website|relation|event|custom field|im) (\d+) (.+)$"
)
_TEMPLATE_PHONE = re.compile(r"^phone(\d)(_label)?$")
_TEMPLATE_EMAIL = re.compile(r"^email(\d)$")


@dataclass(frozen=True)
class Slot:
    """Where a column's values go: `kind` (`name`, `given`, `phone`...), a group and a label."""

    kind: str
    group: str = ""
    label: str = ""


def _simple() -> dict[str, Slot]:
    """Return the slots of the headers that need no pattern, by folded header."""
    slots: dict[str, Slot] = {}

    def add(kind: str, *headers: str, group: str = "", label: str = "") -> None:
        for header in headers:
            slots[header_key(header)] = Slot(kind, group, label)

    # Names (Google new and old, Outlook in English and Spanish).
    add("name", "Name", "Full Name", "Display Name", "Nombre completo")
    add("given", "First Name", "Given Name")
    add("middle", "Middle Name", "Additional Name", "Segundo nombre")
    add("family", "Last Name", "Family Name", "Apellidos", "Apellido")
    add("prefix", "Name Prefix", "Tratamiento")
    add("suffix", "Name Suffix", "Suffix", "Sufijo")
    add("nickname", "Nickname", "Sobrenombre")
    add("organization", "Organization Name", "Company", "Compañía", "Organización", "Empresa")
    add("title", "Organization Title", "Job Title", "Puesto", "Cargo")
    add("department", "Organization Department", "Department", "Departamento")
    add("notes", "Notes", "Notas")
    add("tags", "Labels", "Group Membership", "Categories", "Categorías")
    # Outlook's phones: the column is the label.
    for header, label in (
        ("Mobile Phone", "mobile"),
        ("Teléfono móvil", "mobile"),
        ("Business Phone", "work"),
        ("Business Phone 2", "work"),
        ("Teléfono del trabajo", "work"),
        ("Teléfono del trabajo 2", "work"),
        ("Home Phone", "home"),
        ("Home Phone 2", "home"),
        ("Teléfono particular", "home"),
        ("Teléfono particular 2", "home"),
        ("Teléfono de casa", "home"),
        ("Teléfono de casa 2", "home"),
        ("Primary Phone", "main"),
        ("Teléfono principal", "main"),
        ("Company Main Phone", "main"),
        ("Teléfono principal de la compañía", "main"),
        ("Other Phone", "other"),
        ("Otro teléfono", "other"),
        ("Pager", "pager"),
        ("Localizador", "pager"),
        ("Business Fax", "work fax"),
        ("Fax del trabajo", "work fax"),
        ("Home Fax", "home fax"),
        ("Fax particular", "home fax"),
        ("Other Fax", "fax"),
        ("Otro fax", "fax"),
        ("Car Phone", "car"),
        ("Teléfono del automóvil", "car"),
        ("Assistant's Phone", "assistant"),
        ("Teléfono del asistente", "assistant"),
        ("Callback", "other"),
        ("Radio Phone", "other"),
    ):
        add("phone", header, group=header_key(header), label=label)
    for header in (
        "E-mail Address",
        "E-mail 2 Address",
        "E-mail 3 Address",
        "Dirección de correo electrónico",
        "Dirección de correo electrónico 2",
        "Dirección de correo electrónico 3",
    ):
        add("email", header, group=header_key(header))
    # Outlook's addresses: Business, Home, Other (the first one filled is kept).
    for group, english, spanish in (
        ("1", "Business", "del trabajo"),
        ("2", "Home", "particular"),
        ("3", "Other", "otra"),
    ):
        add("street", f"{english} Street", f"Calle {spanish}", group=group)
        add("city", f"{english} City", f"Ciudad {spanish}", group=group)
        add("region", f"{english} State", f"Provincia o estado {spanish}", group=group)
        add("postal", f"{english} Postal Code", f"Código postal {spanish}", group=group)
        add("country_name", f"{english} Country/Region", f"País o región {spanish}", group=group)
    # Enlace's template, in both languages (after the others: its headers win).
    for column in TEMPLATE:
        for header in (column.en, column.es):
            phone, email = _TEMPLATE_PHONE.match(column.key), _TEMPLATE_EMAIL.match(column.key)
            if phone:
                kind = "phone_label" if phone.group(2) else "phone"
                add(kind, header, group=f"g{phone.group(1)}")
            elif email:
                add("email", header, group=f"t{email.group(1)}")
            elif column.key == "role_title":
                add("title", header)
            elif column.key == "tags":
                add("template_tags", header)
            else:
                add(column.key, header)
    return slots


_SLOTS: dict[str, Slot] | None = None
_GOOGLE_PARTS = {
    "label": "label",
    "type": "label",
    "value": "value",
    "formatted": "formatted",
    "street": "street",
    "city": "city",
    "po box": "po_box",
    "region": "region",
    "postal code": "postal",
    "country": "country_name",
    "extended address": "extended",
    "name": "name",
    "title": "title",
    "department": "department",
}


def slot_of(header: str, family_column: bool) -> Slot | None:
    """Return where a column goes, or None for a column Enlace does not keep."""
    global _SLOTS
    if _SLOTS is None:
        _SLOTS = _simple()
    key = header_key(header)
    if key == "nombre" and family_column:
        # Outlook in Spanish: "Nombre" beside "Apellidos" is the first name; in the
        # template it is the whole name.
        return Slot("given")
    found = _SLOTS.get(key)
    if found is not None:
        return found
    match = _GROUP.match(key)
    if match is None:
        return None
    kind, number, part = match.groups()
    part = _GOOGLE_PARTS.get(part)
    if part is None:
        return None
    if kind == "phone" and part in ("label", "value"):
        return Slot("phone" if part == "value" else "phone_label", f"g{number}")
    if kind == "e mail" and part in ("label", "value"):
        return Slot("email" if part == "value" else "email_label", f"g{number}")
    if kind == "address":
        return Slot(part if part != "label" else "address_label", f"g{number}")
    if kind == "organization" and number == "1" and part in ("name", "title", "department"):
        return Slot({"name": "organization"}.get(part, part))
    return None


def _delimiter(header_line: str) -> str:
    """Return the separator of a CSV: the one of `,;\\t` most used in its header line."""
    counts = {sep: 0 for sep in ",;\t"}
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    return max(counts, key=lambda sep: (counts[sep], sep == ","))


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(MULTI.strip()) if part.strip()]


def read(text: str) -> list[Record]:
    """Return the contacts of a CSV file, one record per line after the header.

    Blank lines make no record but keep their number, so record N is the spreadsheet's line
    N + 1.

    :raises ServiceError: for a file without a header Enlace knows, without contacts, or with
        more than one import takes.
    """
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text.lstrip("\r\n")), delimiter=_delimiter(first_line))
    try:
        header = next(reader, [])
        keys = [header_key(h) for h in header]
        family = any(k in ("apellidos", "apellido", "last name", "family name") for k in keys)
        slots = [slot_of(h, family) for h in header]
        if not any(slot is not None for slot in slots):
            raise ServiceError(
                _(
                    "The first line of this CSV does not name any column Enlace knows: download "
                    "the template and put your contacts in its columns."
                ),
                field="file",
            )
        records = []
        for row, cells in enumerate(reader, start=1):
            if row > MAX_RECORDS:
                raise too_many_records()
            if not any(cell.strip() for cell in cells):
                continue
            records.append(Record(row, _fields(slots, cells)))
    except csv.Error:
        raise ServiceError(
            _("This CSV could not be read: save it again from your spreadsheet as CSV."),
            field="file",
        ) from None
    if not records:
        raise no_records()
    return records


def _fields(slots: list[Slot | None], cells: list[str]) -> dict[str, Any]:
    """Return one line's contact fields from its cells."""
    single: dict[str, str] = {}
    phones: dict[str, dict[str, str]] = defaultdict(dict)
    emails: dict[str, dict[str, str]] = defaultdict(dict)
    addresses: dict[str, dict[str, str]] = defaultdict(dict)
    tags: list[str] = []
    for slot, cell in zip(slots, cells, strict=False):
        # An export's formula-safe cell ("'+34 600…") reads as what was written.
        value = restore(cell).strip()
        if slot is None or not value:
            continue
        kind = slot.kind
        if kind in ("phone", "phone_label"):
            phones[slot.group]["label" if kind == "phone_label" else "value"] = value
            if slot.label:
                phones[slot.group].setdefault("label", slot.label)
        elif kind in ("email", "email_label"):
            emails[slot.group]["label" if kind == "email_label" else "value"] = value
        elif (
            kind
            in (
                "street",
                "city",
                "region",
                "postal",
                "country_name",
                "po_box",
                "extended",
                "formatted",
                "address_label",
            )
            and slot.group
        ):
            addresses[slot.group][kind] = value
        elif kind == "tags":
            # Google's system groups ("* myContacts", "* starred") are not the user's.
            tags.extend(tag for tag in _split(value) if not tag.startswith("*"))
        elif kind == "template_tags":
            tags.extend(tag.strip() for tag in re.split(r"[,;]|:::", value) if tag.strip())
        else:
            single.setdefault(kind, value)
    fields: dict[str, Any] = {}
    name = single.get("name") or " ".join(
        single[part] for part in ("prefix", "given", "middle", "family", "suffix") if part in single
    )
    organization = single.get("organization", "")
    name = name or single.get("nickname", "") or organization
    if name:
        fields["name"] = name
    for field in ("organization", "notes", "city", "country", "address"):
        if single.get(field):
            fields[field] = single[field]
    title = single.get("title", "")
    if single.get("department"):
        title = f"{title}, {single['department']}" if title else single["department"]
    if title:
        fields["role_title"] = title
    phone_list = [
        {"label": label_of(label), "number": number}
        for entry in phones.values()
        if entry.get("value")
        for number, label in _paired(entry["value"], entry.get("label", ""))
    ]
    if phone_list:
        fields["phones"] = phone_list
    email_list = [
        {"label": label_of(label), "address": address}
        for entry in emails.values()
        if entry.get("value")
        for address, label in _paired(entry["value"], entry.get("label", ""))
    ]
    if email_list:
        fields["emails"] = email_list
    _address(addresses, fields)
    if tags:
        fields["tags"] = list(dict.fromkeys(tags))
    return fields


def _paired(values: str, labels: str) -> list[tuple[str, str]]:
    """Return each of a cell's values with its label (Google: one label for several values,
    or as many labels as values)."""
    items = _split(values)
    names = _split(labels) if MULTI.strip() in labels else [labels]
    return [
        (item, names[i] if i < len(names) else names[0] if names else "")
        for i, item in enumerate(items)
    ]


def _address(addresses: dict[str, dict[str, str]], fields: dict[str, Any]) -> None:
    """Keep the first address given: street, region, postal code, country; and its city."""
    for parts in addresses.values():
        text = ", ".join(
            parts[key]
            for key in ("street", "extended", "po_box", "region", "postal", "country_name")
            if parts.get(key)
        )
        if not text and parts.get("formatted"):
            text = ", ".join(
                line.strip() for line in parts["formatted"].splitlines() if line.strip()
            )
        if text and "address" not in fields:
            fields["address"] = text
        if parts.get("city") and "city" not in fields:
            fields["city"] = parts["city"]
        if "address" in fields or "city" in fields:
            return
