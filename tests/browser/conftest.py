"""Browser tests: Debian's Chromium driven by Playwright against the app on a live server.

Every test here gets the ``browser`` marker. Without /usr/bin/chromium the tests are skipped
(with a loud line at the end of the run), except under CI=true where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Playwright, expect, sync_playwright

from tests.helpers import serve

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TRANSLATIONS = ROOT / "webapp" / "translations"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Generous: it bounds only a failing test, and a busy 2-core machine takes many times the usual.
TIMEOUT_MS = 30_000

CI_MESSAGE = "Chromium is required in CI: apt-get install chromium"
SKIP_REASON = f"browser tests skipped: {CHROMIUM} not found (apt-get install chromium)"
SKIP_BANNER = f"BROWSER TESTS SKIPPED: {CHROMIUM} not found"

_skipped_key = pytest.StashKey[bool]()  # set when this run skipped browser tests

# Playwright's `expect` waits 5 s by default; fail a little later, but still fast.
expect.set_options(timeout=TIMEOUT_MS)


def chromium_missing() -> bool:
    """Tell whether Debian's Chromium is absent."""
    return not CHROMIUM.exists()


def in_ci() -> bool:
    """Tell whether this run is a CI run (CI=true, as CI services set it)."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1"}


def _is_browser_test(item: pytest.Item) -> bool:
    return HERE in Path(str(item.path)).resolve().parents


def _on_second_database(item: pytest.Item) -> bool:
    """Tell whether a browser test is the PostgreSQL copy of a test not marked `both_databases`.

    A browser test checks what the page does; the server under it is the same code on either
    database, and tests/api runs that code on both. So a browser test runs on SQLite only, and
    on PostgreSQL too where the database's own behaviour reaches the screen (concurrent sync,
    the push queue, the key rewrap) — those are marked `both_databases`.
    """
    callspec = getattr(item, "callspec", None)
    if callspec is None or callspec.params.get("backend") != "postgresql":
        return False
    return item.get_closest_marker("both_databases") is None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests of this folder `browser`; skip them when Chromium is missing (not in CI).

    Deselect the PostgreSQL copies of browser tests not marked `both_databases`.
    """
    skip = chromium_missing() and not in_ci()
    deselected = [item for item in items if _is_browser_test(item) and _on_second_database(item)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        dropped = set(deselected)
        items[:] = [item for item in items if item not in dropped]
    for item in items:
        if not _is_browser_test(item):
            continue
        item.add_marker(pytest.mark.browser)
        if skip:
            item.add_marker(pytest.mark.skip(reason=SKIP_REASON))
            config.stash[_skipped_key] = True


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    """In CI, a browser test fails (in its call phase, so it reports FAILED) without Chromium."""
    if _is_browser_test(item) and chromium_missing() and in_ci():
        pytest.fail(CI_MESSAGE, pytrace=False)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config):  # type: ignore[no-untyped-def]
    """Say loudly, after the short test summary, that the browser tests did not run."""
    result = yield
    if config.stash.get(_skipped_key, False):
        terminalreporter.write_sep("!", SKIP_BANNER, yellow=True, bold=True)
    elif chromium_missing() and in_ci():
        terminalreporter.write_sep("!", f"BROWSER TESTS FAILED: {CI_MESSAGE}", red=True, bold=True)
    return result


def compile_catalogues(directory: Path) -> list[Path]:
    """Compile each .po into its .mo when missing or older, as `make translations` does.

    Returns the .mo files written.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in directory.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        # Write beside it and rename, so a concurrent `make translations` never sees half a file.
        partial = mo.with_name(f".{mo.name}.{os.getpid()}.tmp")
        with partial.open("wb") as target:
            write_mo(target, catalog)  # fuzzy entries left out, like the Makefile
        os.replace(partial, mo)
        written.append(mo)
    return written


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """The app's Spanish needs the compiled catalogue, whichever make target ran before."""
    compile_catalogues(TRANSLATIONS)


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright | None]:
    """Playwright's driver, for the whole session (None when Chromium is missing in CI)."""
    if chromium_missing():
        if in_ci():
            yield None  # pytest_runtest_call fails the test with CI_MESSAGE
            return
        pytest.skip(SKIP_REASON)
    manager = sync_playwright()
    playwright = manager.start()
    try:
        yield playwright
    finally:
        playwright.stop()


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright | None) -> Iterator[Browser | None]:
    """One headless Chromium for the whole session."""
    if playwright_instance is None:
        yield None
        return
    chromium = playwright_instance.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield chromium
    finally:
        chromium.close()


@dataclass
class LiveServer:
    """The app served over HTTP on a free loopback port."""

    url: str
    app: Flask


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """Serve the test app (fresh database per test) over real HTTP on a loopback port."""
    with serve(app) as server:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)


@pytest.fixture
def new_context(
    browser: Browser | None, live_server: LiveServer
) -> Iterator[Callable[..., BrowserContext]]:
    """Return a function that opens a fresh browser context (own cookies) on the live server.

    ``new_context(locale="es-ES")`` gives a Spanish browser; English ("en-US") by default.
    Every context is closed at teardown.
    """
    contexts: list[BrowserContext] = []

    def make(locale: str = "en-US", **options: object) -> BrowserContext:
        if browser is None:
            pytest.fail(CI_MESSAGE, pytrace=False)
        context = browser.new_context(locale=locale, base_url=live_server.url, **options)  # type: ignore[arg-type]
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
