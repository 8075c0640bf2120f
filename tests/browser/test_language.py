"""The language switcher on the sign-in page, and the browser's own language."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import expect

PO = Path(__file__).resolve().parents[2] / "webapp/translations/es/LC_MESSAGES/messages.po"


def spanish(msgid: str) -> str:
    """Return the Spanish of a message, read from the catalogue now (it is still being written)."""
    if not PO.exists():
        pytest.fail(f"no Spanish catalogue at {PO}")
    with PO.open("rb") as source:
        catalog = read_po(source, locale="es")
    message = catalog.get(msgid)
    # A fuzzy entry is not compiled (`make translations` has no --use-fuzzy): the page shows English.
    text = message.string if message is not None and not message.fuzzy else ""
    if not text or text == msgid:
        pytest.fail(f"{PO.name} has no Spanish for {msgid!r}: the page cannot show it")
    assert isinstance(text, str)
    return text


def test_switch_to_spanish_survives_a_reload_and_back_to_english(
    live_server: Any, new_context: Callable[..., Any]
) -> None:
    sign_in_es = spanish("Sign in")
    page = new_context(locale="en-US").new_page()
    page.goto("/login")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Sign in")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("button", name="Español").click()
    expect(heading).to_have_text(sign_in_es)
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page).to_have_url(f"{live_server.url}/login")

    page.reload()
    expect(heading).to_have_text(sign_in_es)
    expect(page.get_by_role("button", name="Español")).to_have_attribute("aria-current", "true")

    page.get_by_role("button", name="English").click()
    expect(heading).to_have_text("Sign in")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_a_spanish_browser_gets_spanish_without_choosing(
    live_server: Any, new_context: Callable[..., Any]
) -> None:
    sign_in_es = spanish("Sign in")
    page = new_context(locale="es-ES").new_page()
    page.goto("/login")
    expect(page.get_by_role("heading", level=1)).to_have_text(sign_in_es)
    expect(page.locator("html")).to_have_attribute("lang", "es")
