"""The service worker in Chromium: it takes control, serves an offline notice, offers updates."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.browser.app_helpers import sign_in
from webapp.pages import shell
from webapp.wire import static_prefix

CONTROLLED = "navigator.serviceWorker.controller !== null"
# The controlling worker says which version it is.
ASK_VERSION = """new Promise(resolve => {
  const channel = new MessageChannel();
  channel.port1.onmessage = event => resolve(event.data);
  navigator.serviceWorker.controller.postMessage({type: "version"}, [channel.port2]);
})"""


def wait_until(page: Any, expression: str, timeout_s: float = 10.0) -> None:
    """Poll an expression through CDP: wait_for_function evaluates strings, which the CSP forbids."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_s} s: {expression}")
        page.wait_for_timeout(50)


def test_a_page_that_needs_the_network_shows_the_offline_notice_with_its_styles(
    live_server: Any, new_context: Callable[..., Any], make_user: Any
) -> None:
    context = new_context(locale="es-ES")
    page = context.new_page()
    sign_in(page, make_user().email, to="/account")  # the worker is installed at sign-in
    wait_until(page, CONTROLLED)

    context.set_offline(True)
    response = page.goto("/login?again")
    assert response is not None and response.from_service_worker
    # One language, the browser's (nobody's app on this device yet).
    expect(page.get_by_test_id("offline")).to_contain_text("Sin conexión")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_text("You are offline")).to_have_count(0)
    # The stylesheet came from the worker's cache: the top bar is still the emergency red.
    bar = page.locator(".topbar").evaluate("e => getComputedStyle(e).backgroundColor")
    assert bar == "rgb(179, 38, 30)"


def test_without_the_worker_the_same_visit_fails_offline(
    live_server: Any, new_context: Callable[..., Any], make_user: Any
) -> None:
    context = new_context(service_workers="block")
    page = context.new_page()
    sign_in(page, make_user().email, to="/account")
    context.set_offline(True)
    with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"):
        page.goto("/login?again")


def test_a_new_version_is_offered_and_applied_only_when_the_user_asks(
    live_server: Any,
    new_context: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    make_user: Any,
) -> None:
    page = new_context().new_page()
    sign_in(page, make_user().email, to="/account")
    wait_until(page, CONTROLLED)
    first = page.evaluate(ASK_VERSION)
    assert first == shell.shell_version()
    banner = page.locator("#update-banner")
    expect(banner).to_be_hidden()

    # A deploy: the worker's bytes change. The page learns of it at its next update check.
    monkeypatch.setattr(shell, "shell_version", lambda extra=None: "0123456789abcdef")
    page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("A new version of Enlace is ready.")
    # Nothing changes until the user taps: the old worker still controls the page.
    page.wait_for_timeout(300)
    assert page.evaluate(ASK_VERSION) == first

    with page.expect_navigation():
        banner.get_by_role("button", name="Update").click()
    wait_until(page, CONTROLLED)
    assert page.evaluate(ASK_VERSION) == "0123456789abcdef"
    # The old version's cache is gone; the new one holds the shell.
    shells = page.evaluate("caches.keys().then(k => k.filter(n => n.startsWith('enlace-shell-')))")
    assert shells == ["enlace-shell-0123456789abcdef"]
    expect(banner).to_be_hidden()


def test_a_visitor_gets_the_sign_in_page_without_the_app_and_each_file_comes_once(
    live_server: Any, new_context: Callable[..., Any], make_user: Any
) -> None:
    # What reached the server, as (path, status): the page's loads and the worker's precache.
    seen: list[tuple[str, int]] = []
    app = live_server.app
    inner = app.wsgi_app

    def counting(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        def start(status: str, headers: Any, exc_info: Any = None) -> Any:
            seen.append((environ["PATH_INFO"], int(status.split()[0])))
            return start_response(status, headers, exc_info)

        return inner(environ, start)

    app.wsgi_app = counting
    page = new_context().new_page()
    page.goto("/app")  # no session, nothing on this device: sent to sign in at once
    page.wait_for_url("**/login**")
    expect(page.locator("input[name=email]")).to_be_visible()
    page.wait_for_load_state("networkidle")
    visit = [path for path, status in seen if status == 200 and path.startswith("/static/")]
    # None of the app's modules but the small one that decides (static/js/boot.js), and no
    # worker to precache them.
    app_modules = {f"{static_prefix()}/{module}" for module in shell.app_modules()}
    assert sorted(app_modules & set(visit)) == [f"{static_prefix()}/js/boot.js"]
    assert page.evaluate("navigator.serviceWorker.getRegistration().then(r => r ?? null)") is None

    sign_in(page, make_user().email)  # the worker is installed now, and precaches the app
    wait_until(page, CONTROLLED)
    downloads = [path for path, status in seen if status == 200]
    files = [path for path in downloads if path.startswith("/static/")]
    assert sorted(path for path in set(files) if files.count(path) > 1) == []
    # Every file at this deploy's versioned address (the worker's imports included), none
    # a second time at its plain one; and the whole precache list is there.
    prefix = static_prefix()
    assert [path for path in files if not path.startswith(prefix + "/")] == []
    precached = {url for url in shell.shell_urls() if url.startswith("/static/")}
    assert precached <= set(files)
    # The shell page: the visitor's, the signed-in page's, then the precache revalidates the
    # page's copy (304), no third body.
    assert [status for path, status in seen if path == "/app"] == [200, 200, 304]
