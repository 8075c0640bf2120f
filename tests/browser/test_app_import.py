"""The Import screen and the Export section (issue 19) on a phone-sized Chromium (390 px).

An owner previews a vCard file, fixes one row and leaves another out, applies, and finds the new
contacts in the directory; the screen passes axe in light and dark; a share from the phone's
Contacts app (posted to the manifest's share target) lands in the same preview.

With ENLACE_SCREENSHOTS=<folder>, the tests also save what they show there (both languages,
light and dark), for people to look at.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.app_helpers import READY, create, set_pin, sign_in, wait_until
from tests.browser.test_app_accessibility import serious_issues
from tests.conftest import PASSWORD

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "has_touch": True}
SHOTS = os.environ.get("ENLACE_SCREENSHOTS")

# Four cards as a phone exports them: one new, one already in the directory (its number), one
# whose number cannot be a phone (fixed on screen), one without a usable number (left out).
CARDS = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Lucía Méndez\r\nN:Méndez;Lucía;;;\r\n"
    "TEL;TYPE=CELL:+52 55 1111 2222\r\nEMAIL:lucia@example.com\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Finanzas (copia)\r\nTEL:+52 55 3333 4444\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ramón Ortega\r\nTEL;TYPE=WORK:12\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Número raro\r\nTEL:99\r\nEND:VCARD\r\n"
)


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def owner_with_a_contact(device: Any, make_user: Any, locale: str) -> Any:
    owner = device(user=make_user(email=f"olga-{locale}@example.com", name="Olga", locale=locale))
    create(owner, "Finanzas", area="finance", phones=[{"number": "+525533334444"}])
    return owner


def open_import(new_context: Callable[..., Any], owner: Any, **options: Any) -> Page:
    page = new_context(**PHONE, **options).new_page()
    sign_in(page, owner.user.email)
    set_pin(page)
    page.goto("/app#workspace")
    page.get_by_test_id("open-import").click()
    expect(page.get_by_test_id("import-chooser")).to_be_visible()
    return page


def upload(page: Page, text: str = CARDS, name: str = "contactos.vcf") -> None:
    page.get_by_test_id("import-file").set_input_files(
        {"name": name, "mimeType": "text/vcard", "buffer": text.encode("utf-8")}
    )
    page.get_by_test_id("import-upload").click()
    expect(page.get_by_test_id("import-counts")).to_be_visible()


@pytest.mark.both_databases  # the apply's one transaction, then the directory from the server
def test_an_owner_previews_fixes_leaves_out_and_applies_at_390px(
    live_server: Any, new_context: Callable[..., Any], device: Any, make_user: Any
) -> None:
    owner = owner_with_a_contact(device, make_user, "en")
    page = open_import(new_context, owner, locale="en-US")
    upload(page)

    expect(page.get_by_test_id("import-counts")).to_have_text(
        "New: 1 · Already there: 1 · Need fixing: 2"
    )
    errors = page.get_by_test_id("import-group-error")
    ramon = errors.locator('[data-row="3"]')
    # The error in words: the field by its name, the reason as the server says it; never a path.
    expect(ramon).to_contain_text("Phone 1:")
    expect(ramon).not_to_contain_text("phones.0")
    expect(page.get_by_test_id("import-group-duplicate")).to_contain_text("Finanzas (copia)")
    shot(page, "import-preview-en-light")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sideways

    # Fix Ramón's number on screen; leave the other out.
    ramon.get_by_role("button", name="Fix").click()
    fix = ramon.get_by_test_id("import-fix")
    fix.get_by_label("Phone 1").fill("+52 33 1234 5678")
    fix.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_test_id("import-group-new")).to_contain_text("Ramón Ortega")
    errors.locator('[data-row="4"]').get_by_role("button", name="Leave out").click()
    expect(page.get_by_test_id("import-group-error")).to_have_count(0)
    expect(page.get_by_test_id("import-counts")).to_have_text(
        "New: 2 · Already there: 1 · Need fixing: 0"
    )

    page.get_by_test_id("import-apply-button").click()
    expect(page.get_by_test_id("import-done")).to_contain_text(
        "2 contacts added to the directory; 1 not imported."
    )
    page.get_by_test_id("import-done").get_by_role("link").click()
    directory = page.get_by_test_id("directory")
    expect(directory).to_contain_text("Lucía Méndez")
    expect(directory).to_contain_text("Ramón Ortega")
    expect(directory).not_to_contain_text("Número raro")


def test_a_file_that_is_not_contacts_says_so_and_changes_nothing(
    live_server: Any, new_context: Callable[..., Any], device: Any, make_user: Any
) -> None:
    owner = owner_with_a_contact(device, make_user, "es")
    page = open_import(new_context, owner, locale="es-MX")
    page.get_by_test_id("import-file").set_input_files(
        {"name": "foto.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff\xe0" + bytes(64)}
    )
    page.get_by_test_id("import-upload").click()
    expect(page.get_by_test_id("import-error")).to_contain_text("Ese archivo no es de contactos")
    expect(page.get_by_test_id("import-counts")).to_have_count(0)


@pytest.mark.parametrize(("scheme", "locale"), [("light", "es"), ("dark", "en"), ("dark", "es")])
def test_the_import_screen_and_export_section_pass_axe(
    live_server: Any,
    new_context: Callable[..., Any],
    device: Any,
    make_user: Any,
    scheme: str,
    locale: str,
) -> None:
    owner = owner_with_a_contact(device, make_user, locale)
    page = open_import(new_context, owner, locale=f"{locale}-MX", color_scheme=scheme)
    found = {"chooser": serious_issues(page)}
    shot(page, f"import-chooser-{locale}-{scheme}")
    upload(page)
    page.get_by_test_id("import-group-error").locator('[data-row="3"]').get_by_role(
        "button"
    ).first.click()
    expect(page.get_by_test_id("import-fix")).to_be_visible()
    found["preview with a row open"] = serious_issues(page)
    shot(page, f"import-preview-{locale}-{scheme}")
    page.goto("/app#workspace")
    expect(page.get_by_test_id("export-section")).to_be_visible()
    found["export section"] = serious_issues(page)
    page.get_by_test_id("export-section").scroll_into_view_if_needed()
    shot(page, f"export-{locale}-{scheme}")
    assert {screen: issues for screen, issues in found.items() if issues} == {}


def test_an_export_asks_for_the_password_in_place_then_downloads(
    live_server: Any,
    new_context: Callable[..., Any],
    device: Any,
    make_user: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.browser.test_app_members import age_password

    owner = owner_with_a_contact(device, make_user, "en")
    page = new_context(**PHONE, locale="en-US", accept_downloads=True).new_page()
    sign_in(page, owner.user.email)
    set_pin(page)
    age_password(monkeypatch)
    page.goto("/app#workspace")
    section = page.get_by_test_id("export-section")
    expect(section.get_by_test_id("export-warning")).to_contain_text("leaves Enlace's protection")
    section.get_by_test_id("export-csv").click()
    prompt = page.get_by_test_id("password-prompt")
    expect(prompt).to_be_visible()
    shot(page, "export-password-en-light")
    monkeypatch.undo()
    with page.expect_download() as download:
        prompt.get_by_label("Password").fill(PASSWORD)
        prompt.get_by_role("button", name=re.compile("Confirm")).click()
    assert re.fullmatch(r"enlace-brand-\d{4}-\d{2}-\d{2}\.csv", download.value.suggested_filename)
    text = Path(download.value.path()).read_text("utf-8-sig")
    assert "Finanzas" in text and "'+525533334444" in text
    expect(page.get_by_test_id("export-done")).to_be_visible()


def test_a_contact_shared_from_the_phone_lands_in_the_preview(
    live_server: Any, new_context: Callable[..., Any], device: Any, make_user: Any
) -> None:
    owner = owner_with_a_contact(device, make_user, "en")
    page = new_context(**PHONE, locale="en-US").new_page()
    sign_in(page, owner.user.email)
    set_pin(page)
    wait_until(page, READY)
    page.reload()  # now served by the worker, which catches the share
    wait_until(page, "navigator.serviceWorker.controller !== null")
    expect(page.get_by_test_id("unlock")).to_be_visible()
    from tests.browser.app_helpers import unlock

    unlock(page)
    expect(page.get_by_test_id("directory")).to_be_visible()
    # What Android does with the manifest's share_target: a multipart POST that navigates.
    page.evaluate(
        """(card) => {
          const form = document.createElement("form");
          form.method = "POST"; form.action = "/app/share"; form.enctype = "multipart/form-data";
          const input = document.createElement("input");
          input.type = "file"; input.name = "file";
          const data = new DataTransfer();
          data.items.add(new File([card], "Lucía.vcf", { type: "text/x-vcard" }));
          input.files = data.files;
          form.append(input); document.body.append(form); form.submit();
        }""",
        CARDS.split("END:VCARD\r\n")[0] + "END:VCARD\r\n",
    )
    expect(page.get_by_test_id("unlock")).to_be_visible()  # a new page load: locked again
    unlock(page)
    expect(page.get_by_test_id("import-counts")).to_have_text(
        "New: 1 · Already there: 0 · Need fixing: 0"
    )
    expect(page.get_by_test_id("import-group-new")).to_contain_text("Lucía Méndez")
