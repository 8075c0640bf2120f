"""Installing the app: the browser's prompt from our button, or the iOS steps."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.app_helpers import PHONE, READY, create, set_pin, sign_in, wait_until
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, CI_MESSAGE, TIMEOUT_MS

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


@pytest.fixture
def profile_context(playwright_instance: Any, live_server: Any, tmp_path: Path) -> Iterator[Any]:
    """A Chromium with a profile on disk: off the record (Playwright's usual contexts) Chromium
    answers "in-incognito" to the installability check and checks nothing else."""
    if playwright_instance is None:
        pytest.fail(CI_MESSAGE, pytrace=False)
    context = playwright_instance.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=str(CHROMIUM),
        args=CHROMIUM_ARGS,
        base_url=live_server.url,
        **PHONE,
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


def installability_errors(context: Any, page: Any) -> list[str]:
    """Ask Chromium what stops installing the app from this page (its own check, over CDP)."""
    cdp = context.new_cdp_session(page)
    return sorted(
        e["errorId"] for e in cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    )


def test_chromium_finds_nothing_that_stops_installing_the_app(
    profile_context: Any, device: Any
) -> None:
    owner = device()
    page = profile_context.new_page()
    sign_in(page, owner.user.email)
    set_pin(page)
    wait_until(page, READY)
    assert installability_errors(profile_context, page) == []


def test_the_installability_check_sees_a_manifest_without_icons(
    profile_context: Any, make_user: Any
) -> None:
    page = profile_context.new_page()
    page.route(
        "**/static/**/manifest.webmanifest",  # at the versioned address the page links
        lambda route: route.fulfill(
            content_type="application/manifest+json",
            body='{"name": "Enlace", "start_url": "/app", "display": "standalone"}',
        ),
    )
    sign_in(page, make_user().email, to="/account")  # the worker is installed at sign-in
    wait_until(page, READY)
    assert installability_errors(profile_context, page) != []
