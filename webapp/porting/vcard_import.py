"""vCard 2.1, 3.0 and 4.0 files read into contact records, with vobject's line parser.

Each content line goes through vobject's `parseLine` (name, group, parameters, value); the
values are decoded here. vobject's object model (`readComponents`, behaviours) is not used:
it took about 0.6 ms of CPU a card, most of a 5,000-card preview, and it gets the files
phones write wrong:
- Android's 2.1 exports split long quoted-printable values with soft line breaks (`=` at the
  end of a line, the rest on the next line *without* leading space), which vobject reads as a
  broken line and refuses the whole file: the lines are joined first.
- vobject decodes a 2.1 quoted-printable text, then splits it at its commas and keeps only the
  first part ("Llamar al móvil, o a la guardia" becomes "Llamar al móvil"); 2.1 does not
  escape commas at all.
- One bad line fails `readComponents` for the whole file: here it fails its card only (an error
  row), and the other cards are read.
- 2.1's bare parameters (`TEL;CELL;PREF:`), 3.0's repeated `type=`, 4.0's quoted
  `TYPE="voice,cell"` are all read as label codes.
- 4.0 writes numbers as `tel:` URIs (`tel:+52-55-1234-5678;ext=102`): the number is taken out.
Photos and every property not read are dropped before parsing.
"""

from __future__ import annotations

import quopri
import re
from collections.abc import Iterator
from typing import Any

from flask_babel import gettext as _
from vobject.base import ParseError, parseLine

from webapp.porting.columns import label_of
from webapp.porting.files import MAX_RECORDS, Record, no_records, too_many_records

_LINE = re.compile(r"\r\n|\r|\n")
# What is read; the rest (PHOTO, PRODID, X-ANDROID-CUSTOM…) is dropped unparsed.
_KEPT = frozenset(
    {"VERSION", "N", "FN", "ORG", "TITLE", "ROLE", "TEL", "EMAIL", "ADR", "NOTE", "CATEGORIES"}
    | {"X-ABLABEL"}
)
_NAME = re.compile(r"^(?:[^.;:]+\.)?([^;:]+)")
_UNESCAPED_SEMICOLON = re.compile(r"(?<!\\);")
_UNESCAPED_COMMA = re.compile(r"(?<!\\),")
_ESCAPE = re.compile(r"\\([\\;,nN])")
# Codes that say nothing a person needs beside the number.
_SKIP_TYPES = {"voice", "pref", "internet", "x-internet", "text", "msg", "uri"}
_LABEL_ORDER = ("cell", "mobile", "iphone", "pager", "main", "work", "home", "other")


class _Card:
    """One card's properties: (group, name) → [(codes, value)], values decoded."""

    def __init__(self) -> None:
        self.version = "3.0"
        self.properties: dict[str, list[tuple[str | None, list[str], str]]] = {}

    def add(self, name: str, group: str | None, codes: list[str], value: str) -> None:
        self.properties.setdefault(name, []).append((group, codes, value))

    def all(self, name: str) -> list[tuple[str | None, list[str], str]]:
        return self.properties.get(name, [])

    def first(self, name: str) -> str | None:
        found = self.properties.get(name)
        return found[0][2] if found else None


def read(text: str) -> list[Record]:
    """Return the contacts of a vCard file, one record per card, in order.

    :raises ServiceError: when the file holds no card, or more than one import takes.
    """
    records = []
    for row, lines in enumerate(_cards(text), start=1):
        if row > MAX_RECORDS:
            raise too_many_records()
        records.append(_record(row, lines))
    if not records:
        raise no_records()
    return records


def _cards(text: str) -> Iterator[list[str]]:
    """Yield each card's logical lines (folds and quoted-printable soft breaks joined) of the
    properties read."""
    card: list[str] | None = None
    keep = False
    soft_break = False
    for line in _LINE.split(text):
        if card is None:
            if line.strip().upper() == "BEGIN:VCARD":
                card, keep, soft_break = [], False, False
            continue
        if soft_break:
            # A quoted-printable line that ends with "=" goes on at the next line (RFC 2045).
            card[-1] = card[-1][:-1] + line
        elif line[:1] in (" ", "\t"):
            if keep and card:
                # Folded (RFC 6350 3.2): the line break and one whitespace are removed.
                card[-1] += line[1:]
            continue
        elif line.strip().upper() == "END:VCARD":
            yield card
            card = None
            continue
        else:
            match = _NAME.match(line)
            keep = match is not None and match.group(1).strip().upper() in _KEPT
            if not keep:
                soft_break = False
                continue
            card.append(line)
        last = card[-1]
        soft_break = last.endswith("=") and "QUOTED-PRINTABLE" in last.split(":", 1)[0].upper()


