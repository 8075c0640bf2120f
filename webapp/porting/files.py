"""Reading an uploaded file: what it is (binary, vCard or CSV) and its text, whatever encoding."""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from webapp.errors import ServiceError

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_RECORDS = 10_000
# Control characters that no text file a contact program writes holds (tab, CR, LF, FF aside).
_BINARY = set(range(0x00, 0x09)) | {0x0B, 0x0E, 0x0F} | set(range(0x10, 0x1B)) | {0x1C, 0x1D}


@dataclass
class Record:
    """One contact as read from a file: its 1-based position, its fields, what could not be read.

    `fields` use the API's contact field names (`ContactData`), only those the record sets.
    """

    row: int
    fields: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)

    def stored(self) -> dict[str, Any]:
        """Return the record as the preview keeps it (JSON)."""
        return {"row": self.row, "fields": self.fields, "errors": self.errors}


def not_readable() -> ServiceError:
    """Return the error of a file that is not a contacts file Enlace reads."""
    return ServiceError(
        _(
            "This file is not a contacts file Enlace can read: send a vCard (.vcf) or a CSV "
            "file (.csv), such as the template."
        ),
        field="file",
    )


def decode(data: bytes) -> str:
    """Return the text of an uploaded file: UTF-8 (with or without BOM), UTF-16 with BOM, else
    Windows-1252, the encoding spreadsheets on Windows write.

    :raises ServiceError: for an empty or binary file (a photo, a spreadsheet's .xlsx, a PDF).
    """
    if not data.strip():
        raise ServiceError(_("The file is empty: choose a file with contacts."), field="file")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise not_readable() from None
    else:
        if any(byte in _BINARY for byte in data[:65536]) or b"\x00" in data:
            raise not_readable()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Windows-1252 leaves five bytes undefined; Latin-1 reads those as controls.
            text = data.decode("cp1252", errors="replace")
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise not_readable()
    return text


def is_vcard(text: str) -> bool:
    """Tell whether the text is a vCard file (it starts with BEGIN:VCARD)."""
    return text.lstrip()[:11].upper() == "BEGIN:VCARD"


def too_many_records() -> ServiceError:
    """Return the error of a file with more contacts than one import takes."""
    return ServiceError(
        _(
            "This file holds more than %(num)d contacts: split it into smaller files.",
            num=MAX_RECORDS,
        ),
        field="file",
    )


def no_records() -> ServiceError:
    """Return the error of a readable file without any contact."""
    return ServiceError(_("The file holds no contacts."), field="file")
