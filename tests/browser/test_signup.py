"""A newcomer's first minutes on a phone, in Spanish: sign up on the web, create the workspace
with Mexico and Spanish already chosen from the browser, and land in the app.

Set ENLACE_SHOTS=<folder> to keep screenshots of the pages (Spanish and English, light and dark).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.app_helpers import create, set_pin
from tests.browser.test_app_accessibility import serious_issues
from tests.browser.test_toolkit import shot

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "has_touch": True}


def selected_label(page: Page, name: str) -> str:
    """Return the text of the chosen option of a select, as the user sees it."""
    return page.eval_on_selector(
        f"select[name={name}]", "(select) => select.selectedOptions[0]?.textContent ?? ''"
    )


def test_a_newcomer_signs_up_and_creates_a_workspace_for_guadalajara(
    live_server: Any, new_context: Callable[..., Any]
) -> None:
    page = new_context(locale="es-MX", **PHONE).new_page()
    page.goto("/login")
    page.get_by_role("link", name="Crea una").click()
    expect(page.get_by_role("heading", name="Crea tu cuenta")).to_be_visible()
    expect(page.get_by_label("Idioma")).to_have_value("es")
    expect(page.get_by_text("Al menos 10 caracteres")).to_be_visible()
    page.get_by_label("Tu nombre").fill("Lucía Fernández")
    page.get_by_label("Correo electrónico").fill("lucia@example.com")
    # Too short first: said beside the field, in Spanish, and nothing is created.
    page.get_by_label("Contraseña").fill("corta")
    page.get_by_role("button", name="Crear cuenta").click()
    expect(page.locator("#password-error")).to_have_text("Usa de 10 a 256 caracteres.")
    page.get_by_label("Contraseña").fill("tortas ahogadas 33")
    page.get_by_role("button", name="Crear cuenta").click()

    page.wait_for_url("**/workspaces/new")
    expect(page.get_by_role("heading", name="Nuevo espacio de trabajo")).to_be_visible()
    expect(page.locator("select[name=country]")).to_have_value("MX")
    assert selected_label(page, "country") == "México"
    expect(page.locator("select[name=language]")).to_have_value("es")
    assert selected_label(page, "language") == "Español"
    page.get_by_label("Nombre").fill("Tortas Guadalajara")
    page.get_by_label("Ciudad").fill("Guadalajara")
    page.get_by_role("button", name="Crear").click()

    page.wait_for_url("**/app")
    expect(page.get_by_test_id("workspace-name")).to_have_text("Tortas Guadalajara")
    set_pin(page)  # the existing flow: a PIN for this device, then the directory
    # Its country's emergency numbers are there: Mexico's, not another country's.
    page.get_by_role("navigation", name="Secciones").get_by_role("link", name="Emergencias").click()
    expect(page.get_by_test_id("quick-dial")).to_contain_text("911")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    ("locale", "create"), [("es-MX", "Crear cuenta"), ("en-GB", "Create account")]
)
def test_the_sign_up_and_new_workspace_pages_read_well(
    live_server: Any, new_context: Callable[..., Any], scheme: str, locale: str, create: str
) -> None:
    page = new_context(locale=locale, color_scheme=scheme, **PHONE).new_page()
    page.goto("/signup")
    assert serious_issues(page) == []
    shot(page, f"signup-{locale}-{scheme}", full_page=True)
    page.locator("input[name=password]").fill("short")
    page.get_by_role("button", name=create).click()
    expect(page.locator("#password-error")).to_be_visible()
    assert serious_issues(page) == []
    shot(page, f"signup-errors-{locale}-{scheme}", full_page=True)
    page.locator("input[name=name]").fill("Lucía")
    page.locator("input[name=email]").fill(f"lucia-{scheme}@example.com")
    page.locator("input[name=password]").fill("tortas ahogadas 33")
    page.get_by_role("button", name=create).click()
    page.wait_for_url("**/workspaces/new")
    country = "GB" if locale == "en-GB" else "MX"
    expect(page.locator("select[name=country]")).to_have_value(country)
    assert serious_issues(page) == []
    shot(page, f"new-workspace-{locale}-{scheme}", full_page=True)


@pytest.mark.both_databases
def test_done_when_a_newcomer_sets_up_guadalajara_invites_finds_and_moves_around_unlocked(
    live_server: Any, new_context: Callable[..., Any]
) -> None:
    """Issue 16's "done when", in one go: sign up on the web, create the workspace for
    Guadalajara, invite a colleague with the share button, find "reembolsos" and "abogado", and
    move between the directory, members and the account without typing the PIN again."""
    from flask import Flask

    from tests.browser.test_app_members import FAKE_SHARE, WATCH_UNLOCK
    from tests.helpers import Auth, SyncClient
    from webapp.db import session_scope
    from webapp.workspaces.models import Workspace

    context = new_context(locale="es-MX", **PHONE)
    context.add_init_script(FAKE_SHARE)
    context.add_init_script(WATCH_UNLOCK)
    page = context.new_page()
    page.goto("/signup")
    page.get_by_label("Tu nombre").fill("Lucía Fernández")
    page.get_by_label("Correo electrónico").fill("lucia@example.com")
    page.get_by_label("Contraseña").fill("tortas ahogadas 33")
    page.get_by_role("button", name="Crear cuenta").click()
    page.wait_for_url("**/workspaces/new")
    page.get_by_label("Nombre").fill("Tortas Guadalajara")
    page.get_by_label("Ciudad").fill("Guadalajara")
    page.get_by_role("button", name="Crear").click()
    page.wait_for_url("**/app")

    # Her first two contacts, entered as any device of hers would (through sync).
    app: Flask = live_server.app
    with app.app_context(), session_scope(app) as session:
        workspace_id = session.query(Workspace.id).filter_by(name="Tortas Guadalajara").scalar()
    client = app.test_client()
    assert Auth(client).login("lucia@example.com", "tortas ahogadas 33").status_code == 302
    other_device = SyncClient(client, workspace_id)
    create(
        other_device,
        "Marta Finanzas",
        area="finance",
        when_to_contact="Reembolsos masivos o cobros dobles a clientes",
        phones=[{"number": "+523312345678"}],
    )
    create(other_device, "Licenciado Ortega", kind="legal", phones=[{"number": "+523398765432"}])

    set_pin(page)
    loads: list[str] = []
    page.on("load", lambda: loads.append(page.url))
    directory = page.get_by_test_id("directory")

    # Invite a colleague with the phone's share sheet.
    page.get_by_role("link", name="Estado", exact=True).click()
    page.get_by_test_id("open-members").click()
    page.get_by_test_id("invite").get_by_role("button", name="Crear enlace de invitación").click()
    row = page.get_by_test_id("invitation")
    link = row.get_by_test_id("invite-link").input_value()
    row.get_by_role("button", name="Compartir").click()
    shared = page.evaluate("window.__shared")
    assert [item["url"] for item in shared] == [link]

    # Find people by the problem and by what they are.
    page.get_by_role("link", name="Directorio", exact=True).click()
    search = page.get_by_role("searchbox")
    results = page.get_by_test_id("results")
    search.fill("reembolsos")
    expect(results).to_contain_text("Marta Finanzas")
    search.fill("abogado")
    expect(results).to_contain_text("Licenciado Ortega")
    expect(results).not_to_contain_text("Marta Finanzas")
    search.fill("")

    # Members, the account, and back: the app stays unlocked and never reloads.
    page.get_by_role("link", name="Estado", exact=True).click()
    page.get_by_test_id("open-members").click()
    expect(page.get_by_test_id("members")).to_contain_text("Lucía Fernández")
    page.get_by_role("link", name="Estado", exact=True).click()
    page.get_by_test_id("open-account").click()
    expect(page).to_have_url(re.compile(r"/app#account$"))
    expect(page.get_by_label("Nombre")).to_have_value("Lucía Fernández")
    page.get_by_role("link", name="Directorio", exact=True).click()
    expect(directory).to_contain_text("Licenciado Ortega")
    expect(page.get_by_test_id("unlock")).to_have_count(0)
    assert page.evaluate("window.__unlockShown") == 0
    assert loads == []
