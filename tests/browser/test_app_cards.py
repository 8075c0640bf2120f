"""What a card shows (issue 16, items 5 and 6): numbers as people of the workspace's country read
them, the contact's whole week, a partner's response and preparation times.

A member in Guadalajara on a 390×844 Chromium in Spanish; the numbers come formatted by the
server (`display`), the `tel:` links keep E.164.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.app_helpers import PHONE, create, set_pin, sign_in, unlock

# In Guadalajara, like the workspace: "available at" is said in the phone's own time.
APP_PHONE = {
    **PHONE,
    "viewport": {"width": 390, "height": 844},
    "timezone_id": "America/Mexico_City",
}
# Set ENLACE_SHOTS=<folder> to keep screenshots of a contact's and a partner's card, in both
# languages, light and dark.
SHOTS = os.environ.get("ENLACE_SHOTS")

NIGHTS = {
    "timezone": "America/Mexico_City",
    "hours": [
        {"days": [1, 2, 3, 4, 5], "from": "18:00", "to": "09:00"},
        {"days": [6, 7], "from": "00:00", "to": "24:00"},
    ],
}


def team(owner: Any) -> dict[str, str]:
    """A night guard with a local and a Spanish number, a partner with its times, a public
    emergency number; return their ids by name."""
    return {
        "Guardia nocturna": create(
            owner,
            "Guardia nocturna",
            role_title="Seguridad",
            area="operations",
            phones=[
                {"label": "Caseta", "number": "+523300000202"},
                {"label": "Madrid", "number": "+34612345678", "whatsapp": True},
            ],
            availability=NIGHTS,
        ),
        "Restaurante La Esquina": create(
            owner,
            "Restaurante La Esquina",
            kind="partner",
            phones=[{"label": "Cocina", "number": "+523311112222"}],
            partner={
                "response_minutes": 15,
                "preparation_minutes": 45,
                "procedure": "Queja por escrito al gerente; reembolso en 24 h.",
            },
        ),
        "Cruz Roja Guadalajara": create(
            owner,
            "Cruz Roja Guadalajara",
            kind="emergency",
            visibility="public",
            phones=[{"number": "+523336131177"}],
        ),
    }


def open_app(new_context: Callable[..., Any], email: str, **options: Any) -> Page:
    """Sign a member in on a phone-sized page and choose a PIN; return the page."""
    context = new_context(**{**APP_PHONE, **options})
    page = context.new_page()
    sign_in(page, email)
    set_pin(page)
    return page


def open_card(page: Page, contact_id: str) -> Any:
    page.goto(f"/app#contact/{contact_id}")
    card = page.get_by_test_id("contact")
    expect(card).to_be_visible()
    return card


def test_in_spanish_cards_show_national_numbers_the_week_and_a_partners_times(
    live_server: Any,
    new_context: Callable[..., Any],
    device: Any,
    make_user: Any,
    add_member: Any,
) -> None:
    owner = device(user=make_user(name="Marta", locale="es"))  # a workspace in Mexico
    ids = team(owner)
    page = open_app(new_context, owner.user.email, locale="es-MX")

    # The list: the number as people in Mexico write it; the link dials E.164.
    row = page.locator(".contact-row", has_text="Guardia nocturna")
    call = row.locator("a.call")
    expect(call.get_by_test_id("row-number")).to_have_text("33 0000 0202")
    expect(call).to_have_attribute("href", "tel:+523300000202")

    # The card: a national number, a foreign one in international form, the whole week.
    card = open_card(page, ids["Guardia nocturna"])
    calls = card.locator("a.call-big")
    expect(calls.locator(".number")).to_have_text(["33 0000 0202", "+34 612 34 56 78"])
    expect(calls.nth(0)).to_have_attribute("href", "tel:+523300000202")
    expect(calls.nth(1)).to_have_attribute("href", "tel:+34612345678")
    expect(card.get_by_test_id("schedule")).to_have_text(
        "Horario: lun–vie 18:00–09:00, fines de semana"
    )

    # A partner: its preparation time on its own line, beside the response time.
    card = open_card(page, ids["Restaurante La Esquina"])
    expect(card.get_by_test_id("preparation-time")).to_have_text("Tiempo de preparación45 min")
    expect(card.get_by_test_id("response-time")).to_have_text("Tiempo de respuesta15 min")
    expect(card.locator("a.call-big .number")).to_have_text("33 1111 2222")
    expect(card.get_by_test_id("schedule")).to_have_count(0)  # no hours known: no line

    # Quick dial, while locked: the same form of the public number.
    page.goto("/app#status")
    page.get_by_role("button", name="Bloquear ahora").click()
    dial = page.get_by_test_id("quick-dial").get_by_role("link", name="Cruz Roja Guadalajara")
    expect(dial.locator(".dial-number")).to_have_text("33 3613 1177")
    expect(dial).to_have_attribute("href", "tel:+523336131177")
    unlock(page)
    expect(page.get_by_test_id("unlock")).to_have_count(0)

    if SHOTS:
        shoot_cards(new_context, owner, ids, make_user, add_member)


def shoot_cards(
    new_context: Callable[..., Any],
    owner: Any,
    ids: dict[str, str],
    make_user: Any,
    add_member: Any,
) -> None:
    """Keep screenshots of the two cards in Spanish and English, light and dark."""
    for lang, locale in (("es", "es-MX"), ("en", "en-US")):
        member = make_user(name=f"Shots {lang}", locale=lang)
        add_member(owner.workspace_obj, member, "editor")
        for scheme in ("light", "dark"):
            page = open_app(new_context, member.email, locale=locale, color_scheme=scheme)
            page.screenshot(path=os.path.join(SHOTS or "", f"list-{lang}-{scheme}.png"))
            for name in ("Guardia nocturna", "Restaurante La Esquina"):
                open_card(page, ids[name])
                slug = name.split()[0].lower()
                page.screenshot(path=os.path.join(SHOTS or "", f"card-{slug}-{lang}-{scheme}.png"))
            page.context.close()
