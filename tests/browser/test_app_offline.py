"""The app on a phone: sign in, choose a PIN, go offline, unlock, find and call; quick dial locked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.browser.app_helpers import (
    CONTROLLED,
    PHONE,
    create,
    set_pin,
    sign_in,
    unlock,
    wait_until,
)


def test_sign_in_set_pin_offline_unlock_search_and_call(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    create(owner, "Atención al cliente", area="customer_service", phones=[{"number": "+52 55 1234 5678"}])
    create(owner, "Bomberos", kind="emergency", visibility="public", phones=[{"number": "911"}])
    create(owner, "Finanzas", area="finance", phones=[{"number": "+525511112222"}])

    context = new_context(**PHONE)
    page = context.new_page()
    sign_in(page, owner.user.email)
    set_pin(page)
    expect(page.get_by_text("Atención al cliente")).to_be_visible()
    wait_until(page, CONTROLLED)

    context.set_offline(True)
    page.reload()
    expect(page.get_by_test_id("connection")).to_have_text("Offline")
    # Locked: quick dial works without the PIN.
    dial = page.get_by_test_id("quick-dial").get_by_role("link", name="Bomberos")
    expect(dial).to_have_attribute("href", "tel:911")
    unlock(page)
    page.locator("#search").fill("atencion")
    result = page.locator(".contact-row").filter(has_text="Atención al cliente")
    expect(page.locator(".contact-row")).to_have_count(1)
    result.get_by_role("link", name="Atención al cliente", exact=True).click()
    call = page.get_by_test_id("contact").get_by_role("link", name="Call Atención al cliente")
    expect(call).to_have_attribute("href", "tel:+525512345678")
