"""Every interface string has its Spanish translation, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "webapp" / "translations" / "es" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def source_messages() -> set[str]:
    """Extract the msgids from the code and templates, as `make extract-messages` does."""
    method_map = [("webapp/**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def forms(value: str | tuple[str, ...]) -> tuple[str, ...]:
    """Return a message's forms: one for a plain message, singular and plural(s) for ngettext."""
    return (value,) if isinstance(value, str) else tuple(value)


def test_every_interface_string_is_translated_to_spanish():
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    translated = {
        forms(m.id)[0]: m for m in catalog if m.id and all(forms(m.string)) and not m.fuzzy
    }
    missing = sorted(source_messages() - set(translated))
    assert missing == [], "run `make extract-messages` and translate these"


def test_spanish_translations_keep_their_placeholders():
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if not (message.id and all(forms(message.string))):
            continue
        # Every form (singular and plurals) keeps the placeholders of the English singular.
        wanted = sorted(PLACEHOLDER.findall(forms(message.id)[0]))
        for text in forms(message.string):
            assert sorted(PLACEHOLDER.findall(text)) == wanted, message.id
