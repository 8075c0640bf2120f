"""Helpers of the app's browser tests: a team with contacts, sign-in, PIN, polling."""

from __future__ import annotations

import time
import uuid
from typing import Any

from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, mutation

PIN = "246810"
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "has_touch": True}
CONTROLLED = "navigator.serviceWorker.controller !== null"


def wait_until(page: Page, expression: str, timeout_s: float = 10.0) -> Any:
    """Poll an expression through CDP: wait_for_function evaluates strings, which the CSP forbids."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_s} s: {expression}")
        page.wait_for_timeout(50)


def create(device: Any, name: str, **fields: Any) -> str:
    """Create a contact through POST /api/v1/sync; return its id."""
    entity_id = uuid.uuid4()
    body = device.sync(mutation(entity_id, {"name": name, **fields}))
    assert body["results"][0]["status"] == "applied", body
    return str(entity_id)


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the form and land on the app."""
    page.goto("/login?next=/app")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url("**/app")


def set_pin(page: Page, pin: str = PIN) -> None:
    """Choose the device PIN on the first screen after sign-in; wait for the directory."""
    form = page.get_by_test_id("set-pin")
    form.locator("#secret").fill(pin)
    form.locator("#confirm").fill(pin)
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("directory")).to_be_visible()


def unlock(page: Page, pin: str = PIN) -> None:
    """Type the PIN on the lock screen."""
    box = page.get_by_test_id("unlock")
    box.locator("#secret").fill(pin)
    box.locator("button[type=submit]").click()
