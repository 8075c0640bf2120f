"""Wipes on a phone: ten wrong PINs, sign-out, a 401, a removed member's next contact."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.app_helpers import (
    DATABASES,
    DUMP_STORAGE,
    PHONE,
    create,
    eventually,
    set_pin,
    sign_in,
    stored_envelopes,
    stored_kids,
    unlock,
)


@pytest.mark.slow
def test_ten_wrong_pins_wipe_this_users_data_sign_out_and_say_so(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    create(owner, "Finanzas", phones=[{"number": "+525511112222"}])
    page = new_context(**PHONE).new_page()
    sign_in(page, owner.user.email)
    set_pin(page)
    page.reload()
    for attempt in range(1, 10):
        unlock(page, "111111")
        expect(page.get_by_test_id("secret-error")).to_contain_text(f"{10 - attempt} attempts left")
    assert page.evaluate(DATABASES) == [f"enlace-{owner.user.id}"]

    unlock(page, "111111")
    expect(page.get_by_test_id("wiped")).to_contain_text("erased from this device")
    assert page.evaluate(DATABASES) == []
    # The session went too: whoever holds the phone cannot just choose a new PIN.
    assert page.request.get("/api/v1/session").status == 401


def test_a_right_pin_after_wrong_ones_starts_the_count_again(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    page = new_context(**PHONE).new_page()
    sign_in(page, owner.user.email)
    set_pin(page)
    page.reload()
    unlock(page, "111111")
    expect(page.get_by_test_id("secret-error")).to_contain_text("9 attempts left")
    unlock(page)
    expect(page.get_by_test_id("directory")).to_be_visible()
    page.reload()
    unlock(page, "111111")
    expect(page.get_by_test_id("secret-error")).to_contain_text("9 attempts left")


def test_sign_out_in_the_app_wipes_the_device(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    page = new_context(**PHONE).new_page()
    sign_in(page, owner.user.email)
    set_pin(page)
    page.get_by_role("link", name="Status").click()
    page.get_by_test_id("sign-out").click()
    page.wait_for_url("**/login?next=/app")
    assert page.evaluate(DATABASES) == []
    assert page.evaluate("localStorage.length") == 0
    assert page.request.get("/api/v1/session").status == 401


def test_sign_out_from_a_server_page_wipes_the_device(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    page = new_context(**PHONE).new_page()
    sign_in(page, owner.user.email)
    set_pin(page)
    page.goto("/account")
    page.get_by_test_id("sign-out").click()
    page.wait_for_url("**/login")
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    assert page.evaluate(DATABASES) == []


def test_a_401_wipes_the_users_data_and_goes_to_sign_in(
    live_server: Any, new_context: Callable[..., Any], device: Any
) -> None:
    owner = device()
    context = new_context(**PHONE)
    page = context.new_page()
    sign_in(page, owner.user.email)
    set_pin(page)
    assert page.evaluate(DATABASES) == [f"enlace-{owner.user.id}"]
    context.clear_cookies()
    page.reload()
    page.wait_for_url("**/login?next=/app")
    assert page.evaluate(DATABASES) == []


@pytest.mark.both_databases
def test_a_removed_members_device_wipes_that_workspace_and_rewraps_the_new_key(
    live_server: Any,
    new_context: Callable[..., Any],
    device: Any,
    make_user: Any,
    add_member: Any,
) -> None:
    from webapp.db import session_scope
    from webapp.workspaces import service

    alpha_owner, beta_owner = device(), device()
    create(alpha_owner, "Contacto de Alpha", phones=[{"number": "+525511110000"}])
    create(beta_owner, "Contacto de Beta", phones=[{"number": "+525522220000"}])
    member = make_user(email="member@example.com")
    add_member(beta_owner.workspace_obj, member, "viewer")
    add_member(alpha_owner.workspace_obj, member, "viewer")
    alpha = str(alpha_owner.workspace_obj.id)
    beta = str(beta_owner.workspace_obj.id)

    page = new_context(**PHONE).new_page()
    sign_in(page, member.email)
    set_pin(page)
    # Both workspaces are called "Brand": open the one not shown yet, wait for its contact.
    directory = page.get_by_test_id("directory")
    alpha_first = "Contacto de Alpha" in directory.inner_text()
    page.get_by_role("link", name="Status").click()
    page.locator("[data-testid=status] ~ .card button[aria-pressed=false]").click()
    expect(directory).to_contain_text("Contacto de Beta" if alpha_first else "Contacto de Alpha")
    held = {key[0] for key in stored_envelopes(page, str(member.id))}
    assert held == {alpha, beta}
    (old_kid,) = set(stored_kids(page, str(member.id)))

    with live_server.app.app_context(), session_scope(live_server.app) as session:
        service.remove_member(session, alpha_owner.workspace_obj.id, member.id, None)

    page.reload()
    expect(page.get_by_test_id("notice")).to_contain_text("You no longer have access")
    # Nothing of the removed workspace stays anywhere the page can read (IndexedDB, Cache
    # Storage, local storage): the old key, still wrapped under the PIN, has nothing to open.
    stored = page.evaluate(DUMP_STORAGE)
    assert alpha not in stored and "Contacto de Alpha" not in stored
    unlock(page)
    expect(page.get_by_text("Contacto de Beta")).to_be_visible()
    # The removal rotated the member's key: the copy of Beta was downloaded again under it. The
    # app shows Beta's contact from the old copy first, so wait for the new key's records.
    kids = eventually(
        lambda: (k := stored_kids(page, str(member.id))) and old_kid not in k and len(k) == 2 and k
    )
    assert len(kids) == 2 and old_kid not in kids
    assert {key[0] for key in stored_envelopes(page, str(member.id))} == {beta}
    expect(page.get_by_text("Contacto de Beta")).to_be_visible()
    expect(page.get_by_text("Contacto de Alpha")).to_have_count(0)


def test_a_404_for_the_workspace_wipes_it_while_the_app_is_open(
    live_server: Any, new_context: Callable[..., Any], device: Any, make_user: Any, add_member: Any
) -> None:
    from webapp.db import session_scope
    from webapp.workspaces import service

    owner = device()
    create(owner, "Contacto del equipo", phones=[{"number": "+525511110000"}])
    member = make_user(email="member@example.com")
    add_member(owner.workspace_obj, member, "viewer")
    page = new_context(**PHONE).new_page()
    sign_in(page, member.email)
    set_pin(page)
    assert len(stored_envelopes(page, str(member.id))) == 1

    with live_server.app.app_context(), session_scope(live_server.app) as session:
        service.remove_member(session, owner.workspace_obj.id, member.id, None)
    page.get_by_role("link", name="Status").click()
    page.get_by_role("button", name="Check now").click()

    expect(page.get_by_test_id("notice")).to_contain_text("You no longer have access")
    expect(page.get_by_test_id("no-workspace")).to_be_visible()
    assert stored_envelopes(page, str(member.id)) == []
