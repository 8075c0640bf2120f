"""The crisis toolkit in Chromium: the readiness screen of the app (with axe), the workspace
page, and the office poster printed to PDF on exactly one A4 page — numbers never broken across
lines, the QR code at least 3 cm, the sheet filled with large type.

Set ENLACE_SHOTS=<folder> to keep screenshots, the PDFs and (with pdftoppm) PNGs of them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.app_helpers import PHONE, set_pin, sign_in
from tests.browser.test_app_accessibility import serious_issues
from tests.toolkit import put, seed_numbers
from webapp.db import session_scope
from webapp.poster.service import MAX_CHOSEN, MAX_PUBLIC
from webapp.workspaces.models import Workspace

SHOTS = os.environ.get("ENLACE_SHOTS")

# The most the sheet holds (poster.service.MAX_PUBLIC and MAX_CHOSEN), with long names: twelve
# public numbers as a country's seeding would add them (service, name, number) ...
PUBLIC = [
    ("general", "Emergencias (policía, bomberos, ambulancia)", "911"),
    ("police", "Denuncia anónima", "089"),
    ("police", "Guardia Nacional", "088"),
    ("fire", "Bomberos de la Ciudad de México", "+52 55 5768 3700"),
    ("ambulance", "Cruz Roja Mexicana", "065"),
    ("ambulance", "ERUM, Escuadrón de Rescate y Urgencias Médicas", "+52 55 5683 1154"),
    ("medical", "Locatel (orientación médica)", "+52 55 5658 1111"),
    ("civil_protection", "Protección Civil", "+52 55 5683 2222"),
    ("cybercrime", "Policía cibernética de la Ciudad de México", "+52 55 5242 5100"),
    ("child_abuse_report", "Denuncia de material de abuso sexual infantil", "+52 55 5242 5101"),
    ("gender_violence", "Línea Mujeres", "+52 55 5658 1112"),
    ("other", "Centro Nacional de Atención Ciudadana", "+52 800 911 2000"),
]
# ... and eight chosen team contacts with two phones each (one of them abroad: a longer number,
# in international form).
TEAM = [
    ("Guardia nocturna de operaciones", "operations", "Jefa de turno", "+52 55 5555 0401"),
    ("Fernanda Ruiz", "finance", "Reembolsos y pagos", "+52 55 5555 0402"),
    ("Atención al cliente 24 h", "customer_service", "Coordinación de soporte", "+52 55 5555 0403"),
    ("Ing. Roberto Calidad", "quality", "Inocuidad alimentaria", "+52 55 5555 0404"),
    ("Mariana Directora de Marketing", "marketing", "Campañas y redes", "+52 55 5555 0405"),
    (
        "Dirección General (línea privada)",
        "leadership",
        "Solo emergencias graves",
        "+52 55 5555 0406",
    ),
    ("Lic. Adriana Legal", "legal", "Abogada de guardia", "+52 55 5555 0407"),
    ("Dr. Médico de empresa", "medical", "Servicio médico", "+52 55 5555 0408"),
]
ABROAD = {"quality": "+1 202 555 0199"}  # its second phone
# The printable part of an A4 page (less the 10 mm margins) in CSS pixels, and 3 cm.
PRINTABLE = {"width": 718, "height": 1047}
THREE_CM = 3 / 2.54 * 96
# Every printed number: its text's line boxes (a Range's client rects: a wrapped number has
# two tops, whatever its element's display), whether it stays inside its box, its type size;
# the QR code's size; the sheet's height with the content alone (no stretching to the page).
MEASURE = """() => {
  const sheet = document.querySelector("[data-testid=poster]");
  const numbers = [...sheet.querySelectorAll(".poster-number")].map((element) => {
    const range = document.createRange();
    range.selectNodeContents(element);
    const tops = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
    const box = element.closest("li").getBoundingClientRect();
    const own = range.getBoundingClientRect();
    return {
      text: element.textContent,
      lines: tops.size,
      inside: own.left >= box.left - 0.5 && own.right <= box.right + 0.5,
      px: parseFloat(getComputedStyle(element).fontSize),
      team: Boolean(element.closest(".poster-people")),
      long: element.classList.contains("poster-long"),
    };
  });
  const qr = sheet.querySelector(".poster-qr svg").getBoundingClientRect();
  const stretched = sheet.getBoundingClientRect().height;
  sheet.style.minHeight = "0";
  const content = sheet.getBoundingClientRect().height;
  sheet.style.minHeight = "";
  return {numbers, qr: [qr.width, qr.height], content, stretched};
}"""
assert (len(PUBLIC), len(TEAM)) == (MAX_PUBLIC, MAX_CHOSEN)


def shot(page: Page, name: str, **options: Any) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), **options)


def office(device: Any, public: int = len(PUBLIC), team: int = len(TEAM)) -> tuple[Any, list[str]]:
    """An owner's workspace with public numbers and team contacts available after hours."""
    owner = device()
    seed_numbers(owner, PUBLIC[:public])
    team = [
        put(
            owner,
            {
                "name": name,
                "area": area,
                "role_title": role,
                "visibility": "restricted" if area == "leadership" else "team",
                "phones": [
                    {"label": "móvil", "number": number},
                    {"label": "oficina", "number": ABROAD.get(area, number[:-1] + "9")},
                ],
                "availability": {"always": True},
            },
        )
        for name, area, role, number in TEAM[:team]
    ]
    return owner, team


