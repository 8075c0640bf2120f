"""Building the directory from the phone (issue 14): add, edit offline, conflicts, rejections.

Two browser contexts play two members on a phone-sized Chromium against the live server; what
one saves reaches the other through the server, and nothing typed is lost on the way.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.app_helpers import (
    DUMP_STORAGE,
    PHONE,
    READY,
    create,
    eventually,
    set_pin,
    sign_in,
    unlock,
    wait_until,
)

EDITOR_PHONE = {**PHONE, "viewport": {"width": 390, "height": 844}}
# Set ENLACE_SHOTS=<folder> to keep screenshots of the forms and the conflict screen (README).
SHOTS = os.environ.get("ENLACE_SHOTS")


def shot(page: Page, name: str) -> None:
    """Keep a screenshot of the page when ENLACE_SHOTS names a folder."""
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"))


def open_app(new_context: Callable[..., Any], email: str, **options: Any) -> tuple[Any, Page]:
    """Sign a member in on a phone and choose a PIN; return the context and its page."""
    context = new_context(**{**EDITOR_PHONE, **options})
    page = context.new_page()
    sign_in(page, email)
    set_pin(page)
    return context, page


def contact_names(device: Any) -> dict[str, dict[str, Any]]:
    """Return the contacts the server holds for a member, by name (a pull from cursor 0)."""
    body = device.sync(cursor=0)
    return {
        c["data"]["name"]: c["data"]
        for c in body["changes"]
        if c["type"] == "contact" and c["data"]
    }


def fill(page: Page, path: str, value: str) -> None:
    """Type into the form's input for a field path (`phones.0.number`)."""
    page.locator(f"#f-{path.replace('.', '-')}").fill(value)


