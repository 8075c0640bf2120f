"""A long directory is drawn a screenful at a time, and the rest comes as the user scrolls."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.browser.app_helpers import PHONE, set_pin, sign_in
from tests.conftest import mutation


def test_a_long_directory_grows_on_scroll(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    owner.sync(*[mutation(uuid.uuid4(), {"name": f"Contacto {n:03d}"}) for n in range(200)])
    owner.sync(*[mutation(uuid.uuid4(), {"name": f"Proveedor {n:03d}"}) for n in range(200)])
    page = new_context(**PHONE).new_page()
    sign_in(page, owner.user.email)
    set_pin(page)

    rows = page.locator("[data-testid=directory] .contact-row")
    expect(rows).to_have_count(120)
    expect(page.get_by_role("button", name="Show more (280 left)")).to_be_visible()
    page.locator(".more-rows").scroll_into_view_if_needed()
    expect(rows).to_have_count(400)  # 120 + 300, capped at the 400 there are
    expect(page.locator(".more-rows")).to_have_count(0)
    expect(page.get_by_text("Proveedor 199", exact=True)).to_be_attached()
