"""Search finds the problem, not only the department (issue 16): on a phone, in Spanish, in a
workspace made as on the web (its country's numbers and the default playbooks), the four searches
a new user tried find the finance lead, the lawyer, the illegal-content playbook and Rodrigo.

Set ENLACE_SHOTS=<folder> to keep screenshots of the results, light and dark.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.app_helpers import PHONE, create, set_pin, sign_in
from tests.browser.test_app_accessibility import serious_issues

SHOTS = os.environ.get("ENLACE_SHOTS")
SEARCH_PHONE = {**PHONE, "viewport": {"width": 390, "height": 844}}
ILLEGAL_CONTENT = "Contenido ilegal (incluido abuso sexual infantil)"


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def search(page: Page, query: str) -> Any:
    """Type a query as a user would, key by key; return the results."""
    box = page.locator("#search")
    box.fill("")
    box.press_sequentially(query)
    return page.get_by_test_id("results")


def spanish_workspace(make_user: Any, make_workspace: Any, device: Any) -> Any:
    """A Spanish owner's workspace with the defaults and the people of the demo's cards."""
    owner = make_user(locale="es")
    workspace = make_workspace(owner=owner, defaults=True, language="es", city="Guadalajara")
    team = device(workspace, user=owner)
    create(
        team,
        "Laura Méndez",
        role_title="Líder de Finanzas",
        area="finance",
        phones=[{"number": "+52 33 0000 0101"}],
        when_to_contact="Reembolsos masivos, cobros duplicados, fallas de la pasarela de pago.",
    )
    create(team, "Adriana Soto", kind="legal", phones=[{"number": "+52 33 0000 0102"}])
    create(
        team,
        "Rodrigo Salas",
        role_title="Operaciones — guardia nocturna",
        area="operations",
        phones=[{"number": "+52 33 0000 0103"}],
    )
    create(team, "Paola Jiménez", area="customer_service", phones=[{"number": "+52 33 0000 0104"}])
    return team


def test_the_four_searches_of_a_new_user_find_who_and_what_they_mean(
    live_server: Any,
    new_context: Callable[..., Any],
    make_user: Any,
    make_workspace: Any,
    device: Any,
) -> None:
    team = spanish_workspace(make_user, make_workspace, device)
    page = new_context(locale="es-MX", **SEARCH_PHONE).new_page()
    sign_in(page, team.user.email)
    set_pin(page)

    # "reembolsos": the finance lead, whose card says to call her for mass refunds.
    results = search(page, "reembolsos")
    people = results.get_by_test_id("contact-results")
    expect(people.locator(".contact-row").first).to_contain_text("Laura Méndez")
    expect(results.get_by_role("link", name="Paola Jiménez")).to_have_count(0)

    # "abogado": the lawyer, whose kind is Legal and whose card never says "abogado".
    results = search(page, "abogado")
    expect(results.locator(".contact-row").filter(has_text="Adriana Soto")).to_be_visible()
    expect(results.get_by_role("link", name="Laura Méndez")).to_have_count(0)

    # "abuso sexual infantil": the illegal-content playbook, as its own group of results.
    results = search(page, "abuso sexual infantil")
    playbooks = results.get_by_test_id("playbook-results")
    expect(playbooks.get_by_role("heading", name="Protocolos")).to_be_visible()
    expect(playbooks.get_by_role("link", name=ILLEGAL_CONTENT)).to_be_visible()
    shot(page, "search-es-light")
    assert serious_issues(page) == []
    page.emulate_media(color_scheme="dark")
    shot(page, "search-es-dark")
    assert serious_issues(page) == []
    page.emulate_media(color_scheme="light")

    # "rodirgo" (two letters swapped): Rodrigo.
    results = search(page, "rodirgo")
    expect(results.locator(".contact-row").first).to_contain_text("Rodrigo Salas")

    # A playbook found opens from the results.
    search(page, "abuso sexual infantil").get_by_role("link", name=ILLEGAL_CONTENT).click()
    expect(page.get_by_role("heading", level=1, name=ILLEGAL_CONTENT)).to_be_visible()
