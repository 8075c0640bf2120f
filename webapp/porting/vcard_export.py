"""The vCard export: 4.0 by default (RFC 6350, numbers as `tel:` URIs), 3.0 for older phones
(RFC 2426, numbers as E.164 text).

The cards are written line by line with vobject's escaping (`backslashEscape`) and folded at 75
octets here: building vobject components and serialising them took about 1 ms a card, too slow
for the 2 s that an export of 5,000 contacts may take (docs/PERFORMANCE.md). The tests read every
export back with vobject.

A label that a vCard type says (mobile, work, home, fax…) becomes that `TYPE`; any other label
travels as iPhone writes custom ones, an item group with `X-ABLabel`, which phones and the
import read back. Enlace's own kind, area and visibility go in `X-ENLACE-*` properties that
other programs ignore.
"""

from __future__ import annotations

from typing import Any

from vobject.base import backslashEscape

from webapp.porting.columns import header_key as fold

# Labels people type (folded) → the vCard type that says the same.
PHONE_TYPES = {
    "mobile": "cell",
    "movil": "cell",
    "celular": "cell",
    "cell": "cell",
    "work": "work",
    "trabajo": "work",
    "oficina": "work",
    "office": "work",
    "home": "home",
    "casa": "home",
    "fax": "fax",
    "pager": "pager",
    "main": "voice",
    "principal": "voice",
}
EMAIL_TYPES = {
    "work": "work",
    "trabajo": "work",
    "home": "home",
    "casa": "home",
    "personal": "home",
}
LINE = 75  # octets a line may take before it is folded (both RFCs)


def fold_line(line: str) -> str:
    """Return a content line folded at 75 octets (never inside a character), CRLF-ended."""
    data = line.encode("utf-8")
    if len(data) <= LINE:
        return line + "\r\n"
    parts, start, limit = [], 0, LINE
    while len(data) - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte: step back to its start
            end -= 1
        parts.append(data[start:end])
        start, limit = end, LINE - 1  # a folded line starts with one space
    parts.append(data[start:])
    return b"\r\n ".join(parts).decode("utf-8") + "\r\n"


def _text(value: str) -> str:
    return backslashEscape(value)


def _labelled(
    lines: list[str], name: str, value: str, label: str, types: dict[str, str], group: list[int]
) -> None:
    known = types.get(fold(label)) if label else None
    if known:
        lines.append(f"{name};TYPE={known}{value}")
    elif label:
        group[0] += 1
        item = f"item{group[0]}"
        lines.append(f"{item}.{name}{value}")
        lines.append(f"{item}.X-ABLabel:{_text(label)}")
    else:
        lines.append(f"{name}{value}")


def card_of(contact: dict[str, Any], version: str) -> str:
    """Return a contact as one vCard of the version ("4.0" or "3.0")."""
    name = _text(contact["name"])
    lines = ["BEGIN:VCARD", f"VERSION:{version}", f"FN:{name}", f"N:;{name};;;"]
    uid = contact.get("id")
    if uid:
        lines.append(f"UID:urn:uuid:{uid}" if version == "4.0" else f"UID:{uid}")
    if contact.get("organization"):
        lines.append(f"ORG:{_text(contact['organization'])}")
    if contact.get("role_title"):
        lines.append(f"TITLE:{_text(contact['role_title'])}")
    group = [0]
    for phone in contact.get("phones") or []:
        number = phone["number"]
        # 4.0: a tel: URI (`;VALUE=uri` after the type); 3.0: the number as text, in E.164,
        # which every phone dials from any country.
        value = f";VALUE=uri:tel:{number}" if version == "4.0" else f":{number}"
        _labelled(lines, "TEL", value, phone.get("label") or "", PHONE_TYPES, group)
    for email in contact.get("emails") or []:
        value = f":{_text(email['address'])}"
        _labelled(lines, "EMAIL", value, email.get("label") or "", EMAIL_TYPES, group)
    if contact.get("address") or contact.get("city") or contact.get("country"):
        street, city, country = (
            _text(contact.get(key) or "") for key in ("address", "city", "country")
        )
        lines.append(f"ADR:;;{street};{city};;;{country}")
    if contact.get("notes"):
        lines.append(f"NOTE:{_text(contact['notes'])}")
    if contact.get("tags"):
        lines.append("CATEGORIES:" + ",".join(_text(tag) for tag in contact["tags"]))
    for field in ("kind", "area", "visibility"):
        if contact.get(field):
            lines.append(f"X-ENLACE-{field.upper()}:{_text(contact[field])}")
    lines.append("END:VCARD")
    return "".join(fold_line(line) for line in lines)


def write(contacts: list[dict[str, Any]], version: str) -> bytes:
    """Return one vCard file holding every contact."""
    return "".join(card_of(contact, version) for contact in contacts).encode("utf-8")
