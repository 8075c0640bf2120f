"""Passkey unlock (WebAuthn PRF) with a CDP virtual authenticator; the PIN stays as fallback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.browser.app_helpers import PHONE, create, set_pin, sign_in, unlock

AUTHENTICATOR = {
    "protocol": "ctap2",
    "ctap2Version": "ctap2_1",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "hasPrf": True,
}


def test_a_passkey_with_prf_unlocks_and_the_pin_still_does(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    create(owner, "Finanzas", phones=[{"number": "+525511112222"}])
    # An IP address is not a valid relying party id: the app is opened as localhost.
    origin = live_server.url.replace("127.0.0.1", "localhost")
    context = new_context(**PHONE)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})

    sign_in(page, owner.user.email, origin=origin)
    set_pin(page)
    page.get_by_role("link", name="Status").click()
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_test_id("notice")).to_contain_text("Passkey added")

    page.reload()
    page.get_by_role("button", name="Unlock with a passkey").click()
    expect(page.get_by_test_id("status")).to_be_visible()
    page.get_by_role("link", name="Directory").click()
    expect(page.get_by_text("Finanzas")).to_be_visible()

    page.reload()
    unlock(page)
    expect(page.get_by_test_id("directory")).to_contain_text("Finanzas")
