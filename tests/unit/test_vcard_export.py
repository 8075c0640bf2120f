"""vCard lines as the export writes them: folded at 75 octets, never inside a character, and
read back whole by vobject."""

from __future__ import annotations

import pytest
import vobject

from webapp.porting.vcard_export import card_of, fold_line


@pytest.mark.parametrize("text", ["a" * 200, "ñ" * 100, "x" + "€" * 90, "abc", "a" * 70, "é" * 37])
def test_long_lines_fold_within_75_octets_and_unfold_to_the_same_text(text):
    folded = fold_line("NOTE:" + text)
    assert all(len(line.encode()) <= 75 for line in folded.split("\r\n"))
    assert folded.endswith("\r\n")
    assert folded.replace("\r\n ", "") == "NOTE:" + text + "\r\n"


def test_a_card_with_long_accented_text_reads_back_whole():
    contact = {
        "id": "0b7c7e0e-0000-4000-8000-000000000001",
        "name": "José; Pérez, hijo",
        "notes": "Llamar primero al móvil; después, a la oficina. " * 6 + "ñandú €",
        "phones": [{"number": "+34600123456", "label": "Guardia 24h"}],
        "tags": ["a,b", "c"],
    }
    card = vobject.readOne(card_of(contact, "4.0"))
    assert card.fn.value == contact["name"]
    assert card.note.value == contact["notes"]
    assert card.categories.value == ["a,b", "c"]
    assert card.contents["x-ablabel"][0].value == "Guardia 24h"
