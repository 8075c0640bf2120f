"""Text that reads as it was written: the one rule for what people type (issue 18, finding 6).

Every text a person types for others to read — a contact's name and notes, a playbook's steps,
an incident's entries, a workspace's name, an invitation's note, a user's name — passes
`problem` (the directory's schemas through their text types, the services for the rest).
Refused everywhere:

- controls (Unicode Cc: C0, DEL, C1), but tab, line feed and carriage return in long text
  (`multiline`), where they are the text's own layout;
- bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): U+202E makes
  "Police 119 call" read "Police llac 911";
- line and paragraph separators (U+2028, U+2029; a newline says the same), lone surrogates and
  the 66 noncharacters (U+FDD0–U+FDEF, U+xFFFE and U+xFFFF of every plane);
- a text that starts with a combining mark (Mn, Mc, Me), so also one made only of marks: the
  mark would sit on whatever the screen shows before it.

Kept: the bidi marks U+200E, U+200F and U+061C (typed in right-to-left text; they cannot turn
a run around), and the zero-width joiners (emoji sequences, Persian and Indic scripts).
static/js/text.js applies the same rule in the app; tests/js/text.test.mjs reads the cases of
tests/js/fixtures/text.json, which tests/unit/test_text.py checks against this module.
"""

from __future__ import annotations

import unicodedata

from flask_babel import gettext as _

from webapp.errors import ServiceError

LAYOUT = frozenset("\t\n\r")
MARKS = frozenset({"Mn", "Mc", "Me"})


def code_point(char: str) -> str:
    """Return a character's name as people look it up: `U+202E`."""
    return f"U+{ord(char):04X}"


def refused(char: str, *, multiline: bool = False) -> bool:
    """Tell whether a character may not appear in typed text (`multiline`: long text)."""
    if multiline and char in LAYOUT:
        return False
    point = ord(char)
    if 0x202A <= point <= 0x202E or 0x2066 <= point <= 0x2069:
        return True
    if 0xFDD0 <= point <= 0xFDEF or point & 0xFFFE == 0xFFFE:
        return True
    return unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp")


def find(value: str, *, multiline: bool = False) -> tuple[str, str] | None:
    """Return what is wrong with a typed text as (reason, code point), or None. `reason` is
    `layout` (a tab or line break in one line), `hidden` (a refused character) or `mark` (it
    starts with a combining mark)."""
    for char in value:
        if refused(char, multiline=multiline):
            return ("layout" if char in LAYOUT else "hidden"), code_point(char)
    if value and unicodedata.category(value[0]) in MARKS:
        return "mark", code_point(value[0])
    return None


def problem(value: str, *, multiline: bool = False) -> str | None:
    """Return what is wrong with a typed text, in the user's language, or None."""
    found = find(value, multiline=multiline)
    if found is None:
        return None
    reason, code = found
    if reason == "layout":
        return _("Write it on one line, without line breaks or tabs.")
    if reason == "hidden":
        return _(
            "Remove the invisible or control character %(code)s: it can make the text read "
            "differently from how it was written.",
            code=code,
        )
    return _(
        "Start with a letter, a digit or a symbol: %(code)s is an accent or mark that belongs "
        "on the character before it.",
        code=code,
    )


def check(value: str, field: str, *, multiline: bool = False) -> str:
    """Return the text when it reads as written.

    :raises ServiceError: (400) naming `field`, with `problem`'s message.
    """
    found = problem(value, multiline=multiline)
    if found is not None:
        raise ServiceError(found, field=field)
    return value
