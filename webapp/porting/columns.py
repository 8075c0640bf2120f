"""The CSV template's columns (import reads them, export writes them), the standard labels
of phones and emails that contact programs write as codes, and the rule for formula cells:
the CSV export neutralises a cell a spreadsheet would run (`neutralise`), the CSV import takes
exactly that prefix off again (`restore`), so `+34 600 12 34 56` still reads as a phone."""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Column:
    """One column of the template: what it holds and its header in each language."""

    key: str
    en: str
    es: str
    example_en: str
    example_es: str = ""

    def example(self, lang: str) -> str:
        """Return the example row's value in a language."""
        return self.example_es if lang == "es" and self.example_es else self.example_en


# The order of the template's columns. Keys: a contact field, or `phone<N>` / `phone<N>_label`
# / `email<N>` for the Nth phone or email; `tags` is comma separated.
TEMPLATE: tuple[Column, ...] = (
    Column("name", "Name", "Nombre", "María Pérez"),
    Column("organization", "Organization", "Organización", "Protección Civil"),
    Column("role_title", "Role", "Cargo", "On-call coordinator", "Coordinadora de guardia"),
    Column("phone1", "Phone 1", "Teléfono 1", "55 1234 5678"),
    Column("phone1_label", "Phone 1 label", "Etiqueta del teléfono 1", "Mobile", "Móvil"),
    Column("phone2", "Phone 2", "Teléfono 2", "+52 55 8765 4321"),
    Column("phone2_label", "Phone 2 label", "Etiqueta del teléfono 2", "Office", "Oficina"),
    Column("phone3", "Phone 3", "Teléfono 3", ""),
    Column("phone3_label", "Phone 3 label", "Etiqueta del teléfono 3", ""),
    Column("email1", "Email 1", "Correo 1", "maria.perez@example.org"),
    Column("email2", "Email 2", "Correo 2", ""),
    Column("address", "Address", "Dirección", "Av. Insurgentes Sur 100, Col. Roma"),
    Column("city", "City", "Ciudad", "Ciudad de México"),
    Column("country", "Country (2 letters)", "País (2 letras)", "MX"),
    Column("notes", "Notes", "Notas", "Call the mobile first.", "Llamar primero al móvil."),
    Column(
        "tags",
        "Tags (comma separated)",
        "Etiquetas (separadas por comas)",
        "on call, cdmx",
        "guardia, cdmx",
    ),
)


def header_key(text: str) -> str:
    """Return a header as compared: lower case, without accents, punctuation or extra spaces."""
    folded = unicodedata.normalize("NFKD", text.strip().lstrip("\ufeff")).casefold()
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", folded).split())


def template_headers(lang: str) -> list[str]:
    """Return the template's header row in a language (es or en)."""
    return [column.es if lang == "es" else column.en for column in TEMPLATE]


def template_csv(lang: str) -> bytes:
    """Return the CSV template: UTF-8 with a BOM (so that Excel reads the accents), a header
    row in the language and one example row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(template_headers(lang))
    writer.writerow([column.example(lang) for column in TEMPLATE])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


# Standard labels, by the codes programs write: vCard TYPE values, Apple's `_$!<Mobile>!$_`,
# Google's and Outlook's English names. Shown in the reader's language.
_LABELS: dict[str, Callable[[], str]] = {
    "mobile": lambda: str(_l("Mobile")),
    "work": lambda: str(_l("Work")),
    "home": lambda: str(_l("Home")),
    "main": lambda: str(_l("Main")),
    "other": lambda: str(_l("Other")),
    "fax": lambda: str(_l("Fax")),
    "work fax": lambda: str(_l("Work fax")),
    "home fax": lambda: str(_l("Home fax")),
    "pager": lambda: str(_l("Pager")),
    "assistant": lambda: str(_l("Assistant")),
    "car": lambda: str(_l("Car")),
}
_ALIASES = {
    "cell": "mobile",
    "iphone": "mobile",
    "business": "work",
    "homefax": "home fax",
    "workfax": "work fax",
    "otherfax": "fax",
    "company main": "main",
    "primary": "main",
    "pref": "",
    "voice": "",
    "internet": "",
    "x internet": "",
    "text": "",
}


def standard_label(code: str) -> str | None:
    """Return a program's label code in the reader's language ("" to drop it), or None when it
    is not a standard one (a label the user typed, kept as it is)."""
    key = header_key(code.removeprefix("_$!<").removesuffix(">!$_"))
    key = _ALIASES.get(key, key)
    if key == "":
        return ""
    label = _LABELS.get(key)
    return label() if label is not None else None


def label_of(code: str) -> str:
    """Return the label to keep for a program's label: standard ones translated, others as is."""
    text = code.strip().removeprefix("* ").strip()
    standard = standard_label(text)
    return text if standard is None else standard


# --- cells a spreadsheet would run (the export writes them safe, the import reads them back) --

# What makes a spreadsheet run a cell as a formula (OWASP's CSV injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NEUTRALISED = re.compile(r"^'+[=+\-@\t\r]")
_FIRST = frozenset("=+-@\t\r'")


def neutralise(cell: str) -> str:
    """Return the cell so that no spreadsheet runs it: `'` before a formula's first character.

    A number like `+34 600 12 34 56` gets it too, which also keeps the spreadsheet from reading
    it as a number. A cell already made of apostrophes and such a character gets one more, so
    that `restore` always gives back exactly the text that was written.
    """
    if not cell or cell[0] not in _FIRST:
        return cell  # most cells: one look at the first character
    if cell[0] != "'" or _NEUTRALISED.match(cell):
        return "'" + cell
    return cell


def restore(cell: str) -> str:
    """Undo `neutralise`: drop one `'` before a formula's first character, nothing else (a
    name like `'Chuy' López` keeps its apostrophe)."""
    if _NEUTRALISED.match(cell):
        return cell[1:]
    return cell
