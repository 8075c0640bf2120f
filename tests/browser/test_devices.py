"""The account page's device list, in Chromium: ending another device signs it out at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.browser.test_sign_in import sign_in_form
from tests.conftest import PASSWORD

PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


def test_ending_a_device_from_the_account_page_signs_it_out(
    live_server: Any, new_context: Callable[..., Any], make_user: Any, make_workspace: Any
) -> None:
    user = make_user(email="ana@example.com", name="Ana")
    make_workspace(owner=user)
    phone = new_context(user_agent=PHONE_UA, viewport={"width": 360, "height": 780}).new_page()
    phone.goto("/login")
    sign_in_form(phone, "ana@example.com", PASSWORD)
    expect(phone).to_have_url(f"{live_server.url}/app")
    # Leave the app shell: its own script reacts to a 401 and would race the check below.
    phone.goto("/account")
    expect(phone).to_have_url(f"{live_server.url}/account")

    laptop = new_context().new_page()
    laptop.goto("/login")
    sign_in_form(laptop, "ana@example.com", PASSWORD)
    laptop.goto("/account")
    devices = laptop.get_by_role("listitem").filter(has=laptop.get_by_role("button"))
    expect(devices).to_have_count(2)
    this_one = devices.filter(has_text="This device")
    expect(this_one).to_have_count(1)
    phone_row = devices.filter(has_text="Chrome on Android")
    expect(phone_row).to_be_visible()

    phone_row.get_by_role("button", name="Sign out").click()
    expect(laptop.get_by_text("That device is signed out.")).to_be_visible()
    expect(laptop.get_by_text("Chrome on Android")).to_have_count(0)
    expect(devices).to_have_count(1)

    # The phone's next request finds its session gone.
    phone.reload()
    expect(phone).to_have_url(f"{live_server.url}/login?next=/account")
    laptop.goto("/account")
    expect(laptop).to_have_url(f"{live_server.url}/account")


def test_device_list_speaks_spanish(
    live_server: Any, new_context: Callable[..., Any], make_user: Any
) -> None:
    make_user(email="ana@example.com", locale="es")
    page = new_context(locale="es-ES").new_page()
    page.goto("/login")
    page.get_by_label("Correo electrónico").fill("ana@example.com")
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión", exact=True).click()
    page.goto("/account")
    expect(page.get_by_role("heading", name="Dispositivos con sesión iniciada")).to_be_visible()
    expect(page.get_by_text("Este dispositivo")).to_be_visible()
