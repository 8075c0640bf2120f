"""The rule for typed text (webapp/text.py), on the cases the app's rule is tested on too
(tests/js/fixtures/text.json, read by tests/js/text.test.mjs): one rule in both languages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from webapp import text

CASES = json.loads(
    (Path(__file__).resolve().parents[1] / "js" / "fixtures" / "text.json").read_text("utf-8")
)["cases"]


@pytest.mark.parametrize("case", CASES, ids=[repr(case["text"])[:40] for case in CASES])
def test_the_server_reads_each_case_as_the_app_does(case):
    expected = (case["reason"], case["code"]) if case["reason"] else None
    assert text.find(case["text"], multiline=case["multiline"]) == expected


def test_every_noncharacter_and_bidi_override_is_refused_and_the_marks_are_kept():
    nonchars = [
        *range(0xFDD0, 0xFDF0),
        *(p + e for p in range(0, 0x110000, 0x10000) for e in (0xFFFE, 0xFFFF)),
    ]
    assert len(nonchars) == 66
    assert all(text.refused(chr(point)) for point in nonchars)
    assert all(
        text.refused(chr(point)) for point in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
    )
    # Marks typed in right-to-left text and the joiners of emoji and scripts stay.
    assert not any(text.refused(char) for char in "\u200e\u200f\u061c\u200c\u200d")
