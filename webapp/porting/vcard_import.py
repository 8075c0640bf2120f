"""vCard 2.1, 3.0 and 4.0 files read into contact records, through vobject.

What vobject gets wrong with the files phones write, worked around here:
- Android's 2.1 exports split long quoted-printable values with soft line breaks (`=` at the
  end of a line, the rest on the next line *without* leading space), which vobject reads as
  a broken line and refuses the whole file: the lines are joined before vobject sees them.
- vobject decodes a 2.1 quoted-printable text, then splits it at its commas and keeps only the
  first part ("Llamar al móvil, o a la guardia" becomes "Llamar al móvil"); and 2.1 does not
  escape commas at all. So in a 2.1 card every line is decoded here (quoted-printable, its
  CHARSET) and written again as plain escaped text before vobject reads it.
- One bad card fails `readComponents` for the whole file: each card is parsed on its own, so
  a bad card is an error row and the others are read.
- 2.1's bare parameters (`TEL;CELL;PREF:`) land in `singletonparams`, 3.0's and 4.0's in
  `TYPE` (4.0 also as one quoted `"voice,cell"`): both are read as label codes.
- 4.0 writes numbers as `tel:` URIs (`tel:+52-55-1234-5678;ext=102`): the number is taken out.
- vobject has no 4.0 behaviour, so `N`, `ORG` and `ADR` may come as plain text: split here.
"""

from __future__ import annotations

import quopri
import re
from collections.abc import Iterator
from typing import Any

import vobject
from flask_babel import gettext as _

from webapp.porting.columns import label_of
from webapp.porting.files import MAX_RECORDS, Record, no_records, too_many_records

_LINE = re.compile(r"\r\n|\r|\n")
_UNESCAPED_SEMICOLON = re.compile(r"(?<!\\);")
# Codes that say nothing a person needs beside the number.
_SKIP_TYPES = {"voice", "pref", "internet", "x-internet", "text", "msg", "uri"}
_LABEL_ORDER = ("fax", "cell", "mobile", "iphone", "pager", "main", "work", "home", "other")


def read(text: str) -> list[Record]:
    """Return the contacts of a vCard file, one record per card, in order.

    :raises ServiceError: when the file holds no card, or more than one import takes.
    """
    records = []
    for row, card in enumerate(_cards(text), start=1):
        if row > MAX_RECORDS:
            raise too_many_records()
        records.append(_record(row, card))
    if not records:
        raise no_records()
    return records


def _cards(text: str) -> Iterator[list[str]]:
    """Yield each card's lines (BEGIN:VCARD to END:VCARD), soft line breaks joined."""
    card: list[str] | None = None
    soft_break = False
    for line in _LINE.split(text):
        if soft_break and card:
            card[-1] = card[-1][:-1] + line
        else:
            upper = line.strip().upper()
            if upper == "BEGIN:VCARD":
                card = [line.strip()]
                soft_break = False
                continue
            if card is None:
                continue
            card.append(line)
            if upper == "END:VCARD":
                yield (
                    _plain_21(card)
                    if any(item.strip().upper() == "VERSION:2.1" for item in card)
                    else card
                )
                card = None
                continue
        last = card[-1] if card else ""
        head = last.split(":", 1)[0].upper()
        # A quoted-printable line that ends with "=" goes on at the next line (RFC 2045).
        soft_break = "QUOTED-PRINTABLE" in head and last.endswith("=")


def _plain_21(card: list[str]) -> list[str]:
    """Return a 2.1 card's lines with their values decoded and escaped as vobject expects."""
    lines = []
    for line in card:
        head, colon, value = line.partition(":")
        if not colon or line[:1] in (" ", "\t") or head.upper() in ("BEGIN", "END", "VERSION"):
            lines.append(line)
            continue
        params = head.split(";")
        upper = [param.upper() for param in params]
        if any("BASE64" in param or param in ("ENCODING=B", "B") for param in upper):
            lines.append(line)
            continue
        charset = next(
            (param.split("=", 1)[1] for param in params if param.upper().startswith("CHARSET=")),
            "utf-8",
        )
        if "ENCODING=QUOTED-PRINTABLE" in upper or "QUOTED-PRINTABLE" in upper:
            raw = quopri.decodestring(value.encode("utf-8", errors="replace"))
            try:
                value = raw.decode(charset)
            except (LookupError, UnicodeDecodeError):
                value = raw.decode("utf-8", errors="replace")
        kept = [
            param
            for param, big in zip(params, upper, strict=True)
            if not big.startswith(("CHARSET=", "ENCODING=")) and big != "QUOTED-PRINTABLE"
        ]
        value = re.sub(r"(?<!\\),", r"\\,", value.replace("\r\n", "\n").replace("\r", "\n"))
        lines.append(";".join(kept) + ":" + value.replace("\n", "\\n"))
    return lines


