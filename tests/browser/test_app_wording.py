"""Issue 16 in the app at 390×844: readiness in Spanish names no code, for an owner and for a
viewer (who is told the score counts what they see); the playbook's first Call on the first
screen; an alert that reached nobody is a warning; the offline notice in the app's language."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.app_helpers import PHONE, READY, create, set_pin, sign_in, wait_until
from tests.conftest import mutation
from tests.toolkit import break_number, codes_in, incomplete_directory, put

PHONE_390 = {**PHONE, "viewport": {"width": 390, "height": 844}}
AREAS = ("finance", "customer_service", "quality", "leadership", "marketing", "operations")
CONTROLLED = "navigator.serviceWorker.controller !== null"
AXE = Axe()


def serious(page: Page) -> list[tuple[str, str]]:
    """Return axe-core's serious and critical violations on the page as it is."""
    violations = AXE.run(page).response["violations"]
    return [(v["id"], v["impact"]) for v in violations if v["impact"] in ("serious", "critical")]


def open_app(new_context: Callable[..., Any], email: str, **options: Any) -> tuple[Any, Page]:
    """Sign a member in on a phone, in Spanish unless told, and choose a PIN."""
    context = new_context(**{"locale": "es-MX", **PHONE_390, **options})
    page = context.new_page()
    sign_in(page, email)
    set_pin(page)
    return context, page


def readiness_text(page: Page) -> str:
    """Open the readiness screen and return its visible text once the checklist is there."""
    page.goto("/app#readiness")
    expect(page.get_by_test_id("readiness-gaps")).to_be_visible()
    # The checks done, too (when some are).
    page.get_by_test_id("readiness").evaluate(
        "e => e.querySelectorAll('details').forEach((d) => { d.open = true; })"
    )
    return page.get_by_test_id("readiness").inner_text()


def test_readiness_in_spanish_shows_no_code_to_an_owner_or_a_viewer(
    live_server: Any, new_context: Callable[..., Any], device: Any, make_user: Any, add_member: Any
) -> None:
    owner = device(user=make_user(locale="es"))
    incomplete_directory(owner, AREAS)
    wrong = put(owner, {"name": "Número viejo", "phones": [{"number": "+52 55 5555 0198"}]})
    break_number(live_server.app, wrong)
    put(
        owner,
        {
            "name": "Licenciada Reservada",
            "kind": "legal",
            "visibility": "restricted",
            "phones": [{"number": "+52 55 5555 0160"}],
        },
    )
    reader = make_user(locale="es")
    add_member(owner.workspace_obj, reader, "viewer")

    _, page = open_app(new_context, owner.user.email)
    shown = readiness_text(page)
    assert "Qué falta" in shown and "«Finanzas»" not in shown  # Spanish; “Persona 10” is named
    assert "Nadie de finanzas atiende fuera de horario" in shown
    assert "tipo «Médico»" in shown and "con la etiqueta «Ciberdelitos»" in shown
    assert codes_in(shown) == set(), shown
    expect(page.get_by_test_id("readiness-viewer")).to_have_count(0)
    owner_score = int(page.get_by_test_id("readiness-score").inner_text())

    _, other = open_app(new_context, reader.email, color_scheme="dark")
    seen = readiness_text(other)
    assert codes_in(seen) == set(), seen
    assert "Licenciada Reservada" not in seen
    assert "No ves ningún contacto legal" in seen and "Pide a un propietario o editor" in seen
    # The screen says why the viewer's score (no legal contact for them) is not the owner's.
    expect(other.get_by_test_id("readiness-viewer")).to_have_text(
        "Esta puntuación cuenta solo los contactos y protocolos que puedes ver. Los propietarios"
        " y editores pueden ver además los restringidos, así que su puntuación puede ser otra:"
        " pídeles que completen lo que falta."
    )
    assert int(other.get_by_test_id("readiness-score").inner_text()) < owner_score
    assert serious(other) == []  # dark


PLAYBOOK = "8d1c7a0e-0000-4000-8000-000000000016"


def test_a_playbooks_first_call_is_on_the_first_screen_and_an_alert_to_nobody_warns(
    live_server: Any, new_context: Callable[..., Any], device: Any, make_user: Any
) -> None:
    owner = device(user=make_user(locale="es"))
    first = create(owner, "Ana Legal", area="legal", phones=[{"number": "+525511113333"}])
    second = create(owner, "Bruno Prensa", phones=[{"number": "+525511114444"}])
    steps = [
        f"Paso {n}: una instrucción larga que ocupa más de una línea en un teléfono"
        for n in range(12)
    ]
    owner.sync(
        mutation(
            uuid.UUID(PLAYBOOK),
            {
                "name": "Filtración de datos de clientes en redes sociales",
                "steps": steps,
                "guidance": "Indicaciones detalladas.\n" * 10,
                "contact_ids": [first, second],
            },
            type="playbook",
        )
    )
    _, page = open_app(new_context, owner.user.email)
    wait_until(page, READY)
    page.goto(f"/app#playbook/{PLAYBOOK}")
    playbook = page.get_by_test_id("playbook")
    expect(playbook).to_be_visible()
    call = playbook.get_by_role("link", name="Llamar a Ana Legal")
    expect(call).to_be_visible()
    box = call.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 844, box
    assert page.evaluate("window.scrollY") == 0
    # Whom to call comes before the steps and the guidance.
    steps_box = playbook.get_by_role("heading", name="Pasos").bounding_box()
    assert steps_box is not None and steps_box["y"] > box["y"]

    # Nobody else has notifications on: the server queues the alert for no device.
    page.get_by_role("button", name="Alertar al equipo").click()
    dialog = page.get_by_test_id("alert-dialog")
    with page.expect_response(lambda r: r.url.endswith("/alerts")) as answer:
        dialog.get_by_role("button", name="Enviar alerta").click()
    assert answer.value.json()["recipients"] == 0
    result = dialog.get_by_test_id("alert-result")
    expect(result).to_have_class("notice notice-warn")
    expect(result).to_have_attribute("role", "alert")
    expect(result).to_contain_text("no llegó a nadie")
    for scheme in ("light", "dark"):  # the warning reads in both (contrast)
        page.emulate_media(color_scheme=scheme)
        assert serious(page) == [], scheme


def test_the_offline_notice_speaks_the_apps_language_not_the_browsers(
    live_server: Any, new_context: Callable[..., Any], device: Any, make_user: Any
) -> None:
    # A Spanish browser, a Spanish account: the user chose English in the app.
    owner = device(user=make_user(locale="es"))
    context, page = open_app(new_context, owner.user.email)
    wait_until(page, CONTROLLED)
    page.goto("/app#status")
    page.locator("#language").select_option("en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Status")

    context.set_offline(True)
    response = page.goto("/login?again")
    assert response is not None and response.from_service_worker
    notice = page.get_by_test_id("offline")
    expect(notice).to_contain_text("You are offline")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_text("Sin conexión")).to_have_count(0)

    # Nobody's app on an English browser (signed in on a server page, the app never opened):
    # the browser's language.
    other = new_context(locale="en-US", **PHONE_390)
    fresh = other.new_page()
    sign_in(fresh, make_user(locale="es").email, to="/account")
    wait_until(fresh, CONTROLLED)
    other.set_offline(True)
    fresh.goto("/login?again")
    expect(fresh.get_by_test_id("offline")).to_contain_text("You are offline")
    expect(fresh.get_by_text("Sin conexión")).to_have_count(0)
