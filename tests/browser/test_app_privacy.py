"""Nothing readable at rest, and contact text that is only ever text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.browser.app_helpers import (
    DUMP_STORAGE,
    PHONE,
    READY,
    create,
    set_pin,
    sign_in,
    unlock,
    wait_until,
)

TEAM = ("Zacarías Equipo", "+525500000001", "zacarias@example.com")
RESTRICTED = ("Rosa Restringida", "+525500000002", "rosa@example.com")


def test_no_name_or_phone_of_a_team_or_restricted_contact_is_stored_in_clear(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()  # an owner sees restricted contacts, so they are in this device's copy
    for name, number, email in (TEAM, RESTRICTED):
        visibility = "restricted" if name == RESTRICTED[0] else "team"
        create(
            owner,
            name,
            visibility=visibility,
            phones=[{"number": number, "whatsapp": True}],
            emails=[{"address": email}],
            notes=f"Notas de {name}",
        )
    create(
        owner,
        "Bomberos Municipales",
        kind="emergency",
        visibility="public",
        phones=[{"number": "911"}],
    )

    context = new_context(**PHONE)
    page = context.new_page()
    sign_in(page, owner.user.email)
    set_pin(page)
    # A full session: search, a contact, a favourite, playbooks, status, offline and back.
    page.locator("#search").fill("rosa")
    page.get_by_role("link", name=RESTRICTED[0], exact=True).click()
    page.get_by_role("button", name="Add to favourites").click()
    expect(page.get_by_role("button", name="Remove from favourites")).to_be_visible()
    page.get_by_role("link", name="Playbooks").click()
    page.get_by_role("link", name="Status").click()
    wait_until(page, READY)
    context.set_offline(True)
    page.reload()
    unlock(page)
    page.get_by_role("link", name="Directory").click()
    expect(page.get_by_test_id("favourites")).to_contain_text(RESTRICTED[0])
    context.set_offline(False)
    page.reload()
    unlock(page)
    expect(page.get_by_test_id("directory")).to_contain_text(TEAM[0])

    stored = page.evaluate(DUMP_STORAGE)
    # The scan reads every store: the public number and the envelopes are there.
    assert "Bomberos Municipales" in stored
    assert "idb enlace-" in stored and "/envelopes:" in stored and "/keys:" in stored
    assert "cache enlace-shell-" in stored and "local enlace.user=" in stored
    # The worker keeps no API answer: the one copy is the user's IndexedDB database.
    cached = [line.split(": ", 1)[0] for line in stored.splitlines() if line.startswith("cache ")]
    assert cached and not any("/api/" in url for url in cached), cached
    for name, number, email in (TEAM, RESTRICTED):
        for secret in (name, name.split()[0], number, number[3:], email, f"Notas de {name}"):
            assert secret not in stored, f"{secret!r} is readable at rest"


def test_a_contact_named_like_markup_shows_as_text_and_runs_nothing(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    markup = "<img src=x onerror=alert(1)>"
    create(owner, markup, notes="<script>alert(2)</script>", phones=[{"number": "+525511112222"}])
    create(owner, "Aviso", kind="emergency", visibility="public", phones=[{"number": "911"}])
    page = new_context(**PHONE).new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, owner.user.email)
    set_pin(page)

    row = page.locator(".contact-name").filter(has_text=markup)
    expect(row).to_have_text(markup)
    row.click()
    expect(page.get_by_test_id("contact").get_by_role("heading", level=1)).to_have_text(markup)
    expect(page.get_by_text("<script>alert(2)</script>")).to_be_visible()
    page.wait_for_timeout(300)
    assert page.locator("#app img, #app script").count() == 0
    assert dialogs == []
