"""Choosing and typing the PIN on a phone, in Spanish: the rule is said before typing, the
obvious PINs are refused beside the field, and after a wrong PIN the field is in view and
focused, above where the on-screen keyboard opens.

Set ENLACE_SHOTS=<folder> to keep screenshots for a look.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.app_helpers import PIN, set_pin, sign_in
from tests.browser.test_toolkit import PUBLIC, shot
from tests.toolkit import seed_numbers

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "has_touch": True}
# The height a phone's on-screen keyboard takes at 390×844 (about 40 %): what must stay visible
# after a wrong PIN is in the 844 - KEYBOARD pixels above it.
KEYBOARD = 340


def described_by(page: Page, selector: str) -> str:
    """Return the text of the elements that describe the input (aria-describedby)."""
    return page.evaluate(
        """(selector) => (document.querySelector(selector).getAttribute("aria-describedby") ?? "")
          .split(" ").filter(Boolean).map((id) => document.getElementById(id).textContent.trim())
          .join(" | ")""",
        selector,
    )


@pytest.fixture
def spanish_owner(device: Any, make_user: Callable[..., Any]) -> Any:
    """An owner whose account speaks Spanish, with a workspace of twelve public numbers."""
    owner = device(user=make_user(locale="es"))
    seed_numbers(owner, PUBLIC)
    return owner


def test_the_pin_rule_is_said_first_and_obvious_pins_are_refused_beside_the_field(
    live_server: Any, new_context: Callable[..., Any], spanish_owner: Any
) -> None:
    page = new_context(locale="es-MX", **PHONE).new_page()
    sign_in(page, spanish_owner.user.email)
    form = page.get_by_test_id("set-pin")
    expect(form).to_contain_text("6 o más dígitos, solo números.")
    # Read with the field before anything is typed.
    assert described_by(page, "#secret").startswith("6 o más dígitos, solo números.")
    shot(page, "pin-set-es")
    year = datetime.date.today().year
    refused = {
        "123456": "Una secuencia",
        "654321": "Una secuencia",
        "000000": "un solo dígito repetido",
        "111111": "un solo dígito repetido",
        f"00{year}": "un año",
        "147258": "Líneas rectas en el teclado",
        "112233": "entre los más usados",
    }
    for pin, reason in refused.items():
        form.locator("#secret").fill(pin)
        form.locator("#confirm").fill(pin)
        form.get_by_role("button", name="Guardar PIN").click()
        error = form.get_by_test_id("secret-error")
        expect(error).to_contain_text(reason)
        expect(page.locator("#secret")).to_have_attribute("aria-invalid", "true")
        assert reason in described_by(page, "#secret")
        expect(page.locator("#secret")).to_be_focused()
        expect(page.get_by_test_id("directory")).to_have_count(0)
    shot(page, "pin-refused-es")
    # Two different entries: said beside the second one.
    form.locator("#secret").fill(PIN)
    form.locator("#confirm").fill("482914")
    form.get_by_role("button", name="Guardar PIN").click()
    expect(form.get_by_test_id("secret-error")).to_have_text("Las dos entradas no coinciden.")
    expect(page.locator("#confirm")).to_be_focused()
    set_pin(page)


def test_after_a_wrong_pin_the_field_and_its_error_stay_above_the_keyboard(
    live_server: Any, new_context: Callable[..., Any], spanish_owner: Any
) -> None:
    page = new_context(locale="es-MX", **PHONE).new_page()
    sign_in(page, spanish_owner.user.email)
    set_pin(page)
    page.reload()
    box = page.get_by_test_id("unlock")
    # Quick dial's twelve numbers come first: the form starts below the fold.
    expect(page.get_by_test_id("quick-dial").locator("a.dial")).to_have_count(len(PUBLIC))
    assert box.locator("#secret").bounding_box()["y"] > PHONE["viewport"]["height"]
    box.locator("#secret").fill("730561")
    box.get_by_role("button", name="Desbloquear").click()  # a tap: the focus leaves the field

    error = page.get_by_test_id("secret-error")
    expect(error).to_contain_text("PIN incorrecto. Quedan 9 intentos")
    field = page.locator("#secret")
    expect(field).to_be_focused()
    expect(field).to_have_value("")
    assert "PIN incorrecto" in described_by(page, "#secret")
    visible = PHONE["viewport"]["height"] - KEYBOARD
    top = field.bounding_box()["y"]
    assert top >= 0, top
    for what in (error, box.get_by_role("button", name="Desbloquear")):
        bottom = what.bounding_box()["y"] + what.bounding_box()["height"]
        assert bottom <= visible, (what, bottom, visible)
    shot(page, "pin-wrong-es")
    # The next try is typed at once, and the right PIN opens the directory.
    page.keyboard.type(PIN)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("directory")).to_be_visible()
