"""Installing the app: the browser's prompt from our button, or the iOS steps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.browser.app_helpers import PHONE, create, set_pin, sign_in

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"
)
# What Chromium fires when the app may be installed; the test plays the browser's part.
OFFER_INSTALL = """() => {
  window.prompted = 0;
  const event = new Event("beforeinstallprompt", { cancelable: true });
  event.prompt = () => { window.prompted += 1; };
  event.userChoice = Promise.resolve({ outcome: "accepted" });
  window.dispatchEvent(event);
  return event.defaultPrevented;
}"""


def test_where_the_browser_offers_it_our_button_shows_its_prompt(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    create(owner, "Finanzas", phones=[{"number": "+525511112222"}])
    page = new_context(**PHONE).new_page()
    sign_in(page, owner.user.email)
    set_pin(page)
    page.get_by_role("link", name="Status").click()
    expect(page.get_by_test_id("status")).to_be_visible()
    expect(page.get_by_test_id("install")).to_have_count(0)

    assert page.evaluate(OFFER_INSTALL) is True  # the browser's own mini-bar is held back
    install = page.get_by_test_id("install")
    install.get_by_role("button", name="Install Enlace").click()
    expect(install).to_have_count(0)  # a prompt is shown once
    assert page.evaluate("window.prompted") == 1


def test_an_iphone_gets_the_share_then_add_to_home_screen_steps(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    page = new_context(**PHONE, user_agent=IPHONE).new_page()
    sign_in(page, owner.user.email)
    set_pin(page)
    page.get_by_role("link", name="Status").click()
    expect(page.get_by_test_id("install")).to_contain_text(
        "On iPhone or iPad: tap Share, then “Add to Home Screen”."
    )
    expect(page.get_by_test_id("install").get_by_role("button")).to_have_count(0)
