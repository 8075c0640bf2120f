"""Auto-lock: after the chosen time in the background the directory locks; sooner it does not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.app_helpers import PHONE, PIN, create, set_pin, sign_in

SET_VISIBILITY = """(state) => {
  Object.defineProperty(document, "visibilityState", { value: state, configurable: true });
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def background(page: Page, minutes: int) -> None:
    """Send the app to the background for some minutes (on Playwright's clock), then back."""
    page.evaluate(SET_VISIBILITY, "hidden")
    page.clock.fast_forward(f"{minutes:02d}:00")
    page.evaluate(SET_VISIBILITY, "visible")


def test_the_app_locks_after_five_minutes_in_the_background_by_default(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    create(owner, "Finanzas", phones=[{"number": "+525511112222"}])
    page = new_context(**PHONE).new_page()
    page.clock.install()
    sign_in(page, owner.user.email)
    set_pin(page)

    background(page, 4)
    expect(page.get_by_test_id("directory")).to_contain_text("Finanzas")
    background(page, 6)
    expect(page.get_by_test_id("unlock")).to_be_visible()
    expect(page.get_by_text("Finanzas")).to_have_count(0)


def test_a_shorter_lock_delay_is_kept_and_applies(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    page = new_context(**PHONE).new_page()
    page.clock.install()
    sign_in(page, owner.user.email)
    set_pin(page)
    page.get_by_role("link", name="Status").click()
    page.get_by_label("Lock after this long in the background").select_option("1")
    page.reload()
    page.get_by_test_id("unlock").locator("#secret").fill(PIN)
    page.get_by_test_id("unlock").locator("button[type=submit]").click()
    expect(page.get_by_label("Lock after this long in the background")).to_have_value("1")
    background(page, 2)
    expect(page.get_by_test_id("unlock")).to_be_visible()
