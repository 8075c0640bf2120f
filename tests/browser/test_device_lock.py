"""The lock means locked (issue 13): a locked phone's live session gives nothing away.

Each test plays a finding of the security review on a phone-sized Chromium against the live
server: deleting the site's data no longer leads to a new PIN without the password, ten wrong
PINs offline end the session at the next connection, another user on the same browser never
gets the first one's answers, the app locks while visible and idle, and weak PINs are refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.app_helpers import (
    DATABASES,
    DUMP_STORAGE,
    PHONE,
    PIN,
    READY,
    create,
    set_pin,
    sign_in,
    unlock,
    wait_until,
)
from tests.conftest import PASSWORD

# Delete every IndexedDB database of the origin, as "clear site data" would (the cookie stays).
DELETE_DATABASES = """async () => {
  for (const { name } of await indexedDB.databases()) {
    await new Promise((resolve, reject) => {
      const request = indexedDB.deleteDatabase(name);
      request.onsuccess = resolve;
      request.onerror = () => reject(request.error);
      request.onblocked = resolve;
    });
  }
}"""


def old_password(live_server: Any) -> None:
    """Make every password entry older than the re-authentication window from now on."""
    live_server.app.config["REAUTH_SECONDS"] = 0


def confirm_password(page: Page, password: str = PASSWORD) -> None:
    """Type the account password on the app's password screen."""
    box = page.get_by_test_id("reauth")
    box.locator("#password").fill(password)
    box.locator("button[type=submit]").click()


