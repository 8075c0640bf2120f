"""A server that says "come back later" (503 `unavailable`, Retry-After) is no error for the
user: the app shows itself offline, keeps the edit on the phone, and sends it after the wait
without any help (issue 18, finding 2).

The 503s come from Playwright's routing of the API (the server's own 503s are tested in
tests/api/test_outages.py); the rest is the real app against the real server.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Route, expect

from tests.browser.app_helpers import PHONE, READY, create, eventually, set_pin, sign_in, wait_until

UNAVAILABLE = json.dumps({"error": "unavailable", "message": "Try again in a moment."})


def test_a_503_keeps_the_edit_shows_offline_and_sends_it_after_retry_after(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    entity = create(owner, "Operaciones", phones=[{"number": "+525511112222"}])
    context = new_context(**PHONE)
    page = context.new_page()
    sign_in(page, owner.user.email)
    set_pin(page)
    wait_until(page, READY)
    answered: list[int] = []

    def come_back_later(route: Route) -> None:
        answered.append(503)
        route.fulfill(
            status=503,
            headers={"Retry-After": "1", "Content-Type": "application/json"},
            body=UNAVAILABLE,
        )

    context.route("**/api/v1/sync*", come_back_later)
    page.goto(f"/app#edit/contact/{entity}")
    page.locator("#f-when_to_contact").fill("Caídas del sistema de pedidos")
    page.get_by_test_id("contact-form").get_by_role("button", name="Save").click()

    expect(page.get_by_test_id("connection")).to_have_text("Offline")
    expect(page.get_by_test_id("pending")).to_be_visible()
    expect(page.get_by_test_id("sync-banner")).to_contain_text("kept on this phone")
    assert answered, "the app sent the edit and met the 503"
    expect(page.get_by_text("The server did not answer properly")).to_have_count(0)

    context.unroute("**/api/v1/sync*")  # the database is back; no `online` event comes
    held = eventually(
        lambda: {
            c["data"]["name"]: c["data"] for c in owner.sync(cursor=0)["changes"] if c["data"]
        }["Operaciones"].get("when_to_contact")
    )
    assert held == "Caídas del sistema de pedidos"
    expect(page.get_by_test_id("pending")).to_have_count(0)
    expect(page.get_by_test_id("connection")).to_have_text("Online")