def test_an_editor_adds_a_contact_and_the_other_member_sees_it(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    editor = device(owner.workspace_obj, "editor")
    _, page = open_app(new_context, editor.user.email)
    _, other = open_app(new_context, owner.user.email)

    page.get_by_test_id("new-contact").click()
    form = page.get_by_test_id("contact-form")
    fill(page, "name", "Lucía Finanzas")
    fill(page, "role_title", "Líder de finanzas")
    form.get_by_label("Area").select_option("finance")
    fill(page, "phones.0.number", "+52 55 1234 5678")
    form.get_by_test_id("preset-after-hours").click()
    form.get_by_role("button", name="Save").click()

    expect(page.get_by_test_id("contact")).to_contain_text("Lucía Finanzas")
    held = eventually(lambda: contact_names(owner).get("Lucía Finanzas"))
    assert held["phones"][0]["number"] == "+525512345678"
    assert held["area"] == "finance" and held["availability"]["hours"]

    other.get_by_role("link", name="Status").click()
    other.get_by_role("button", name="Check now").click()
    other.get_by_role("link", name="Directory").click()
    expect(other.get_by_test_id("directory")).to_contain_text("Lucía Finanzas")


def test_an_edit_made_offline_survives_a_reload_and_reaches_the_server_online(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    entity = create(owner, "Operaciones", phones=[{"number": "+525511112222"}])
    context, page = open_app(new_context, owner.user.email)
    wait_until(page, READY)
    context.set_offline(True)

    page.goto(f"/app#edit/contact/{entity}")
    fill(page, "when_to_contact", "Caídas de la app de repartidores")
    page.get_by_test_id("contact-form").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("pending")).to_be_visible()
    expect(page.get_by_test_id("sync-banner")).to_contain_text("kept on this phone")

    page.reload()
    unlock(page)
    page.goto(f"/app#contact/{entity}")
    expect(page.get_by_test_id("contact")).to_contain_text("Caídas de la app de repartidores")
    stored = page.evaluate(DUMP_STORAGE)
    assert "Caídas de la app" not in stored, "the edit is readable at rest"

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    held = eventually(lambda: contact_names(owner)["Operaciones"].get("when_to_contact"))
    assert held == "Caídas de la app de repartidores"
    expect(page.get_by_test_id("pending")).to_have_count(0)


def test_a_save_the_server_took_stays_shown_while_the_copy_cannot_catch_up(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    create(owner, "Operaciones", phones=[{"number": "+525511112222"}])
    context, page = open_app(new_context, owner.user.email)
    wait_until(page, READY)
    # The server takes the save; the copy's update after it never arrives (the connection
    # dropped between the two).
    context.route("**/snapshot*", lambda route: route.abort("internetdisconnected"))
    page.get_by_test_id("new-contact").click()
    fill(page, "name", "Lucía Finanzas")
    fill(page, "phones.0.number", "+52 55 1234 5678")
    page.get_by_test_id("contact-form").get_by_role("button", name="Save").click()
    eventually(lambda: contact_names(owner).get("Lucía Finanzas"))

    # Opened again from this phone's copy: the contact is there, not as waiting to be sent.
    page.reload()
    unlock(page)
    expect(page.get_by_role("heading", name="Lucía Finanzas")).to_be_visible()  # its page
    expect(page.get_by_test_id("pending")).to_have_count(0)
    page.get_by_role("link", name="Directory", exact=True).click()
    directory = page.get_by_test_id("directory")
    expect(directory).to_contain_text("Lucía Finanzas")
    expect(directory).to_contain_text("Operaciones")
    expect(directory.locator(".pending-mark")).to_have_count(0)
    assert "Lucía Finanzas" not in page.evaluate(DUMP_STORAGE), "readable at rest"

    # The copy catches up: the same contact, once.
    context.unroute("**/snapshot*")
    page.get_by_role("link", name="Status").click()
    page.get_by_role("button", name="Check now").click()
    page.get_by_role("link", name="Directory", exact=True).click()
    expect(directory.get_by_text("Lucía Finanzas")).to_have_count(1)


def test_a_bad_phone_shows_the_servers_message_on_its_input_and_keeps_what_was_typed(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    _, page = open_app(new_context, owner.user.email)
    page.get_by_test_id("new-contact").click()
    fill(page, "name", "Proveedor de gas")
    fill(page, "phones.0.number", "12")
    page.get_by_test_id("contact-form").get_by_role("button", name="Save").click()

    number = page.locator("#f-phones-0-number")
    expect(number).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-phones-0-number-error")).to_be_visible()
    expect(number).to_have_value("12")
    expect(page.locator("#f-name")).to_have_value("Proveedor de gas")
    expect(number).to_be_focused()

    number.fill("+52 55 3333 4444")
    page.get_by_test_id("contact-form").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("contact")).to_contain_text("Proveedor de gas")
    eventually(lambda: "Proveedor de gas" in contact_names(owner))
    expect(page.get_by_test_id("sync-banner")).to_have_count(0)


@pytest.mark.both_databases
def test_the_same_field_changed_on_two_phones_is_a_conflict_the_user_settles(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    editor = device(owner.workspace_obj, "editor")
    entity = create(
        owner, "Calidad", role_title="Jefa de calidad", phones=[{"number": "+525511112222"}]
    )
    context, page = open_app(new_context, editor.user.email)
    wait_until(page, READY)

    # Offline, the editor changes the role; meanwhile the owner changes it on the server.
    context.set_offline(True)
    page.goto(f"/app#edit/contact/{entity}")
    fill(page, "role_title", "Gerente de calidad")
    page.get_by_test_id("contact-form").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("pending")).to_be_visible()
    held = contact_names(owner)["Calidad"]
    from tests.conftest import mutation

    owner.sync(
        mutation(
            entity,
            {"role_title": "Directora de calidad"},
            base_version=1,
            base={"role_title": held["role_title"]},
        )
    )

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    banner = page.get_by_test_id("sync-banner")
    expect(banner).to_contain_text("needs your decision")
    banner.click()
    conflict = page.get_by_test_id("conflict")
    expect(conflict.get_by_test_id("mine")).to_have_text("Gerente de calidad")
    expect(conflict.get_by_test_id("theirs")).to_have_text("Directora de calidad")
    conflict.get_by_role("button", name="Keep mine").click()
    expect(page.get_by_test_id("conflicts")).to_contain_text("Nothing to settle")
    eventually(lambda: contact_names(owner)["Calidad"]["role_title"] == "Gerente de calidad")


def test_a_viewer_has_no_edit_control(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    viewer = device(owner.workspace_obj, "viewer")
    entity = create(owner, "Legal", kind="legal", phones=[{"number": "+525511112222"}])
    _, page = open_app(new_context, viewer.user.email)
    expect(page.get_by_test_id("directory")).to_contain_text("Legal")
    expect(page.get_by_test_id("new-contact")).to_have_count(0)
    page.goto(f"/app#contact/{entity}")
    expect(page.get_by_test_id("contact")).to_be_visible()
    expect(page.get_by_test_id("edit-actions")).to_have_count(0)
    page.goto(f"/app#edit/contact/{entity}")
    expect(page.get_by_test_id("notice")).to_contain_text("Only owners and editors")
    expect(page.get_by_test_id("contact-form").locator("input")).to_have_count(0)


def test_a_form_open_when_the_app_locks_comes_back_after_unlock(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    _, page = open_app(new_context, owner.user.email)
    page.get_by_test_id("new-contact").click()
    fill(page, "name", "Abogada de guardia")
    fill(page, "notes", "Solo por amenazas legales")
    page.wait_for_timeout(600)  # the draft is sealed 400 ms after the last keystroke
    page.get_by_role("link", name="Status").click()
    page.get_by_role("button", name="Lock now").click()
    expect(page.get_by_test_id("unlock")).to_be_visible()
    assert "Abogada de guardia" not in page.evaluate(DUMP_STORAGE)
    unlock(page)
    expect(page.locator("#f-name")).to_have_value("Abogada de guardia")
    expect(page.locator("#f-notes")).to_have_value("Solo por amenazas legales")


def registration_id(context: Any, page: Page) -> tuple[Any, str]:
    """Return a CDP session of the page and the service worker's registration id."""
    origin = page.url.split("/app")[0].split("/offline")[0]
    cdp = context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda e: registrations.extend(e["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    # CDP events arrive while Playwright waits (page.wait_for_timeout), not during time.sleep.
    live = eventually(
        lambda: (
            page.wait_for_timeout(50)
            or [r for r in registrations if not r["isDeleted"] and r["scopeURL"].startswith(origin)]
        )
    )
    return cdp, live[0]["registrationId"]


@pytest.mark.both_databases
def test_the_service_worker_sends_the_sealed_outbox_with_the_app_closed(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    entity = create(owner, "Marketing", phones=[{"number": "+525511112222"}])
    context, page = open_app(new_context, owner.user.email)
    wait_until(page, READY)
    context.set_offline(True)
    page.goto(f"/app#edit/contact/{entity}")
    fill(page, "notes", "Campañas: pausar anuncios programados")
    page.get_by_test_id("contact-form").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("pending")).to_be_visible()

    # The app closes; a page that is not the app stays, to reach the worker through DevTools.
    other = context.new_page()
    other.goto("/offline")
    page.close()
    context.set_offline(False)
    cdp, registration = registration_id(context, other)
    origin = live_server.url
    cdp.send(
        "ServiceWorker.dispatchSyncEvent",
        {
            "origin": origin,
            "registrationId": registration,
            "tag": "enlace-outbox",
            "lastChance": False,
        },
    )
    held = eventually(lambda: contact_names(owner)["Marketing"].get("notes"))
    assert held == "Campañas: pausar anuncios programados"

    # The app opened later finds nothing left to send.
    app = context.new_page()
    app.goto("/app")
    unlock(app)
    expect(app.get_by_test_id("directory")).to_contain_text("Marketing")
    expect(app.get_by_test_id("sync-banner")).to_have_count(0)


def test_a_delete_names_the_playbooks_that_use_it_and_can_be_undone(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    entity = create(owner, "Guardia de sistemas", phones=[{"number": "+525511112222"}])
    from tests.conftest import mutation

    owner.sync(
        mutation(
            "8d1c7a0e-0000-4000-8000-00000000000a",
            {"name": "Caída de la app", "contact_ids": [entity]},
            type="playbook",
        )
    )
    _, page = open_app(new_context, owner.user.email)
    page.goto(f"/app#contact/{entity}")
    page.get_by_test_id("edit-actions").get_by_role("button", name="Delete").click()
    dialog = page.get_by_test_id("confirm-delete")
    expect(dialog).to_contain_text("Caída de la app")
    dialog.get_by_role("button", name="Delete").click()
    expect(page.get_by_test_id("directory")).not_to_contain_text("Guardia de sistemas")
    page.get_by_test_id("undo").get_by_role("button", name="Undo").click()
    expect(page.get_by_test_id("directory")).to_contain_text("Guardia de sistemas")
    # Nothing reached the server: the undo came before the delete was sent.
    assert "Guardia de sistemas" in contact_names(owner)

    page.goto(f"/app#contact/{entity}")
    page.get_by_test_id("edit-actions").get_by_role("button", name="Delete").click()
    page.get_by_test_id("confirm-delete").get_by_role("button", name="Delete").click()
    eventually(lambda: "Guardia de sistemas" not in contact_names(owner))


def test_checked_today_in_one_tap_and_a_playbook_built_with_buttons(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    first = create(owner, "Finanzas", phones=[{"number": "+525511112222"}])
    create(owner, "Legal externo", kind="legal", phones=[{"number": "+525533334444"}])
    _, page = open_app(new_context, owner.user.email)
    page.goto(f"/app#contact/{first}")
    expect(page.get_by_test_id("last-verified")).to_contain_text("Not verified yet")
    page.get_by_role("button", name="Checked today").click()
    expect(page.get_by_test_id("last-verified")).to_contain_text("Last verified")
    eventually(lambda: contact_names(owner)["Finanzas"].get("last_verified_at"))

    page.get_by_role("link", name="Playbooks").click()
    page.get_by_test_id("new-playbook").click()
    fill(page, "name", "Tormenta de reembolsos")
    form = page.get_by_test_id("playbook-form")
    for text in ("Avisar a finanzas", "Publicar aviso"):
        form.get_by_role("button", name="Add step").click()
        form.locator("textarea[name^=steps]").last.fill(text)
    form.get_by_role("button", name="Move Step 2 up").click()
    for query, name in (("legal", "Legal externo"), ("finan", "Finanzas")):
        form.locator("#f-contact-search").fill(query)
        form.locator(".pick-list").get_by_role("button", name=name).click()
    form.get_by_role("button", name="Move Finanzas up").click()
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("playbook")).to_contain_text("Tormenta de reembolsos")
    body = eventually(
        lambda: [
            c["data"]
            for c in owner.sync(cursor=0)["changes"]
            if c["type"] == "playbook" and c["data"]
        ]
    )
    playbook = next(p for p in body if p["name"] == "Tormenta de reembolsos")
    assert playbook["steps"] == ["Publicar aviso", "Avisar a finanzas"]
    assert playbook["contact_ids"][0] == first


def test_a_readiness_fix_opens_the_form_it_names_pre_filled(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    _, page = open_app(new_context, owner.user.email)
    page.get_by_role("link", name="Status").click()
    page.get_by_role("link", name="Crisis readiness").click()
    gap = page.locator("[data-check='area:operations']")
    gap.get_by_role("link").click()
    form = page.get_by_test_id("contact-form")
    expect(form).to_be_visible()
    expect(page.locator("#f-area")).to_have_value("operations")
    expect(page.locator("#f-kind")).to_have_value("internal")


def test_in_spanish_a_form_error_and_a_conflict_read_in_spanish(
    live_server: Any, new_context: Callable[..., Any], device: Any, make_user: Any, add_member: Any
) -> None:
    from tests.conftest import mutation

    owner = device()
    ana = make_user(name="Ana", locale="es")
    add_member(owner.workspace_obj, ana, "editor")
    entity = create(
        owner,
        "Restaurante La Esquina",
        kind="partner",
        role_title="Gerente",
        phones=[{"label": "Móvil", "number": "+525511112222"}],
    )
    context, page = open_app(new_context, ana.email, locale="es-MX", color_scheme="dark")
    wait_until(page, READY)

    page.goto(f"/app#edit/contact/{entity}")
    form = page.get_by_test_id("contact-form")
    expect(form.get_by_role("heading", level=1)).to_have_text("Editar contacto")
    fill(page, "phones.0.number", "55 12")
    fill(page, "partner.preparation_minutes", "25")
    form.get_by_role("button", name="Guardar").click()
    error = page.locator("#f-phones-0-number-error")
    expect(error).to_contain_text("México")
    expect(page.locator("#f-phones-0-number")).to_have_value("55 12")
    shot(page, "formulario-contacto")
    fill(page, "phones.0.number", "55 1111 3333")
    form.get_by_role("button", name="Guardar").click()
    eventually(
        lambda: (
            (contact_names(owner)["Restaurante La Esquina"].get("partner") or {}).get(
                "preparation_minutes"
            )
            == 25
        )
    )

    context.set_offline(True)
    page.goto(f"/app#edit/contact/{entity}")
    fill(page, "role_title", "Gerente de turno noche")
    page.get_by_test_id("contact-form").get_by_role("button", name="Guardar").click()
    body = owner.sync(cursor=0)
    version = next(c["version"] for c in body["changes"] if c["entity_id"] == entity)
    owner.sync(
        mutation(
            entity,
            {"role_title": "Encargado"},
            base_version=version,
            base={"role_title": "Gerente"},
        )
    )
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    banner = page.get_by_test_id("sync-banner")
    expect(banner).to_contain_text("necesita tu decisión")
    banner.click()
    conflict = page.get_by_test_id("conflict")
    expect(conflict).to_contain_text("Alguien cambió lo mismo")
    expect(conflict.get_by_test_id("mine")).to_have_text("Gerente de turno noche")
    expect(conflict.get_by_test_id("theirs")).to_have_text("Encargado")
    shot(page, "conflicto")
    conflict.get_by_role("button", name="Quedarme con el del servidor").click()
    expect(page.get_by_test_id("conflicts")).to_contain_text("No hay nada por resolver")
    assert contact_names(owner)["Restaurante La Esquina"]["role_title"] == "Encargado"


@pytest.mark.both_databases
def test_done_when_an_editor_adds_one_edits_one_offline_and_the_other_member_sees_both(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    editor = device(owner.workspace_obj, "editor")
    entity = create(
        owner, "Atención al cliente", area="customer_service", phones=[{"number": "+525511112222"}]
    )
    context, page = open_app(new_context, editor.user.email)
    wait_until(page, READY)

    page.get_by_test_id("new-contact").click()
    fill(page, "name", "Seguridad de la oficina")
    fill(page, "phones.0.number", "55 2222 3333")
    page.get_by_test_id("contact-form").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("contact")).to_contain_text("Seguridad de la oficina")
    expect(page.get_by_test_id("pending")).to_have_count(0)

    context.set_offline(True)
    page.goto(f"/app#edit/contact/{entity}")
    fill(page, "role_title", "Supervisora nocturna")
    page.get_by_test_id("contact-form").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("pending")).to_be_visible()
    page.reload()
    unlock(page)
    page.goto(f"/app#contact/{entity}")
    expect(page.get_by_test_id("contact")).to_contain_text("Supervisora nocturna")
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.get_by_test_id("pending")).to_have_count(0)

    _, other = open_app(new_context, owner.user.email)
    directory = other.get_by_test_id("directory")
    expect(directory).to_contain_text("Seguridad de la oficina")
    expect(directory).to_contain_text("Supervisora nocturna")
    assert "Supervisora nocturna" not in page.evaluate(DUMP_STORAGE)


def test_the_app_opens_on_a_form_address_after_a_reload(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    """A reload on `#edit/contact/<id>` (a bookmark, a killed tab) opens the form after unlock."""
    owner = device()
    entity = create(owner, "Operaciones", phones=[{"number": "+525511112222"}])
    _, page = open_app(new_context, owner.user.email)
    page.goto(f"/app#edit/contact/{entity}")
    expect(page.get_by_test_id("contact-form")).to_be_visible()
    page.reload()
    unlock(page)
    expect(page.locator("#f-name")).to_have_value("Operaciones")


def test_signing_out_with_edits_not_sent_says_so_and_lets_the_user_stay(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    entity = create(owner, "Calidad", phones=[{"number": "+525511112222"}])
    context, page = open_app(new_context, owner.user.email)
    wait_until(page, READY)
    context.set_offline(True)
    page.goto(f"/app#edit/contact/{entity}")
    fill(page, "notes", "Lote de pollo retirado")
    page.get_by_test_id("contact-form").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("pending")).to_be_visible()

    page.get_by_role("link", name="Status").click()
    expect(page.get_by_test_id("outbox-state")).to_contain_text("Changes to send: 1")
    page.get_by_test_id("sign-out").click()
    confirm = page.get_by_test_id("confirm-sign-out")
    expect(confirm).to_contain_text("1 change(s) on this phone")
    confirm.get_by_role("button", name="Stay signed in").click()
    expect(page.get_by_test_id("status")).to_be_visible()

    # Back online, the edit goes; then signing out asks nothing.
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    eventually(lambda: contact_names(owner)["Calidad"].get("notes") == "Lote de pollo retirado")
    expect(page.get_by_test_id("outbox-state")).to_contain_text("Changes to send: 0")
    page.get_by_test_id("sign-out").click()
    page.wait_for_url("**/login?next=/app")


@pytest.mark.slow
def test_ten_wrong_pins_say_how_many_edits_were_lost(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    entity = create(owner, "Calidad", phones=[{"number": "+525511112222"}])
    context, page = open_app(new_context, owner.user.email)
    wait_until(page, READY)
    context.set_offline(True)
    page.goto(f"/app#edit/contact/{entity}")
    fill(page, "notes", "Perdido")
    page.get_by_test_id("contact-form").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("pending")).to_be_visible()
    page.reload()
    for _ in range(10):
        unlock(page, "305817")
    expect(page.get_by_test_id("lost-edits")).to_contain_text(
        "1 change that was not sent yet was lost"
    )
