"""Search right after unlock (issue 20): the index is made in a worker, so the directory shows at
once and search answers by name meanwhile; once the index is ready the same query finds what the
cards say. The index is saved sealed for the next unlock, which loads it instead of building it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, Route, expect

from tests.browser.app_helpers import (
    DUMP_STORAGE,
    eventually,
    set_pin,
    sign_in,
    unlock,
    wait_until,
)
from tests.browser.test_app_search import SEARCH_PHONE, search, shot, spanish_workspace

WORKER_SCRIPT = "**/js/search-worker.js"
READY_MARK = "performance.getEntriesByName('enlace:search-ready')"
SAVED_MARK = "performance.getEntriesByName('enlace:search-saved')"
FOUR_CORES = "Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => 4 })"


def held_request(page: Page, held: list[Route]) -> Route:
    """Return the held request for the worker's script, once the page has made it."""
    # Route handlers run while Playwright talks to the page: each evaluate lets them run.
    return eventually(lambda: page.evaluate("0") == 0 and held)[0]


def test_search_finds_names_before_the_index_is_ready_and_everything_once_it_is(
    live_server: Any,
    new_context: Callable[..., Any],
    make_user: Any,
    make_workspace: Any,
    device: Any,
) -> None:
    team = spanish_workspace(make_user, make_workspace, device)
    # No service worker: it would answer the worker's script from its cache, past the route.
    context = new_context(locale="es-MX", service_workers="block", **SEARCH_PHONE)
    held: list[Route] = []
    released: list[bool] = []

    def hold(route: Route) -> None:
        # Two workers share the index on a machine of two cores or more: each asks for it.
        if released:
            route.continue_()
        else:
            held.append(route)

    context.route(WORKER_SCRIPT, hold)
    # A phone of four cores: two workers share the index (search-client.js `searchShares`).
    context.add_init_script(FOUR_CORES)
    page = context.new_page()
    sign_in(page, team.user.email)
    set_pin(page)

    # The index is not ready (its worker's script is held): names are found, and said so.
    held_request(page, held)
    results = search(page, "laura")
    expect(results).to_have_attribute("data-partial", "true")
    expect(results.locator(".contact-row").first).to_contain_text("Laura Méndez")
    results = search(page, "reembolsos")
    expect(results).to_contain_text("solo por nombre")
    expect(results.locator(".contact-row")).to_have_count(0)
    expect(results).not_to_contain_text("Ningún contacto")
    results = search(page, "laura")
    expect(results.locator(".contact-row")).to_have_count(1)
    shot(page, "search-names-only-es-light")
    page.emulate_media(color_scheme="dark")
    shot(page, "search-names-only-es-dark")
    page.emulate_media(color_scheme="light")
    results = search(page, "reembolsos")

    # The workers start: the query typed is answered again by the index, with what cards say.
    released.append(True)
    for route in held:
        route.continue_()
    expect(results).to_have_attribute("data-partial", "false")
    people = results.get_by_test_id("contact-results")
    expect(people.locator(".contact-row").first).to_contain_text("Laura Méndez")
    expect(results.get_by_test_id("playbook-results")).to_contain_text("reembolsos")
    expect(results).not_to_contain_text("solo por nombre")
    results = search(page, "abogado")
    expect(results.locator(".contact-row").filter(has_text="Adriana Soto")).to_be_visible()

    # Saved for the next unlock, sealed: nothing of the cards readable at rest.
    wait_until(page, f"{SAVED_MARK}.length > 0")
    stored = page.evaluate(DUMP_STORAGE)
    assert "search_index:1of2" in stored and "search_index:2of2" in stored
    for secret in ("Laura", "Méndez", "reembolsos", "pasarela", "Adriana", "nocturna"):
        assert secret not in stored, f"{secret!r} is readable at rest"

    # The next unlock loads it (nothing indexed again), and it finds what the cards say.
    context.unroute(WORKER_SCRIPT, hold)
    page.reload()
    unlock(page)
    expect(page.get_by_test_id("directory")).to_be_visible()
    ready = wait_until(page, f"{READY_MARK}[0]?.detail")
    assert ready["loaded"] is True, ready
    results = search(page, "pasarela")
    expect(results).to_have_attribute("data-partial", "false")
    people = results.get_by_test_id("contact-results")
    expect(people.locator(".contact-row").first).to_contain_text("Laura Méndez")
