"""The app on a phone: sign in, choose a PIN, go offline, unlock, find and call; quick dial locked."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.browser.app_helpers import (
    PHONE,
    PIN,
    READY,
    create,
    set_pin,
    sign_in,
    unlock,
    wait_until,
)
from tests.conftest import mutation


def test_sign_in_set_pin_offline_unlock_search_and_call(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    create(
        owner,
        "Atención al cliente",
        area="customer_service",
        phones=[{"number": "+52 55 1234 5678"}],
    )
    create(owner, "Bomberos", kind="emergency", visibility="public", phones=[{"number": "911"}])
    create(owner, "Finanzas", area="finance", phones=[{"number": "+525511112222"}])

    context = new_context(**PHONE)
    page = context.new_page()
    sign_in(page, owner.user.email)
    set_pin(page)
    expect(page.get_by_text("Atención al cliente")).to_be_visible()
    wait_until(page, READY)

    context.set_offline(True)
    page.reload()
    expect(page.get_by_test_id("connection")).to_have_text("Offline")
    # Locked: quick dial works without the PIN.
    dial = page.get_by_test_id("quick-dial").get_by_role("link", name="Bomberos")
    expect(dial).to_have_attribute("href", "tel:911")
    unlock(page)
    page.locator("#search").fill("atencion")
    result = page.locator(".contact-row").filter(has_text="Atención al cliente")
    expect(page.locator(".contact-row")).to_have_count(1)
    result.get_by_role("link", name="Atención al cliente", exact=True).click()
    call = page.get_by_test_id("contact").get_by_role("link", name="Call Atención al cliente")
    expect(call).to_have_attribute("href", "tel:+525512345678")


def test_a_user_without_workspace_creates_one_and_lands_in_it(
    live_server: Any, new_context: Callable[..., Any], make_user: Any
) -> None:
    user = make_user(email="sola@example.com")
    page = new_context(**PHONE).new_page()
    sign_in(page, user.email)
    expect(page.get_by_test_id("no-workspace")).to_contain_text("not in any workspace yet")
    page.get_by_role("link", name="Create a workspace").click()
    page.get_by_label("Name").fill("Brigada Centro")
    page.get_by_label("Country").select_option("MX")
    page.get_by_label("City").fill("Puebla")
    # The form starts in the browser's language (English here); this team works in Spanish.
    page.get_by_label("Language of its emergency numbers and playbooks").select_option("es")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/app")
    expect(page.get_by_test_id("workspace-name")).to_have_text("Brigada Centro")
    set_pin(page)
    # It starts with Mexico's national numbers (in Spanish, the workspace's language)...
    expect(page.get_by_test_id("directory")).to_contain_text("Emergencias 911")
    # The directory's emergency group also starts with it, not with the first name (089 …).
    first_row = page.get_by_test_id("directory").locator(".contact-row").first
    expect(first_row.locator(".call")).to_have_attribute("href", "tel:911")
    # ...on quick dial, the general emergency number first.
    page.reload()
    first = page.get_by_test_id("quick-dial").get_by_role("link").first
    expect(first).to_have_attribute("href", "tel:911")
    expect(page.get_by_test_id("quick-dial").get_by_role("link")).to_have_count(3)


def test_first_use_without_a_connection_says_to_connect_once(
    live_server: Any, new_context: Callable[..., Any], make_user: Any
) -> None:
    context = new_context(**PHONE)
    page = context.new_page()
    # Signed in on a server page (the worker is installed at sign-in), the app never opened.
    sign_in(page, make_user().email, to="/account")
    wait_until(page, READY)
    context.set_offline(True)
    page.goto("/app")
    expect(page.get_by_test_id("first-use")).to_contain_text(
        "Connect once to download your directory"
    )


def test_back_online_a_change_by_another_member_arrives_as_a_small_delta(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    # A directory of some size, with text that compresses as little as real notes do.
    owner.sync(
        *[
            mutation(uuid.uuid4(), {"name": f"Proveedor {n:03d}", "notes": uuid.uuid4().hex * 2})
            for n in range(150)
        ]
    )
    finance = create(owner, "Finanzas", area="finance", phones=[{"number": "+525511112222"}])
    editor = device(owner.workspace_obj, role="editor")

    context = new_context(**PHONE)
    page = context.new_page()
    sign_in(page, owner.user.email)
    with page.expect_response(
        lambda r: "/workspaces/" in r.url and r.url.endswith("/snapshot") and r.status == 200
    ) as first:
        set_pin(page)
    full_bytes = len(first.value.body())
    page.locator("#search").fill("finanzas")
    expect(page.get_by_text("Finanzas", exact=True)).to_be_visible()

    context.set_offline(True)
    body = editor.sync(mutation(uuid.UUID(finance), {"name": "Finanzas y pagos"}, base_version=1))
    assert body["results"][0]["status"] == "applied"
    with page.expect_response(lambda r: "/snapshot?since=" in r.url and r.status == 200) as delta:
        context.set_offline(False)

    expect(page.get_by_text("Finanzas y pagos", exact=True)).to_be_visible()
    assert b'"base":' in delta.value.body()
    assert len(delta.value.body()) * 10 < full_bytes


def test_a_screen_that_could_not_load_says_so_keeps_quick_dial_and_loads_on_try_again(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    # The screens behind the unlock are loaded on demand (static/js/views/app.js); a device with
    # no connection and no cached copy of them yet sees why and can still call.
    owner = device()
    create(owner, "Finanzas", area="finance", phones=[{"number": "+525511112222"}])
    create(owner, "Bomberos", kind="emergency", visibility="public", phones=[{"number": "911"}])
    context = new_context(**PHONE, service_workers="block")
    page = context.new_page()
    page.route("**/js/views/main.js", lambda route: route.abort("internetdisconnected"))
    sign_in(page, owner.user.email)
    form = page.get_by_test_id("set-pin")
    form.locator("#secret").fill(PIN)
    form.locator("#confirm").fill(PIN)
    form.locator("button[type=submit]").click()

    failed = page.get_by_test_id("screen-failed")
    expect(failed).to_contain_text("could not be loaded")
    expect(page.locator('a[href="tel:911"]')).to_be_visible()
    expect(page.get_by_test_id("directory")).to_have_count(0)

    page.unroute("**/js/views/main.js")
    failed.get_by_role("button", name="Try again").click()
    expect(page.get_by_text("Finanzas")).to_be_visible()
    expect(failed).to_have_count(0)
