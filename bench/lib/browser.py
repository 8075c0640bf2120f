"""The app in a bench's browser: sign in, choose the PIN, wait for the service worker."""

from __future__ import annotations

from playwright.sync_api import Page, expect

PIN = "482913"
# The worker is active: the app shell, its modules and the data are in its caches.
READY = """navigator.serviceWorker.getRegistration()
  .then(r => Boolean(r && r.active && r.active.state === "activated"))"""


def open_app(page: Page, base: str, email: str, password: str, pin: str = PIN) -> None:
    """Sign in through the form, choose the PIN, and wait for the directory and the worker.

    Timeouts are a minute: a bench may run under CPU throttling on a loaded machine.
    """
    page.goto(f"{base}/login?next=/app")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url("**/app")
    form = page.get_by_test_id("set-pin")
    form.locator("#secret").fill(pin)
    form.locator("#confirm").fill(pin)
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("directory")).to_be_visible(timeout=60_000)
    while not page.evaluate(READY):
        page.wait_for_timeout(50)