def _record(row: int, lines: list[str]) -> Record:
    try:
        card = vobject.readOne("\r\n".join(lines))
        return Record(row, _fields(card))
    except Exception:  # vobject raises many kinds of error on a malformed card
        return Record(row, {}, {"_": _("This card could not be read: check it in your contacts.")})


def _text(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(_text(item) for item in value if _text(item))
    if isinstance(value, bytes):
        return ""
    return str(value or "").strip()


def _parts(value: Any) -> list[str]:
    """Return a structured value's parts (N, ORG, ADR), whether vobject split it or not."""
    if isinstance(value, list):
        return [_text(part) for part in value]
    if isinstance(value, str):
        return [part.replace("\\;", ";").strip() for part in _UNESCAPED_SEMICOLON.split(value)]
    return []


def _name(card: Any) -> str:
    full = _text(_first(card, "fn"))
    if full:
        return full
    value = _first(card, "n")
    if value is None:
        return ""
    if isinstance(value, vobject.vcard.Name):
        parts = [value.prefix, value.given, value.additional, value.family, value.suffix]
    else:
        family, given, additional, prefix, suffix = (_parts(value) + [""] * 5)[:5]
        parts = [prefix, given, additional, family, suffix]
    return " ".join(_text(part) for part in parts if _text(part))


def _first(card: Any, name: str) -> Any:
    lines = card.contents.get(name)
    return lines[0].value if lines else None


def _codes(line: Any) -> list[str]:
    """Return a property's type codes, lower case: 2.1's bare parameters and TYPE values."""
    codes: list[str] = []
    for value in [*getattr(line, "singletonparams", []), *line.params.get("TYPE", [])]:
        codes.extend(code.strip().strip('"').lower() for code in str(value).split(","))
    return [code for code in codes if code and code not in _SKIP_TYPES]


def _label(card: Any, line: Any) -> str:
    """Return the label of a TEL or EMAIL: the group's X-ABLabel (iPhone), else its type."""
    if line.group:
        for other in card.contents.get("x-ablabel", []):
            if other.group and other.group.lower() == line.group.lower():
                return label_of(_text(other.value))
    codes = _codes(line)
    for code in codes:
        if code.startswith("x-") and len(code) > 2:
            # Android writes a label the user typed as `X-<label>` (only letters, digits, -).
            original = next(
                value
                for value in [*getattr(line, "singletonparams", []), *line.params.get("TYPE", [])]
                if value.lower().strip('"') == code
            )
            return label_of(original.strip('"')[2:])
    if "fax" in codes:
        code = "work fax" if "work" in codes else "home fax" if "home" in codes else "fax"
        return label_of(code)
    for code in _LABEL_ORDER:
        if code in codes:
            return label_of(code)
    return ""


def _number(value: Any) -> str:
    number = _text(value)
    if number.lower().startswith("tel:"):
        # RFC 3966: the number, then parameters (`;ext=102`, `;phone-context=`).
        number = number[4:].split(";", 1)[0]
    return number


def _fields(card: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    org_parts = [part for part in _parts(_first(card, "org")) if part]
    organization = org_parts[0] if org_parts else ""
    name = _name(card) or organization
    if name:
        fields["name"] = name
    if organization:
        fields["organization"] = organization
    title = _text(_first(card, "title")) or _text(_first(card, "role"))
    if title:
        fields["role_title"] = title
    phones = [
        {"label": _label(card, line), "number": _number(line.value)}
        for line in card.contents.get("tel", [])
        if _number(line.value)
    ]
    if phones:
        fields["phones"] = phones
    emails = [
        {"label": _label(card, line), "address": _text(line.value)}
        for line in card.contents.get("email", [])
        if _text(line.value)
    ]
    if emails:
        fields["emails"] = emails
    _address(card, fields)
    note = "\n\n".join(_text(line.value) for line in card.contents.get("note", []))
    if note.strip():
        fields["notes"] = note.strip()
    tags = [
        tag
        for line in card.contents.get("categories", [])
        for tag in (line.value if isinstance(line.value, list) else _text(line.value).split(","))
        if _text(tag)
    ]
    if tags:
        fields["tags"] = list(dict.fromkeys(_text(tag) for tag in tags))
    return fields


def _address(card: Any, fields: dict[str, Any]) -> None:
    """Keep the first ADR: its street, region, postal code and country as `address`, its city."""
    value = _first(card, "adr")
    if value is None:
        return
    if isinstance(value, vobject.vcard.Address):
        box, extended, street, city, region, code, country = (
            value.box,
            value.extended,
            value.street,
            value.city,
            value.region,
            value.code,
            value.country,
        )
    else:
        box, extended, street, city, region, code, country = (_parts(value) + [""] * 7)[:7]
    address = ", ".join(
        part for part in map(_text, (street, extended, box, region, code, country)) if part
    )
    if address:
        fields["address"] = address
    if _text(city):
        fields["city"] = _text(city)
