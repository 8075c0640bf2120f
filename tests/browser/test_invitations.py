"""An owner invites someone with a link; the link works once."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.browser.app_helpers import set_pin
from tests.conftest import PASSWORD

USED = "This invitation has already been used. Ask for a new one."


def test_invitation_link_creates_an_account_once(
    live_server: Any, new_context: Callable[..., Any], make_user: Any, make_workspace: Any
) -> None:
    owner = make_user(email="owner@example.com", name="Olga Owner")
    workspace = make_workspace(name="Cruz Roja Sur", owner=owner)
    newcomer = "nuevo@example.com"

    # The owner signs in and opens the members page (the server's fallback of the app's screen).
    owner_page = new_context().new_page()
    owner_page.goto("/login")
    owner_page.get_by_label("Email").fill("owner@example.com")
    owner_page.get_by_label("Password").fill(PASSWORD)
    owner_page.get_by_role("button", name="Sign in", exact=True).click()
    expect(owner_page.get_by_test_id("workspace-name")).to_have_text("Cruz Roja Sur")
    set_pin(owner_page)
    owner_page.goto(f"/workspaces/{workspace.id}/members")
    expect(owner_page.get_by_role("heading", level=1)).to_have_text("Members and invitations")
    members_url = owner_page.url
    expect(owner_page.get_by_test_id("members")).to_contain_text("owner@example.com")
    expect(owner_page.get_by_test_id("members")).not_to_contain_text(newcomer)

    # ... and creates an editor's link, shown with its QR code.
    invite = owner_page.locator(
        "section", has=owner_page.get_by_role("heading", name="Invite someone")
    )
    invite.get_by_label("Role").select_option(label="Editor")
    invite.get_by_role("button", name="Create invitation link").click()
    link_box = owner_page.get_by_test_id("invite-link")
    expect(link_box).to_have_value(re.compile("^" + re.escape(f"{live_server.url}/invite/") + ".+"))
    link = link_box.input_value()
    expect(owner_page.locator("figure.qr svg")).to_be_visible()
    expect(owner_page.get_by_text("as Editor")).to_be_visible()

    # Someone else, in another browser, opens the link and creates an account.
    guest_page = new_context().new_page()
    guest_page.goto(link)
    expect(guest_page.get_by_role("heading", level=1)).to_have_text("Join “Cruz Roja Sur”")
    guest_page.get_by_label("Your name").fill("Nuevo Editor")
    guest_page.get_by_label("Email").fill(newcomer)
    guest_page.get_by_label("Password").fill(PASSWORD)
    guest_page.get_by_role("button", name="Create account and join").click()
    expect(guest_page).to_have_url(f"{live_server.url}/app")
    expect(guest_page.get_by_test_id("workspace-name")).to_have_text("Cruz Roja Sur")
    expect(guest_page.get_by_text("Welcome! You joined “Cruz Roja Sur”.")).to_be_visible()

    # The link works once: a third browser is told it was used.
    late_page = new_context().new_page()
    response = late_page.goto(link)
    assert response is not None and response.status == 404
    expect(late_page.get_by_test_id("invitation-error")).to_have_text(USED)
    expect(late_page.get_by_label("Your name")).to_have_count(0)

    # The owner sees the new member, as an editor.
    owner_page.goto(members_url)
    owner_page.reload()
    expect(owner_page.get_by_test_id("members")).to_contain_text(newcomer)
    row = owner_page.locator(f'[data-testid=members] li[data-email="{newcomer}"]')
    expect(row.get_by_role("combobox")).to_have_value("editor")
    expect(owner_page.get_by_text("No pending invitations.")).to_be_visible()
