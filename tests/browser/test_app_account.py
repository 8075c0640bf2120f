"""The account, its activity and the audit log as screens of the app (issue 16), in Chromium.

A phone in Spanish in Guadalajara's time zone: moving through the account and the logs and back
to the directory never asks for the PIN again; times read in the phone's time zone; a password
change keeps this phone unlocked under its PIN while the other devices are signed out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.app_helpers import (
    DATABASES,
    PIN,
    eventually,
    set_pin,
    sign_in,
    stored_kids,
    unlock,
)
from tests.browser.test_app_accessibility import serious_issues
from tests.conftest import PASSWORD
from webapp.db import session_scope

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "has_touch": True}
ZONE = "America/Mexico_City"  # UTC−6 all year since 2022
NEW_PASSWORD = "una contraseña nueva"
# Noticed whenever the lock screen shows, from the first script of every page on.
WATCH_LOCK = """
window.__sawLock = false;
new MutationObserver(() => {
  if (document.querySelector('[data-testid="unlock"]')) window.__sawLock = true;
}).observe(document, { childList: true, subtree: true });
"""


def record_at(app: Any, when: datetime, action: str, **where: Any) -> None:
    """Write an audit event that happened at a known instant (UTC)."""
    from webapp.audit.models import AuditEvent

    with app.app_context(), session_scope(app) as session:
        session.add(AuditEvent(action=action, created_at=when, details={}, **where))


def signed_in_at_half_past_six_utc(app: Any, user: Any) -> None:
    """A sign-in of the user on 15 January 2026 at 18:30 UTC: 12:30 in Guadalajara."""
    when = datetime(2026, 1, 15, 18, 30, tzinfo=UTC)
    record_at(app, when, "auth.sign_in", actor_id=user.id, subject_id=user.id)


def stored(app: Any, model: str, user_id: Any) -> Any:
    from webapp.auth.models import User

    with app.app_context(), session_scope(app) as session:
        user = session.scalar(select(User).where(User.id == user_id))
        return getattr(user, model)


def open_phone(new_context: Callable[..., Any], **options: Any) -> Page:
    context = new_context(locale="es-MX", timezone_id=ZONE, **PHONE, **options)
    page = context.new_page()
    page.add_init_script(WATCH_LOCK)
    return page


def signed_in_and_unlocked(page: Page, email: str) -> None:
    """Sign in, choose the PIN, then reload and unlock as every later visit does."""
    sign_in(page, email)
    set_pin(page)
    page.reload()
    unlock(page)
    expect(page.get_by_test_id("directory")).to_be_visible()
    page.evaluate("window.__sawLock = false")


def phone_and_laptop(new_context: Callable[..., Any], user: Any) -> tuple[Page, Page]:
    """The user's phone, unlocked in the app, and a laptop signed in beside it."""
    page = open_phone(new_context)
    signed_in_and_unlocked(page, user.email)
    laptop = new_context(locale="es-MX").new_page()
    sign_in(laptop, user.email)
    return page, laptop


def assert_signed_out(page: Page, base_url: str) -> None:
    page.goto("/account")
    expect(page).to_have_url(f"{base_url}/login?next=/account")


def change_password(form: Any, current: str) -> None:
    """Fill the app's password form (current, then the new one twice) and send it."""
    form.get_by_label("Contraseña actual").fill(current)
    form.get_by_label("Nueva contraseña", exact=True).fill(NEW_PASSWORD)
    form.get_by_label("Repite la nueva contraseña").fill(NEW_PASSWORD)
    form.get_by_role("button", name="Cambiar contraseña").click()


@pytest.fixture
def ana(make_user: Any, make_workspace: Any) -> Any:
    """An owner whose account speaks Spanish, with a workspace in Guadalajara."""
    user = make_user(email="ana@example.com", name="Ana", locale="es")
    user.workspace = make_workspace(name="Entregas GDL", owner=user, city="Guadalajara")
    return user


def test_account_activity_and_audit_open_and_close_without_the_pin(
    live_server: Any, new_context: Callable[..., Any], ana: Any
) -> None:
    # 18:30 UTC is 12:30 in Guadalajara; 03:05 UTC is 21:05 the evening before.
    signed_in_at_half_past_six_utc(live_server.app, ana)
    record_at(
        live_server.app,
        datetime(2026, 1, 15, 3, 5, tzinfo=UTC),
        "poster.viewed",
        actor_id=ana.id,
        workspace_id=ana.workspace.id,
    )
    page = open_phone(new_context)
    signed_in_and_unlocked(page, ana.email)

    page.get_by_role("link", name="Estado", exact=True).click()
    page.get_by_test_id("open-account").click()
    account = page.get_by_test_id("account")
    expect(account.get_by_role("heading", name="Mi cuenta")).to_be_visible()
    expect(account.get_by_text(ana.email)).to_be_visible()

    # The name, saved on the server.
    account.get_by_label("Nombre").fill("Ana Ruiz")
    account.get_by_role("button", name="Guardar").click()
    expect(page.get_by_test_id("notice")).to_contain_text("Se guardaron los cambios de tu cuenta.")
    eventually(lambda: stored(live_server.app, "name", ana.id) == "Ana Ruiz")

    # The devices: this one marked.
    devices = page.get_by_test_id("devices").locator("li.device")
    expect(devices).to_have_count(1)
    expect(devices.first).to_contain_text("Este dispositivo")
    expect(devices.first).to_contain_text("Chrome")

    # The account's own activity, at the phone's local hour.
    page.get_by_test_id("open-activity").click()
    activity = page.get_by_test_id("activity")
    expect(activity.get_by_role("heading", name="Actividad de tu cuenta")).to_be_visible()
    old_sign_in = activity.locator("li.event").filter(has_text="15 ene 2026")
    expect(old_sign_in).to_contain_text("Inicio de sesión")
    expect(old_sign_in).to_contain_text("12:30")
    expect(old_sign_in).not_to_contain_text("18:30")
    expect(activity.get_by_text("auth.sign_in", exact=True)).to_have_count(0)

    # The workspace's audit log, for its owner, opened with this phone's unlock token.
    activity.get_by_role("link", name="← Mi cuenta").click()
    page.get_by_role("link", name="Estado", exact=True).click()
    page.get_by_test_id("open-audit").click()
    audit = page.get_by_test_id("audit")
    expect(audit.get_by_role("heading", name="Registro de auditoría")).to_be_visible()
    viewed = audit.locator("li.event").filter(has_text="14 ene 2026")
    expect(viewed).to_contain_text("21:05")
    expect(viewed).to_contain_text("Ana Ruiz")
    expect(audit.locator("li.event").filter(has_text="Espacio de trabajo creado")).to_have_count(1)

    # Back to the directory: still unlocked, and the PIN was never asked for.
    page.get_by_role("link", name="Directorio", exact=True).click()
    expect(page.get_by_test_id("directory")).to_be_visible()
    assert page.evaluate("window.__sawLock") is False
    assert page.url.endswith("/app#")

    # The language chosen in the app is the account's too: the server stores it.
    page.goto("/app#account")
    page.get_by_label("Idioma").select_option("en")
    expect(page.get_by_role("heading", name="My account")).to_be_visible()
    eventually(lambda: stored(live_server.app, "locale", ana.id) == "en")
    assert page.evaluate("window.__sawLock") is False


