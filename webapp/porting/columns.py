"""Enlace's own CSV template: its columns, their headers in both languages, and the cell rules
that the CSV export writes and the CSV import reads back (the one definition both use).

A row is one contact. Phones and emails take numbered columns (`phone_1`, `phone_1_label`, …):
the template offers `TEMPLATE_PHONES` and `TEMPLATE_EMAILS` of them, and an export adds more
when a contact has more (up to the schema's limits), so nothing the CSV can hold is dropped.
Kinds, areas and visibility are written as their codes (they read the same in any language);
`read_code` also takes their names in either language. Tags share one cell, `TAG_SEPARATOR`
between them. Availability, partner details and backups travel only in the JSON export.

Formula cells: a spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a
carriage return. `neutralise` prefixes such a cell with `'` (a number like `+34 600 000 000`
too, which also keeps the spreadsheet from reading it as a number), and `restore` takes exactly
that prefix off again, so the round trip gives back the same text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from webapp.directory.schemas import MAX_EMAILS, MAX_PHONES
from webapp.directory.vocabulary import AREAS, KINDS

LANGUAGES = ("es", "en")


@dataclass(frozen=True)
class Column:
    """One column of the template: its key, and its header in each language."""

    key: str
    es: str
    en: str

    def header(self, lang: str) -> str:
        """Return the header in the language (English for any other)."""
        return self.es if lang == "es" else self.en


BEFORE_PHONES = (
    Column("name", "Nombre", "Name"),
    Column("organization", "Organización", "Organization"),
    Column("role_title", "Cargo", "Role"),
    Column("kind", "Tipo", "Kind"),
    Column("area", "Área", "Area"),
)
AFTER_EMAILS = (
    Column("address", "Dirección", "Address"),
    Column("city", "Ciudad", "City"),
    Column("country", "País", "Country"),
    Column("when_to_contact", "Cuándo llamar", "When to contact"),
    Column("notes", "Notas", "Notes"),
    Column("tags", "Etiquetas", "Tags"),
    Column("visibility", "Visibilidad", "Visibility"),
)
TEMPLATE_PHONES = 3
TEMPLATE_EMAILS = 2
TAG_SEPARATOR = ", "

# The example row of the downloadable template, by key.
EXAMPLE = {
    "es": {
        "name": "Ana García",
        "organization": "Seguros del Norte",
        "role_title": "Gestora de siniestros",
        "kind": "partner",
        "area": "legal",
        "phone_1": "+34 600 123 456",
        "phone_1_label": "móvil",
        "email_1": "ana@example.com",
        "email_1_label": "trabajo",
        "city": "Madrid",
        "country": "ES",
        "tags": "seguros, 24h",
        "visibility": "team",
    },
    "en": {
        "name": "Ana García",
        "organization": "Northern Insurance",
        "role_title": "Claims manager",
        "kind": "partner",
        "area": "legal",
        "phone_1": "+1 202 555 0143",
        "phone_1_label": "mobile",
        "email_1": "ana@example.com",
        "email_1_label": "work",
        "city": "Washington",
        "country": "US",
        "tags": "insurance, 24h",
        "visibility": "team",
    },
}


def phone_columns(count: int = TEMPLATE_PHONES) -> tuple[Column, ...]:
    """Return the columns of `count` phones: number, then label, for each."""
    columns: list[Column] = []
    for n in range(1, min(count, MAX_PHONES) + 1):
        columns.append(Column(f"phone_{n}", f"Teléfono {n}", f"Phone {n}"))
        columns.append(Column(f"phone_{n}_label", f"Etiqueta del teléfono {n}", f"Phone {n} label"))
    return tuple(columns)


def email_columns(count: int = TEMPLATE_EMAILS) -> tuple[Column, ...]:
    """Return the columns of `count` emails: address, then label, for each."""
    columns: list[Column] = []
    for n in range(1, min(count, MAX_EMAILS) + 1):
        columns.append(Column(f"email_{n}", f"Correo {n}", f"Email {n}"))
        columns.append(Column(f"email_{n}_label", f"Etiqueta del correo {n}", f"Email {n} label"))
    return tuple(columns)


def columns(phones: int = TEMPLATE_PHONES, emails: int = TEMPLATE_EMAILS) -> tuple[Column, ...]:
    """Return the template's columns in order, with room for that many phones and emails."""
    return (
        BEFORE_PHONES
        + phone_columns(max(phones, TEMPLATE_PHONES))
        + email_columns(max(emails, TEMPLATE_EMAILS))
        + AFTER_EMAILS
    )


def fold(text: str) -> str:
    """Fold a header or a typed word for comparison: lower case, no accents, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\ufeff", ""))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().replace("_", " ").split())


def _headers() -> dict[str, str]:
    known: dict[str, str] = {}
    for column in columns(MAX_PHONES, MAX_EMAILS):
        for name in (column.key, column.es, column.en):
            known[fold(name)] = column.key
    return known


HEADERS = _headers()


def key_of(header: str) -> str | None:
    """Return the key a header names (its key or its header in either language), else None."""
    return HEADERS.get(fold(header))


def is_template(headers: list[str]) -> bool:
    """Tell whether a header row is Enlace's template (it names the name and a first phone)."""
    keys = {key_of(h) for h in headers}
    return "name" in keys and "phone_1" in keys


def read_code(vocabulary: str, text: str) -> str | None:
    """Return the code that `text` names in `vocabulary` ("kind" or "area"): the code itself or
    its name in either language; None when it names none."""
    table = KINDS if vocabulary == "kind" else AREAS
    wanted = fold(text)
    for code, names in table.items():
        if wanted in (fold(code), *(fold(name) for name in names.values())):
            return code
    return None


def split_tags(cell: str) -> list[str]:
    """Return the tags of a cell (separated by commas), without empty ones."""
    return [tag.strip() for tag in cell.split(",") if tag.strip()]


def join_tags(tags: list[str]) -> str:
    """Return the tags as one cell."""
    return TAG_SEPARATOR.join(tags)


# What makes a spreadsheet run a cell as a formula (OWASP's CSV injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NEUTRALISED = re.compile(r"^'+[=+\-@\t\r]")


def neutralise(cell: str) -> str:
    """Return the cell so that no spreadsheet runs it: `'` before a formula's first character.

    A cell already made of apostrophes and such a character gets one more, so that `restore`
    always gives back exactly the text that was written.
    """
    if cell.startswith(FORMULA_STARTS) or _NEUTRALISED.match(cell):
        return "'" + cell
    return cell


def restore(cell: str) -> str:
    """Undo `neutralise`: drop one `'` before a formula's first character, nothing else."""
    if _NEUTRALISED.match(cell):
        return cell[1:]
    return cell