def test_a_locked_phone_whose_data_is_deleted_gets_no_new_pin_without_the_password(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    create(
        owner, "Línea de Dirección", visibility="restricted", phones=[{"number": "+525511112222"}]
    )
    page = new_context(**PHONE).new_page()
    sign_in(page, owner.user.email)
    set_pin(page)
    old_password(live_server)

    # The finding: with the cookie alone, the raw key, or a fresh PIN after deleting local data.
    assert page.request.get("/api/v1/keys/snapshot").status == 403
    page.evaluate(DELETE_DATABASES)
    page.reload()
    expect(page.get_by_test_id("reauth")).to_be_visible()
    expect(page.get_by_test_id("set-pin")).to_have_count(0)

    confirm_password(page, "not the password")
    expect(page.get_by_test_id("notice")).to_contain_text("Wrong password")
    expect(page.get_by_test_id("set-pin")).to_have_count(0)

    live_server.app.config["REAUTH_SECONDS"] = 600
    confirm_password(page)
    set_pin(page)
    expect(page.get_by_test_id("directory")).to_contain_text("Línea de Dirección")


def test_forgot_pin_asks_for_the_password_then_a_new_pin_opens_the_same_copy(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    create(owner, "Finanzas", phones=[{"number": "+525511112222"}])
    page = new_context(**PHONE).new_page()
    sign_in(page, owner.user.email)
    set_pin(page)
    old_password(live_server)
    page.reload()
    page.get_by_role("button", name="Forgot your PIN?").click()
    expect(page.get_by_test_id("reauth")).to_contain_text("Forgot your PIN?")
    live_server.app.config["REAUTH_SECONDS"] = 600
    confirm_password(page)
    set_pin(page, "730561")
    expect(page.get_by_test_id("directory")).to_contain_text("Finanzas")

    # The old PIN no longer opens anything; the new one does.
    page.reload()
    unlock(page, PIN)
    expect(page.get_by_test_id("secret-error")).to_contain_text("9 attempts left")
    unlock(page, "730561")
    expect(page.get_by_test_id("directory")).to_contain_text("Finanzas")


@pytest.mark.slow
def test_ten_wrong_pins_offline_end_the_session_at_the_next_connection(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    context = new_context(**PHONE)
    page = context.new_page()
    sign_in(page, owner.user.email)
    set_pin(page)
    wait_until(page, READY)
    context.set_offline(True)
    page.reload()
    for attempt in range(1, 11):
        unlock(page, "305817" if attempt % 2 else "730561")
        if attempt < 10:
            expect(page.get_by_test_id("secret-error")).to_contain_text(
                f"{10 - attempt} attempts left"
            )
    expect(page.get_by_test_id("wiped")).to_be_visible()
    assert page.evaluate(DATABASES) == []
    # Offline the session could not end: the server still knows it (the test's own request
    # reaches the server; the page's cannot).
    assert context.request.get("/api/v1/session").status == 200

    context.set_offline(False)
    page.goto("/app")
    page.wait_for_url("**/login?next=/app")
    assert context.request.get("/api/v1/session").status == 401


def test_a_second_user_never_gets_the_first_users_answers_online_or_offline(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    first = device()
    create(first, "Contacto de Ana", phones=[{"number": "+525511112222"}])
    create(first, "Bomberos", kind="emergency", visibility="public", phones=[{"number": "911"}])
    second = device()
    context = new_context(**PHONE)
    page = context.new_page()
    sign_in(page, first.user.email)
    set_pin(page)
    wait_until(page, READY)
    workspace = first.workspace
    # The second user signs in on a server page, without opening the app.
    context.clear_cookies()
    page.goto("/login?next=/account")
    page.locator("input[name=email]").fill(second.user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url("**/account")

    fetch = """async (path) => {
      try {
        const response = await fetch(path, { credentials: "same-origin" });
        return [response.status, await response.text()];
      } catch (error) {
        return [0, String(error)];
      }
    }"""
    paths = (f"/api/v1/workspaces/{workspace}/public", f"/api/v1/workspaces/{workspace}/snapshot")
    # Offline first (the review's finding: the worker answered them from the first user's cache).
    context.set_offline(True)
    for path in paths:
        status, body = page.evaluate(fetch, path)
        assert status == 0, f"the worker answered {path} offline with {status}"
        assert "Bomberos" not in body
    context.set_offline(False)
    for path in paths:
        status, body = page.evaluate(fetch, path)
        assert status == 404, (path, status)
        assert "Bomberos" not in body
    stored = page.evaluate(DUMP_STORAGE)
    cached = [line.split(": ", 1)[0] for line in stored.splitlines() if line.startswith("cache ")]
    assert not any("/api/" in url for url in cached), cached


def test_the_app_locks_while_visible_after_the_lock_time_without_a_touch(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    create(owner, "Finanzas", phones=[{"number": "+525511112222"}])
    page = new_context(**PHONE).new_page()
    page.clock.install()
    sign_in(page, owner.user.email)
    set_pin(page)

    # Used now and then: it stays open past the lock time.
    for _ in range(3):
        page.clock.fast_forward("04:00")
        page.locator("#search").click()
    expect(page.get_by_test_id("directory")).to_contain_text("Finanzas")
    # Left on the desk, visible: it locks.
    page.clock.fast_forward("05:01")
    expect(page.get_by_test_id("unlock")).to_be_visible()
    expect(page.get_by_text("Finanzas")).to_have_count(0)


def test_weak_pins_are_refused_with_a_reason(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    page = new_context(**PHONE).new_page()
    sign_in(page, owner.user.email)
    form = page.get_by_test_id("set-pin")
    for pin, reason in (("000000", "repeated"), ("123456", "sequence"), ("199012", "year")):
        form.locator("#secret").fill(pin)
        form.locator("#confirm").fill(pin)
        form.locator("button[type=submit]").click()
        expect(page.get_by_test_id("secret-error")).to_contain_text(
            {"repeated": "One digit repeated", "sequence": "A sequence", "year": "a year"}[reason]
        )
        expect(page.get_by_test_id("directory")).to_have_count(0)
    set_pin(page)


def test_a_workspace_that_asks_for_a_passphrase_gets_no_pin(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    from webapp.db import session_scope
    from webapp.workspaces.models import Workspace

    owner = device()
    create(owner, "Finanzas", phones=[{"number": "+525511112222"}])
    page = new_context(**PHONE).new_page()
    sign_in(page, owner.user.email)
    set_pin(page)
    with live_server.app.app_context(), session_scope(live_server.app) as session:
        session.get(Workspace, owner.workspace_obj.id).unlock_policy = "passphrase"

    # The device still has a PIN: the next unlock online asks for a passphrase instead.
    page.reload()
    unlock(page)
    expect(page.get_by_test_id("notice")).to_contain_text("now asks for a passphrase")
    form = page.get_by_test_id("set-pin")
    expect(form.get_by_test_id("unlock-policy")).to_be_visible()
    expect(form.get_by_role("button", name="Use a PIN instead")).to_have_count(0)
    form.locator("#secret").fill("cielo rojo tranvía")
    form.locator("#confirm").fill("cielo rojo tranvía")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("directory")).to_contain_text("Finanzas")
    page.reload()
    expect(page.get_by_test_id("unlock")).to_contain_text("Passphrase")