def _record(row: int, lines: list[str]) -> Record:
    card = _Card()
    try:
        parsed = [parseLine(line) for line in lines]
    except ParseError:
        return Record(row, {}, {"_": _("This card could not be read: check it in your contacts.")})
    for name, _params, value, _group in parsed:
        if name.upper() == "VERSION":
            card.version = value.strip()
    for name, params, value, group in parsed:
        name = name.upper()
        if name == "VERSION":
            continue
        codes, encoding, charset = [], "", "utf-8"
        for param in params:
            key = param[0].upper()
            values = param[1:]
            if not values:  # 2.1: a bare parameter (CELL, QUOTED-PRINTABLE)
                if key in ("QUOTED-PRINTABLE", "BASE64"):
                    encoding = key
                else:
                    codes.append(param[0])
            elif key == "TYPE":
                codes.extend(values)
            elif key == "ENCODING":
                encoding = values[0].upper()
            elif key == "CHARSET":
                charset = values[0]
        if encoding == "QUOTED-PRINTABLE":
            raw = quopri.decodestring(value.encode("utf-8", errors="replace"))
            try:
                value = raw.decode(charset)
            except (LookupError, UnicodeDecodeError):
                value = raw.decode("utf-8", errors="replace")
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        elif encoding in ("B", "BASE64"):
            continue
        card.add(name, group, [c for code in codes for c in _split_codes(code)], value)
    return Record(row, _fields(card))


def _split_codes(code: str) -> list[str]:
    return [c.strip().strip('"') for c in code.split(",") if c.strip().strip('"')]


def _unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        char = match.group(1)
        return "\n" if char in "nN" else char

    return _ESCAPE.sub(one, text).strip()


def _text(card: _Card, value: str | None) -> str:
    """Return a text value: unescaped (3.0, 4.0), or as 2.1 writes it (only `\\;` escaped)."""
    if value is None:
        return ""
    if card.version == "2.1":
        return value.replace("\\;", ";").strip()
    return _unescape(value)


def _parts(card: _Card, value: str | None) -> list[str]:
    """Return a structured value's parts (N, ORG, ADR)."""
    if value is None:
        return []
    return [_text(card, part) for part in _UNESCAPED_SEMICOLON.split(value)]


def _name(card: _Card) -> str:
    full = _text(card, card.first("FN"))
    if full:
        return full
    family, given, additional, prefix, suffix = (_parts(card, card.first("N")) + [""] * 5)[:5]
    return " ".join(part for part in (prefix, given, additional, family, suffix) if part)


def _label(card: _Card, group: str | None, codes: list[str]) -> str:
    """Return the label of a TEL or EMAIL: the group's X-ABLabel (iPhone), else its type."""
    if group:
        for other_group, _codes, value in card.all("X-ABLABEL"):
            if other_group and other_group.lower() == group.lower():
                return label_of(_text(card, value))
    kept = [code for code in codes if code.lower() not in _SKIP_TYPES]
    lower = [code.lower() for code in kept]
    for code in kept:
        if code.lower().startswith("x-") and len(code) > 2:
            # Android writes a label the user typed as `X-<label>` (only letters, digits, -).
            return label_of(code[2:])
    if "fax" in lower:
        code = "work fax" if "work" in lower else "home fax" if "home" in lower else "fax"
        return label_of(code)
    for code in _LABEL_ORDER:
        if code in lower:
            return label_of(code)
    return ""


def _number(value: str) -> str:
    number = value.strip()
    if number.lower().startswith("tel:"):
        # RFC 3966: the number, then parameters (`;ext=102`, `;phone-context=`).
        number = number[4:].split(";", 1)[0]
    return number


def _fields(card: _Card) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    org_parts = [part for part in _parts(card, card.first("ORG")) if part]
    organization = org_parts[0] if org_parts else ""
    name = _name(card) or organization
    if name:
        fields["name"] = name
    if organization:
        fields["organization"] = organization
    title = _text(card, card.first("TITLE")) or _text(card, card.first("ROLE"))
    if title:
        fields["role_title"] = title
    phones = [
        {"label": _label(card, group, codes), "number": _number(value)}
        for group, codes, value in card.all("TEL")
        if _number(value)
    ]
    if phones:
        fields["phones"] = phones
    emails = [
        {"label": _label(card, group, codes), "address": _text(card, value)}
        for group, codes, value in card.all("EMAIL")
        if _text(card, value)
    ]
    if emails:
        fields["emails"] = emails
    _address(card, fields)
    note = "\n\n".join(_text(card, value) for _group, _codes, value in card.all("NOTE"))
    if note.strip():
        fields["notes"] = note.strip()
    tags = [
        _text(card, tag)
        for _group, _codes, value in card.all("CATEGORIES")
        for tag in _UNESCAPED_COMMA.split(value)
        if _text(card, tag)
    ]
    if tags:
        fields["tags"] = list(dict.fromkeys(tags))
    return fields


def _address(card: _Card, fields: dict[str, Any]) -> None:
    """Keep the first ADR: its street, region, postal code and country as `address`, its city."""
    value = card.first("ADR")
    if value is None:
        return
    box, extended, street, city, region, code, country = (_parts(card, value) + [""] * 7)[:7]
    address = ", ".join(part for part in (street, extended, box, region, code, country) if part)
    if address:
        fields["address"] = address
    if city:
        fields["city"] = city
