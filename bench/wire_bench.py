"""Bytes on the wire, headers and compression included, on a 5,000-contact workspace.

Run from the repository root (``make bench`` runs every bench/*.py script):

    .venv/bin/python bench/wire_bench.py [--only sqlite] [--contacts N]

A counting proxy (bench/lib/proxy.py) sits between the clients and the app (Werkzeug, threaded,
on loopback) and counts each answer as it crosses: status line, headers, compressed body.
Figures (issue 20):
- cold first visit, signed out: a fresh Chromium opens /app (the shell's page, which sends a
  visitor without a session to /login) until the sign-in page is loaded and the network idle (no
  service worker is installed for a visitor: static/js/boot.js); every answer's bytes;
- new device's first sync: a fresh Chromium signs in through the form, chooses a PIN, and waits
  for the directory and the worker (installed at sign-in, its precache complete): every answer
  (pages, shell, key, envelope, public list);
- files downloaded twice: on the cold visit, and on the first sync (the page's loads and the
  worker's precache);
- 1-change catch-up: an owner's device holding the full envelope asks `?since=` after an
  editor's one change, in the binary format, with its ETag: the answer with its headers;
- public list unchanged: the same device asks for the public list with the ETag it holds.
The clients ask for `gzip, deflate, br` as Chromium does. No figure is a time.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from bench.lib.browser import READY, open_app  # noqa: E402
from bench.lib.clients import EDITOR, OWNER, PASSWORD  # noqa: E402
from bench.lib.proxy import CountingProxy, Exchange, downloaded_twice, total  # noqa: E402
from bench.lib.runner import Run, main  # noqa: E402
from tests.helpers import mutation, serve, sign_in_http  # noqa: E402
from webapp.snapshot import service  # noqa: E402

FIGURES = ["wire_cold_visit", "wire_cold_twice", "wire_first_sync", "wire_delta", "wire_public_304"]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
BROWSER_ENCODINGS = {"Accept-Encoding": "gzip, deflate, br"}


def kib(value: int) -> str:
    return f"{value / 1024:.1f} KiB"


def breakdown(exchanges: list[Exchange]) -> str:
    """Say where the bytes went: static files, pages, API answers."""
    static = [e for e in exchanges if e.path.startswith("/static/")]
    api = [e for e in exchanges if e.path.startswith("/api/")]
    pages = [e for e in exchanges if e not in static and e not in api]
    return (
        f"{len(exchanges)} requests: static {kib(total(static))} ({len(static)}), "
        f"pages {kib(total(pages))} ({len(pages)}), API {kib(total(api))} ({len(api)})"
    )


def largest(exchanges: list[Exchange], count: int = 8) -> str:
    """Name the answers that weigh most, ids shortened (where a figure's bytes went)."""
    heaviest = sorted(exchanges, key=lambda e: e.received, reverse=True)[:count]
    return ", ".join(f"{_short(e.path)} {kib(e.received)}" for e in heaviest)


def _short(path: str) -> str:
    parts = [
        part[:8] + "…" if len(part) == 36 and part.count("-") == 4 else part
        for part in path.split("/")
    ]
    return "/".join(parts)


def wait_for(page, expression: str) -> None:  # type: ignore[no-untyped-def]
    while not page.evaluate(expression):
        page.wait_for_timeout(50)


def browser_figures(run: Run, base: str, proxy: CountingProxy) -> None:
    results = run.results
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(base_url=base, viewport={"width": 360, "height": 740})
            context.set_default_timeout(120_000)
            page = context.new_page()
            proxy.reset()
            page.goto("/app")
            page.wait_for_url("**/login**")
            page.wait_for_load_state("networkidle")
            cold = proxy.reset()
            results.show("wire_cold_visit", total(cold), breakdown(cold))
            context.close()

            context = browser.new_context(base_url=base, viewport={"width": 360, "height": 740})
            context.set_default_timeout(120_000)
            page = context.new_page()
            proxy.reset()
            open_app(page, base, OWNER, PASSWORD)
            wait_for(page, READY)
            first = proxy.reset()
            envelope = [e for e in first if "/snapshot" in e.path and "/keys/" not in e.path]
            others = [e for e in first if not e.path.startswith("/static/")]
            detail = (
                f"{breakdown(first)}; envelope {kib(total(envelope))}; "
                f"heaviest besides static files: {largest(others)}"
            )
            results.show("wire_first_sync", total(first), detail)
            twice = downloaded_twice(cold) + downloaded_twice(first)
            results.show("wire_cold_twice", len(twice), ", ".join(twice[:5]) or "each file once")
            context.close()
        finally:
            browser.close()


def api_figures(run: Run, base: str, proxy: CountingProxy) -> None:
    results = run.results
    workspace = run.seeded.workspace_id
    owner = sign_in_http(base, OWNER, PASSWORD, headers=BROWSER_ENCODINGS)
    editor = sign_in_http(base, EDITOR, PASSWORD, headers=BROWSER_ENCODINGS)
    url = f"{base}/api/v1/workspaces/{workspace}/snapshot"
    binary = {"Accept": f"{service.BINARY_TYPE}, application/json;q=0.5"}
    full = owner.get(url, headers=binary, timeout=120)
    full.raise_for_status()
    revision = service.read_binary(full.content)["revision"]

    entity_id, held = next(iter(run.seeded.contacts.items()))
    change = mutation(entity_id, {"role_title": "Guardia nocturna"}, base_version=held["version"])
    answer = editor.post(
        f"{base}/api/v1/sync",
        json={"workspace": workspace, "cursor": revision, "mutations": [change]},
        timeout=60,
    )
    answer.raise_for_status()
    assert answer.json()["results"][0]["status"] == "applied", answer.text

    proxy.reset()
    delta = owner.get(
        f"{url}?since={revision}",
        headers={**binary, "If-None-Match": full.headers["ETag"]},
        timeout=60,
    )
    caught = proxy.reset()
    body = service.read_binary(delta.content)
    assert body.get("base") == revision, body
    detail = f"{len(delta.content)} B body + headers, {delta.headers['Content-Type']}"
    results.show("wire_delta", total(caught), detail)

    public = f"{base}/api/v1/workspaces/{workspace}/public"
    first = owner.get(public, timeout=60)
    first.raise_for_status()
    sized = proxy.reset()
    again = owner.get(public, headers={"If-None-Match": first.headers["ETag"]}, timeout=60)
    unchanged = proxy.reset()
    detail = (
        f"status {again.status_code}; the list itself {kib(total(sized))} "
        f"({first.headers.get('Content-Encoding', 'identity')})"
    )
    results.show("wire_public_304", total(unchanged), detail)


def measure(run: Run) -> None:
    """Count the bytes of each scenario through the proxy."""
    with serve(run.app) as server:
        proxy = CountingProxy(server.server_port)
        base = f"http://127.0.0.1:{proxy.port}"
        try:
            browser_figures(run, base, proxy)
            api_figures(run, base, proxy)
        finally:
            proxy.close()


if __name__ == "__main__":
    sys.exit(main(__doc__ or "", FIGURES, measure))
