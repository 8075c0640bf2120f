"""Signing in and out through the real forms, in Chromium."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.app_helpers import set_pin
from tests.conftest import PASSWORD

WRONG = "The email or password is incorrect."


def sign_in_form(page: Page, email: str, password: str) -> None:
    """Fill the /login form and press "Sign in"."""
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_sign_in_shows_the_workspace_then_sign_out(
    live_server: Any, new_context: Callable[..., Any], make_user: Any, make_workspace: Any
) -> None:
    user = make_user(email="ana@example.com", name="Ana Pérez")
    make_workspace(name="Protección Civil Norte", owner=user)
    page = new_context().new_page()

    page.goto("/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    sign_in_form(page, "ana@example.com", PASSWORD)

    expect(page).to_have_url(f"{live_server.url}/app")
    expect(page.get_by_test_id("workspace-name")).to_have_text("Protección Civil Norte")
    set_pin(page)
    page.get_by_role("link", name="Status").click()
    page.get_by_role("link", name="My account").click()
    expect(page.get_by_label("Name")).to_have_value("Ana Pérez")
    page.go_back()
    # The account is a screen of the app: back on the status screen, still unlocked.
    expect(page.get_by_test_id("status")).to_be_visible()
    expect(page.get_by_test_id("unlock")).to_have_count(0)
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server.url}/login?next=/app")
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    # Signed out for real: the app sends this browser back to the sign-in page.
    page.goto("/app")
    expect(page).to_have_url(f"{live_server.url}/login?next=/app")


def test_wrong_password_and_unknown_email_get_the_same_message(
    live_server: Any, new_context: Callable[..., Any], make_user: Any, make_workspace: Any
) -> None:
    user = make_user(email="ana@example.com")
    make_workspace(owner=user)
    page = new_context().new_page()
    page.goto("/login")

    sign_in_form(page, "ana@example.com", "not the password")
    expect(page).to_have_url(f"{live_server.url}/login")
    expect(page.get_by_text(WRONG, exact=True)).to_be_visible()
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")

    sign_in_form(page, "nobody@example.com", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/login")
    expect(page.get_by_text(WRONG, exact=True)).to_be_visible()
    expect(page.get_by_test_id("workspace-name")).to_have_count(0)
