"""Screenshots for the lead to look at (not committed)."""
from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.app_helpers import PHONE, create, set_pin, sign_in

SIZE = {**PHONE, "viewport": {"width": 390, "height": 844}}

def shoot(page, name):
    page.screenshot(path=f"/tmp/shots/{name}.png", full_page=True)

def test_shots(live_server: Any, new_context, device) -> None:
    owner = device()
    a = create(owner, "Finanzas — Lucía", kind="internal", area="finance", role_title="Líder", phones=[{"number": "+525512345678"}])
    create(owner, "Calidad", role_title="Jefa de calidad", phones=[{"number": "+525511112222"}])
    for lang, scheme, tag in (("en-US", "light", "en"), ("es-MX", "dark", "es")):
        ctx = new_context(locale=lang, color_scheme=scheme, **SIZE)
        page = ctx.new_page()
        sign_in(page, owner.user.email)
        set_pin(page)
        shoot(page, f"directory-{tag}")
        page.goto(f"/app#contact/{a}")
        expect(page.get_by_test_id("contact")).to_be_visible()
        shoot(page, f"contact-{tag}")
        page.goto(f"/app#edit/contact/{a}")
        expect(page.get_by_test_id("contact-form")).to_be_visible()
        page.locator("#f-phones-0-number").fill("12")
        page.get_by_test_id("contact-form").locator("button[type=submit]").click()
        expect(page.locator("#f-phones-0-number")).to_have_attribute("aria-invalid", "true")
        shoot(page, f"contact-form-{tag}")
        page.goto("/app#new/playbook")
        expect(page.get_by_test_id("playbook-form")).to_be_visible()
        page.locator("#f-name").fill("Tormenta de reembolsos")
        page.locator("#f-contact-search").fill("fin")
        shoot(page, f"playbook-form-{tag}")
        page.get_by_test_id("playbook-form").get_by_role("button").first.click()
        page.goto(f"/app#contact/{a}")
        page.get_by_test_id("edit-actions").locator("button").last.click()
        shoot(page, f"delete-{tag}")
        ctx.close()