def test_changing_the_password_keeps_this_phone_unlocked_under_its_pin(
    live_server: Any, new_context: Callable[..., Any], ana: Any
) -> None:
    page, laptop = phone_and_laptop(new_context, ana)
    old_kid = stored(live_server.app, "snapshot_kid", ana.id)

    page.goto("/app#account")
    form = page.get_by_test_id("account-password")
    change_password(form, "no es la mía")
    expect(form.get_by_text("La contraseña actual es incorrecta.")).to_be_visible()
    assert stored(live_server.app, "snapshot_kid", ana.id) == old_kid

    change_password(form, PASSWORD)
    expect(page.get_by_test_id("notice")).to_contain_text("Se cambió tu contraseña.")
    new_kid = stored(live_server.app, "snapshot_kid", ana.id)
    assert new_kid != old_kid
    # This phone took the new key under its PIN, and its copy under that key, without asking.
    eventually(lambda: set(stored_kids(page, str(ana.id))) == {new_kid})
    expect(form.get_by_label("Nueva contraseña", exact=True)).to_have_value("")
    expect(page.get_by_test_id("devices").locator("li.device")).to_have_count(1)
    page.get_by_role("link", name="Directorio", exact=True).click()
    expect(page.get_by_test_id("directory")).to_be_visible()
    assert page.evaluate("window.__sawLock") is False

    # The laptop is signed out; this phone opens again with the same PIN.
    assert_signed_out(laptop, live_server.url)
    page.reload()
    unlock(page, PIN)
    expect(page.get_by_test_id("directory")).to_be_visible()


def test_signing_out_everywhere_erases_this_phone_and_signs_out_the_others(
    live_server: Any, new_context: Callable[..., Any], ana: Any
) -> None:
    page, laptop = phone_and_laptop(new_context, ana)

    page.goto("/app#account")
    everywhere = page.get_by_test_id("sign-out-everywhere")
    everywhere.get_by_role("button", name="Cerrar sesión en todos los dispositivos").click()
    expect(everywhere.get_by_text("También en este teléfono")).to_be_visible()
    everywhere.get_by_role("button", name="Cerrar sesión en todos los dispositivos").click()
    page.wait_for_url("**/login**")
    eventually(lambda: page.evaluate(DATABASES) == [])
    assert_signed_out(laptop, live_server.url)


def test_the_server_pages_that_remain_show_local_times_too(
    live_server: Any, new_context: Callable[..., Any], ana: Any
) -> None:
    signed_in_at_half_past_six_utc(live_server.app, ana)
    page = open_phone(new_context)
    sign_in(page, ana.email)
    page.goto("/account/activity")
    row = page.locator("tr").filter(has_text="15 ene 2026")
    expect(row).to_contain_text("12:30")
    expect(row).not_to_contain_text("18:30")
    expect(page.get_by_text("UTC")).to_have_count(0)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_account_screens_have_no_serious_accessibility_issue(
    live_server: Any, new_context: Callable[..., Any], ana: Any, scheme: str
) -> None:
    page = open_phone(new_context, color_scheme=scheme)
    signed_in_and_unlocked(page, ana.email)
    found = {}
    page.goto("/app#account")
    expect(page.get_by_test_id("devices")).to_be_visible()
    page.get_by_test_id("account-password").get_by_role("button", name="Cambiar contraseña").click()
    expect(page.locator("#current-password")).to_have_attribute("aria-invalid", "true")
    found["account with errors"] = serious_issues(page)
    page.get_by_test_id("sign-out-everywhere").get_by_role("button").click()
    found["sign out everywhere, asked"] = serious_issues(page)
    page.goto("/app#activity")
    expect(page.get_by_test_id("events")).to_be_visible()
    found["activity"] = serious_issues(page)
    page.goto("/app#audit")
    expect(page.get_by_test_id("events")).to_be_visible()
    found["audit"] = serious_issues(page)
    assert {screen: issues for screen, issues in found.items() if issues} == {}