def pdf_shots(pdf: bytes, name: str) -> None:
    """Keep the PDF and, where pdftoppm is installed, each of its pages as a PNG."""
    if not SHOTS:
        return
    folder = Path(SHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.pdf").write_bytes(pdf)
    if shutil.which("pdftoppm"):
        command = ["pdftoppm", "-png", "-r", "80", str(folder / f"{name}.pdf"), str(folder / name)]
        subprocess.run(command, check=True)  # noqa: S603 - a fixed command on a file of ours


@pytest.mark.parametrize(
    ("public", "chosen", "language"),
    [(8, 6, "es"), (MAX_PUBLIC, MAX_CHOSEN, "es"), (MAX_PUBLIC, MAX_CHOSEN, "en"), (3, 2, "es")],
    ids=["usual", "fullest", "fullest-en", "few"],
)
def test_the_poster_prints_on_one_a4_page(
    live_server: Any,
    new_context: Callable[..., Any],
    device: Any,
    public: int,
    chosen: int,
    language: str,
) -> None:
    owner, team = office(device, public, chosen)
    set_language(live_server.app, owner.workspace, language)
    listed = owner.client.get(f"/api/v1/workspaces/{owner.workspace}/public").get_json()
    shown = min(MAX_PUBLIC, len(listed["contacts"]))
    page = new_context(locale="es-MX").new_page()
    sign_in(page, owner.user.email)
    page.goto(f"/workspaces/{owner.workspace}/poster")
    # The owner's form: choose the team, save.
    for contact_id in team:
        page.locator(f"input[name=contact_ids][value='{contact_id}']").check()
    page.get_by_role("button", name=re.compile("Save the poster|Guardar el cartel")).click()
    expect(page.get_by_test_id("poster-chosen").locator("li")).to_have_count(chosen)
    # At most twelve (whatever a workspace's seeding adds, the sheet holds twelve).
    expect(page.get_by_test_id("poster-public").locator("li")).to_have_count(shown)
    # The Print button is shown by the static script (no inline script under the CSP).
    expect(page.locator("[data-print]")).to_be_visible()
    shot(page, f"poster-desktop-{public}", full_page=True)

    pdf = page.pdf(format="A4", print_background=True)
    pdf_shots(pdf, f"poster-{public}-{chosen}-{language}")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages == 1
    # The printed sheet holds the numbers and the people (the controls are not printed).
    page.emulate_media(media="print")
    page.set_viewport_size(PRINTABLE)  # A4 less the 10 mm margins, at 96 dpi
    shot(page, f"poster-print-{public}-{chosen}-{language}")
    expect(page.locator(".poster-controls")).to_be_hidden()
    expect(page.get_by_test_id("poster-choice")).to_be_hidden()
    sheet = page.get_by_test_id("poster")
    expect(sheet).to_contain_text("Guardia nocturna de operaciones")
    if chosen == MAX_CHOSEN:
        expect(sheet).to_contain_text("Dirección General (línea privada)")
        expect(sheet).to_contain_text("+1 202-555-0199")  # abroad: international form

    measured = page.evaluate(MEASURE)
    numbers = measured["numbers"]
    assert len(numbers) == shown + 2 * chosen
    # No number breaks across lines or leaves its box.
    assert [n["text"] for n in numbers if n["lines"] != 1 or not n["inside"]] == []
    # Large type: the emergency numbers at 21 pt or more, the people's at 15 pt or more (an
    # international number, longer, at 13 pt or more).
    assert min(n["px"] for n in numbers if not n["team"]) >= 28
    assert min(n["px"] for n in numbers if n["team"] and not n["long"]) >= 20
    assert min((n["px"] for n in numbers if n["long"]), default=18) >= 17
    # The QR code at least 3 cm square.
    assert min(measured["qr"]) >= THREE_CM
    # The sheet fills the page: it stretches to it, and its content alone takes most of it.
    assert measured["stretched"] >= 0.97 * PRINTABLE["height"]
    if public + chosen >= 12:
        assert measured["content"] >= 0.85 * PRINTABLE["height"], measured["content"]


def set_language(app: Any, workspace_id: str, language: str) -> None:
    """Set the workspace's language: the poster's."""
    with app.app_context(), session_scope(app) as session:
        session.get(Workspace, uuid.UUID(workspace_id)).language = language


def test_the_number_check_sees_a_wrapped_number_and_a_small_qr_code(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    """Control: the measures above fail for a number allowed to wrap in a narrow box."""
    owner, _team = office(device, public=4, team=0)
    page = new_context().new_page()
    sign_in(page, owner.user.email)
    page.goto(f"/workspaces/{owner.workspace}/poster")
    page.emulate_media(media="print")
    page.set_viewport_size(PRINTABLE)
    page.evaluate(
        """() => {
          const number = [...document.querySelectorAll(".poster-number")].at(-1);
          number.style.whiteSpace = "normal";
          number.closest("li").style.width = "25mm";
          document.querySelector(".poster-qr svg").style.width = "28mm";
        }"""
    )
    measured = page.evaluate(MEASURE)
    assert measured["numbers"][-1]["lines"] > 1
    assert min(measured["qr"]) < THREE_CM


def test_a_changed_chosen_contact_waits_for_the_owner_to_tick_it_again(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner, [night] = office(device, public=3, team=1)
    page = new_context().new_page()
    sign_in(page, owner.user.email)
    page.goto(f"/workspaces/{owner.workspace}/poster")
    box = page.locator(f"input[name=contact_ids][value='{night}']")
    box.check()
    page.get_by_role("button", name="Save the poster").click()
    expect(page.get_by_test_id("poster-chosen")).to_contain_text("55 5555 0401")

    # A personal number is added: off the sheet, flagged in the owner's chooser.
    put(
        owner,
        {"phones": [{"label": "personal", "number": "+52 55 9999 0401"}]},
        night,
        base_version=1,
    )
    page.reload()
    expect(page.get_by_test_id("poster-chosen")).to_have_count(0)
    expect(page.get_by_test_id("poster-unconfirmed")).to_be_visible()
    expect(box).not_to_be_checked()
    expect(box).to_have_accessible_description(re.compile("changed since you chose it"))
    box.check()
    page.get_by_role("button", name="Save the poster").click()
    expect(page.get_by_test_id("poster-chosen")).to_contain_text("55 9999 0401")
    expect(page.get_by_test_id("poster-unconfirmed")).to_have_count(0)


def test_the_poster_check_counts_pages(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    """Control: the same count says 2 for content that cannot fit one page."""
    owner = device()
    page = new_context().new_page()
    sign_in(page, owner.user.email)
    page.goto(f"/workspaces/{owner.workspace}/poster")
    page.evaluate(
        "() => { const s = document.querySelector('[data-testid=poster]');"
        " s.style.minHeight = '400mm'; }"
    )
    pdf = page.pdf(format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 2


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_readiness_screen_shows_the_gaps_with_links(
    live_server: Any, new_context: Callable[..., Any], device: Any, scheme: str
) -> None:
    owner = device()
    seed_numbers(owner)
    score = owner.client.get(f"/api/v1/workspaces/{owner.workspace}/readiness").get_json()["score"]
    context = new_context(**PHONE, color_scheme=scheme)
    page = context.new_page()
    sign_in(page, owner.user.email)
    set_pin(page)
    page.get_by_role("link", name="Status", exact=True).click()
    page.get_by_test_id("open-readiness").click()
    expect(page.get_by_test_id("readiness-score")).to_have_text(str(score))
    gaps = page.get_by_test_id("readiness-gaps")
    expect(gaps.locator("[data-check='area:finance']")).to_contain_text("Finance")
    found = {"readiness": serious_issues(page)}
    shot(page, f"readiness-en-{scheme}")

    # The same screen in Spanish, from the app's language setting.
    page.get_by_role("link", name="Status", exact=True).click()
    page.locator("#language").select_option("es")
    page.get_by_test_id("open-readiness").click()
    expect(page.get_by_test_id("readiness-gaps")).to_contain_text("Finanzas")
    shot(page, f"readiness-es-{scheme}")

    # A gap's link opens the form that fixes it, inside the app, pre-filled (issue 14).
    page.locator("[data-check='area:finance'] a").click()
    expect(page.get_by_test_id("contact-form")).to_be_visible()
    expect(page.locator("#f-area")).to_have_value("finance")

    # Offline it says it needs a connection.
    context.set_offline(True)
    page.evaluate("() => { location.hash = '#readiness'; }")
    expect(page.get_by_test_id("readiness-offline")).to_be_visible()
    found["readiness offline"] = serious_issues(page)
    shot(page, f"readiness-offline-{scheme}")
    context.set_offline(False)

    # The workspace page and the poster, on a phone.
    page.goto(f"/workspaces/{owner.workspace}")
    expect(page.get_by_test_id("readiness")).to_be_visible()
    found["workspace page"] = serious_issues(page)
    shot(page, f"workspace-page-{scheme}")
    page.goto(f"/workspaces/{owner.workspace}/poster")
    expect(page.get_by_test_id("poster")).to_be_visible()
    found["poster"] = serious_issues(page)
    shot(page, f"poster-phone-{scheme}")
    assert {screen: issues for screen, issues in found.items() if issues} == {}
