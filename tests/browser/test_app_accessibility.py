"""axe-core on every screen of the app and the pages around it: no serious or critical issue."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.app_helpers import PHONE, create, set_pin, sign_in, unlock

AXE = Axe()


def serious_issues(page: Page) -> list[tuple[str, str, list[Any]]]:
    """Run axe-core on the page as it is; return its serious and critical violations."""
    page.wait_for_timeout(200)  # let the view settle after a route change
    result = AXE.run(page)
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_screen_has_a_serious_accessibility_issue(
    live_server: Any, new_context: Callable[..., Any], device: Any, scheme: str
) -> None:
    owner = device()
    finance = create(
        owner,
        "Finanzas",
        area="finance",
        phones=[{"number": "+525511112222", "whatsapp": True}],
        emails=[{"address": "finanzas@example.com"}],
        availability={
            "timezone": "America/Mexico_City",
            "hours": [{"days": [1], "from": "09:00", "to": "18:00"}],
        },
    )
    create(owner, "Bomberos", kind="emergency", visibility="public", phones=[{"number": "911"}])
    owner.sync(
        {
            "id": "8d1c7a0e-0000-4000-8000-000000000001",
            "type": "playbook",
            "entity_id": "8d1c7a0e-0000-4000-8000-000000000002",
            "op": "put",
            "base_version": None,
            "fields": {
                "name": "Ola de reembolsos",
                "steps": ["Avisar a finanzas"],
                "contact_ids": [finance],
            },
            "base": {},
        }
    )
    page = new_context(**PHONE, color_scheme=scheme).new_page()
    found: dict[str, Any] = {}

    page.goto("/login")
    found["sign-in"] = serious_issues(page)
    sign_in(page, owner.user.email)
    expect(page.get_by_test_id("set-pin")).to_be_visible()
    found["set PIN"] = serious_issues(page)
    set_pin(page)
    found["directory"] = serious_issues(page)
    page.locator(".contact-row").filter(has_text="Finanzas").get_by_role("link").first.click()
    expect(page.get_by_test_id("contact")).to_be_visible()
    found["contact"] = serious_issues(page)
    for tab in ("Emergency", "Playbooks", "Status"):
        page.get_by_role("link", name=tab, exact=True).click()
        found[tab] = serious_issues(page)
    page.get_by_role("link", name="Playbooks", exact=True).click()
    page.get_by_role("link", name="Ola de reembolsos").click()
    found["playbook"] = serious_issues(page)
    # Editing (issue 14): the forms with a server error on a field, the delete question, the
    # screen of edits to settle.
    page.goto(f"/app#edit/contact/{finance}")
    expect(page.get_by_test_id("contact-form")).to_be_visible()
    page.locator("#f-phones-0-number").fill("12")
    page.get_by_test_id("contact-form").get_by_role("button", name="Save").click()
    expect(page.locator("#f-phones-0-number")).to_have_attribute("aria-invalid", "true")
    found["contact form with an error"] = serious_issues(page)
    page.get_by_role("link", name="1 change of yours needs your decision →").click()
    expect(page.get_by_test_id("rejected")).to_be_visible()
    found["changes to settle"] = serious_issues(page)
    page.get_by_test_id("rejected").get_by_role("button", name="Discard").click()
    page.goto("/app#new/playbook")
    expect(page.get_by_test_id("playbook-form")).to_be_visible()
    page.locator("#f-contact-search").fill("fin")
    found["playbook form"] = serious_issues(page)
    page.goto(f"/app#contact/{finance}")
    page.get_by_test_id("edit-actions").get_by_role("button", name="Delete").click()
    expect(page.get_by_test_id("confirm-delete")).to_be_visible()
    found["delete question"] = serious_issues(page)
    page.get_by_test_id("confirm-delete").get_by_role("button", name="Cancel").click()
    page.reload()
    expect(page.get_by_test_id("unlock")).to_be_visible()
    found["lock screen"] = serious_issues(page)
    unlock(page)
    page.goto("/account")
    found["account"] = serious_issues(page)

    assert {screen: issues for screen, issues in found.items() if issues} == {}


def test_the_check_finds_what_it_looks_for(new_context: Callable[..., Any]) -> None:
    page = new_context().new_page()
    page.set_content(
        '<html lang="en"><body><main><img src="x.png">'
        '<button style="color:#ccc;background:#fff"></button></main></body></html>'
    )
    assert {issue[0] for issue in serious_issues(page)} >= {"image-alt", "button-name"}
