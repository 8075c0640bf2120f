"""The poster's chooser as a screen of the app (issue 16, items 3, 4 and 6), on a phone in
Spanish: names instead of codes, "after hours" only beside whoever answers after hours, save,
the password asked in place when it is not recent, and back to the directory without the PIN.

Set ENLACE_SHOTS=<folder> to keep screenshots of the screen (Spanish and English, light and
dark).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.app_helpers import set_pin, sign_in
from tests.browser.test_app_accessibility import serious_issues
from tests.browser.test_toolkit import shot
from tests.conftest import PASSWORD
from tests.toolkit import after_hours_team, put, seed_numbers
from webapp.auth.session import AUTH_AT
from webapp.directory import vocabulary

PHONE_390 = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "has_touch": True}
# Every code of the vocabulary whose name differs from it in Spanish: none may show.
CODES = [
    code
    for table in (vocabulary.AREAS, vocabulary.KINDS)
    for code, names in table.items()
    if names["es"].casefold() != code.casefold()
]


def office(device: Any, make_user: Any) -> tuple[Any, dict[str, str]]:
    """A Spanish-speaking owner's workspace: national numbers and the chooser's contacts."""
    owner = device(user=make_user(locale="es"))
    seed_numbers(owner)
    return owner, after_hours_team(owner)


def open_chooser(page: Page) -> None:
    """From the directory, through the Status tab, as a person would."""
    page.get_by_role("link", name=re.compile("^(Estado|Status)$")).click()
    page.get_by_test_id("open-poster").click()
    expect(page.get_by_test_id("poster-chooser")).to_be_visible()


def row(page: Page, contact_id: str):  # type: ignore[no-untyped-def]
    return page.locator(f"[data-contact='{contact_id}']")


def stored(owner: Any) -> list[str]:
    body = owner.client.get(f"/api/v1/workspaces/{owner.workspace}/poster/choice").get_json()
    return [c["id"] for c in body["contacts"] if c["confirmed"]]


def forget_password(context: BrowserContext, app: Any) -> None:
    """Age the browser's last password entry past the re-authentication window, as ten quiet
    minutes would (the signed session cookie, rewritten with the app's own serializer)."""
    name = app.config["SESSION_COOKIE_NAME"]
    serializer = app.session_interface.get_signing_serializer(app)
    [cookie] = [c for c in context.cookies() if c["name"] == name]
    data = serializer.loads(cookie["value"])
    data[AUTH_AT] = int(time.time()) - 11 * 60
    context.add_cookies([{**cookie, "value": serializer.dumps(data)}])


def test_the_spanish_chooser_names_areas_marks_night_staff_saves_and_stays_unlocked(
    live_server: Any, new_context: Callable[..., Any], device: Any, make_user: Any
) -> None:
    owner, contacts = office(device, make_user)
    page = new_context(locale="es-MX", **PHONE_390).new_page()
    sign_in(page, owner.user.email)
    set_pin(page)
    open_chooser(page)
    chooser = page.get_by_test_id("poster-choices")
    expect(chooser.get_by_role("heading", level=1)).to_have_text("Contactos del cartel")

    # Names, not codes (item 4).
    expect(row(page, contacts["night"])).to_contain_text("Operaciones")
    expect(row(page, contacts["care"])).to_contain_text("Atención al cliente")
    expect(row(page, contacts["director"])).to_contain_text("Dirección")
    expect(row(page, contacts["lawyer"])).to_contain_text("Legal")
    text = chooser.inner_text()
    assert [code for code in CODES if re.search(rf"\b{code}\b", text)] == []

    # "After hours" beside whoever answers after hours themselves (item 6) ...
    for who in ("night", "care", "director", "lawyer"):
        expect(row(page, contacts[who]).locator("[data-mark='after-hours']")).to_have_text(
            "fuera de horario"
        )
    expect(row(page, contacts["director"])).to_contain_text("restringido")
    # ... not beside day staff whose backup does: listed only on request, and unmarked.
    expect(row(page, contacts["refunds"])).to_have_count(0)
    page.get_by_test_id("poster-show-all").click()
    expect(row(page, contacts["refunds"])).to_contain_text("Finanzas")
    expect(row(page, contacts["refunds"]).locator("[data-mark='after-hours']")).to_have_count(0)
    text = chooser.inner_text()
    assert [code for code in CODES if re.search(rf"\b{code}\b", text)] == []

    # Tick two, save: printed on the poster.
    row(page, contacts["night"]).get_by_role("checkbox").check()
    row(page, contacts["director"]).get_by_role("checkbox").check()
    expect(page.get_by_test_id("poster-count")).to_have_text("2 de 8 elegidos")
    page.get_by_test_id("poster-save").click()
    expect(page.get_by_test_id("poster-message")).to_have_text(
        "Se guardaron los contactos del cartel."
    )
    assert sorted(stored(owner)) == sorted([contacts["night"], contacts["director"]])
    expect(page.get_by_test_id("poster-save")).to_be_disabled()  # nothing left to save
    href = page.get_by_test_id("poster-print").get_attribute("href")
    assert href == f"/workspaces/{owner.workspace}/poster"

    # Back to the directory: the app never locked, no PIN asked.
    page.get_by_role("link", name="Directorio", exact=True).click()
    expect(page.get_by_test_id("directory")).to_be_visible()
    expect(page.get_by_test_id("directory")).to_contain_text("Guardia nocturna")
    expect(page.get_by_test_id("unlock")).to_have_count(0)


def test_saving_asks_the_password_in_place_and_saves_after_it(
    live_server: Any, new_context: Callable[..., Any], device: Any, make_user: Any
) -> None:
    owner, contacts = office(device, make_user)
    context = new_context(locale="es-MX", **PHONE_390)
    page = context.new_page()
    sign_in(page, owner.user.email)
    set_pin(page)
    open_chooser(page)
    forget_password(context, live_server.app)

    row(page, contacts["care"]).get_by_role("checkbox").check()
    page.get_by_test_id("poster-save").click()
    reauth = page.get_by_test_id("poster-choices").get_by_test_id("reauth")
    expect(reauth).to_be_visible()
    expect(reauth).to_contain_text("pared de la oficina")
    assert stored(owner) == []

    reauth.locator("#password").fill("not the password")
    reauth.get_by_role("button", name="Confirmar", exact=True).click()
    expect(page.get_by_test_id("poster-message")).to_have_text("Contraseña incorrecta.")
    assert stored(owner) == []

    reauth.locator("#password").fill(PASSWORD)
    reauth.get_by_role("button", name="Confirmar", exact=True).click()
    expect(page.get_by_test_id("poster-message")).to_have_text(
        "Se guardaron los contactos del cartel."
    )
    assert stored(owner) == [contacts["care"]]
    expect(row(page, contacts["care"]).get_by_role("checkbox")).to_be_checked()
    # Still the app, unlocked: the directory opens without the PIN.
    page.get_by_role("link", name="Directorio", exact=True).click()
    expect(page.get_by_test_id("directory")).to_contain_text("Atención 24 h")
    expect(page.get_by_test_id("unlock")).to_have_count(0)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_chooser_has_no_serious_accessibility_issue(
    live_server: Any, new_context: Callable[..., Any], device: Any, make_user: Any, scheme: str
) -> None:
    owner, contacts = office(device, make_user)
    # A chosen contact whose phones changed since: the screen's warning shows too.
    path = f"/api/v1/workspaces/{owner.workspace}/poster/choice"
    [care] = [
        c for c in owner.client.get(path).get_json()["contacts"] if c["name"] == "Atención 24 h"
    ]
    chosen = {k: care[k] for k in ("id", "version", "fingerprint")}
    saved = owner.client.put(
        path, json={"contacts": [chosen]}, headers={"X-CSRFToken": owner.token()}
    )
    assert saved.status_code == 200
    put(owner, {"phones": [{"number": "+52 33 0000 0299"}]}, contacts["care"], base_version=1)
    found: dict[str, Any] = {}
    for lang in ("es", "en"):
        context = new_context(locale="es-MX", **PHONE_390, color_scheme=scheme)
        page = context.new_page()
        sign_in(page, owner.user.email)
        set_pin(page)
        page.get_by_role("link", name="Estado", exact=True).click()
        page.locator("#language").select_option(lang)  # the app's own language setting
        open_chooser(page)
        expect(row(page, contacts["care"]).locator(".poster-choice-changed")).to_be_visible()
        row(page, contacts["night"]).get_by_role("checkbox").check()
        found[f"chooser {lang}"] = serious_issues(page)
        shot(page, f"poster-choices-{lang}-{scheme}", full_page=True)
        forget_password(context, live_server.app)
        page.get_by_test_id("poster-save").click()
        expect(page.get_by_test_id("reauth")).to_be_visible()
        found[f"password in place {lang}"] = serious_issues(page)
        shot(page, f"poster-choices-reauth-{lang}-{scheme}")
        context.close()
    assert {screen: issues for screen, issues in found.items() if issues} == {}
