"""Editing from the phone (issue 14), in a phone-sized headless Chromium on the 5,000-contact
workspace.

Run from the repository root (``make bench`` runs every bench/*.py script):

    .venv/bin/python bench/edit_bench.py [--only sqlite]

Figures: save → acknowledged by the server, online (Save clicked → the answer of POST
/api/v1/sync received), median of 7; 200 edits queued offline (sealed into the outbox as the app
queues them), then the connection back: time until the outbox is empty and the copy up to date,
the sync requests it took, and the longest task in the page meanwhile (PerformanceObserver
`longtask`); opening a contact's form (with the backup-contact picker) at 5,000 contacts,
measured in the page from the route change to the form drawn, median of 5.
"""

from __future__ import annotations

import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from bench.lib.browser import PIN, open_app  # noqa: E402
from bench.lib.clients import OWNER, PASSWORD  # noqa: E402
from bench.lib.runner import Run, main  # noqa: E402
from tests.helpers import serve  # noqa: E402

FIGURES = [
    "save_ack_p50",
    "offline_flush",
    "offline_flush_requests",
    "flush_long_task",
    "form_open",
]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
QUEUED = 200

# Seal and queue mutations exactly as the app does (keyring, crypto, store), with the PIN.
IMPORT_QUEUE_MODULES = """Promise.all(
  ["/static/js/store.js", "/static/js/keyring.js", "/static/js/crypto.js"].map((url) => import(url))
).then(() => true)"""
QUEUE = """async ({ userId, workspaceId, pin, mutations }) => {
  const { openStore } = await import("/static/js/store.js");
  const { openKeyring } = await import("/static/js/keyring.js");
  const { sealOutbox } = await import("/static/js/crypto.js");
  const store = await openStore(userId);
  const { key, kid } = await openKeyring(store, { userId, secret: pin });
  for (const mutation of mutations) {
    const sealed = await sealOutbox(mutation, key, { kid, userId, workspaceId });
    await store.addOutbox(workspaceId, mutation.id, sealed);
  }
  store.close();
}"""

# Long tasks from now on, kept for the bench to read.
WATCH_LONG_TASKS = """() => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
  }).observe({ type: "longtask" });
}"""

# From the route change to the form drawn (its name input in the page), in the page's clock.
OPEN_FORM = """(id) => new Promise((resolve) => {
  const started = performance.now();
  const drawn = () => document.querySelector("[data-testid=contact-form] #f-name");
  const observer = new MutationObserver(() => {
    if (!drawn()) return;
    observer.disconnect();
    resolve(performance.now() - started);
  });
  observer.observe(document.body, { childList: true, subtree: true });
  location.hash = `#edit/contact/${id}`;
})"""


def session_user_id(page) -> str:  # type: ignore[no-untyped-def]
    """Return the signed-in user's id (the app's local database is named after it)."""
    return page.evaluate("fetch('/api/v1/session').then((r) => r.json()).then((s) => s.user.id)")


def measure(run: Run) -> None:
    """Measure the editing figures on the seeded workspace."""
    results = run.results
    workspace = run.seeded.workspace_id
    ids = list(run.seeded.contacts)
    with serve(run.app) as server:
        base = f"http://127.0.0.1:{server.server_port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            context = browser.new_context(
                base_url=base, viewport={"width": 390, "height": 844}, has_touch=True
            )
            context.set_default_timeout(60_000)
            page = context.new_page()
            open_app(page, base, OWNER, PASSWORD)
            user_id = session_user_id(page)

            # Opening a form: the first one also loads the form's modules; all are counted.
            opens = []
            for entity in ids[:5]:
                page.evaluate("location.hash = '#'")
                expect(page.get_by_test_id("directory")).to_be_visible()
                opens.append(page.evaluate(OPEN_FORM, entity))
            results.show("form_open", statistics.median(opens), f"runs {runs_text(opens)}")

            # Save → acknowledged, online: a note changed and saved, seven times.
            acks = []
            for i in range(7):
                page.evaluate(f"location.hash = '#edit/contact/{ids[10]}'")
                page.locator("#f-notes").fill(f"Nota de prueba {i} {time.time()}")
                save = page.get_by_test_id("contact-form").get_by_role("button", name="Save")
                started = time.perf_counter()
                with page.expect_response(
                    lambda r: r.url.endswith("/api/v1/sync") and r.request.method == "POST"
                ):
                    save.click()
                acks.append((time.perf_counter() - started) * 1000)
                expect(page.get_by_test_id("pending")).to_have_count(0)
            results.show("save_ack_p50", statistics.median(acks), f"runs {runs_text(acks)}")

            # 200 edits queued offline, then the connection back. QUEUE's modules are imported
            # first, online: the page loaded them at this deploy's versioned addresses, which
            # are what the service worker holds, not at these plain ones.
            page.evaluate("location.hash = '#'")
            page.evaluate(IMPORT_QUEUE_MODULES)
            context.set_offline(True)
            mutations = [
                {
                    "id": str(uuid.uuid4()),
                    "type": "contact",
                    "entity_id": entity,
                    "op": "put",
                    "base_version": run.seeded.contacts[entity]["version"],
                    "fields": {"when_to_contact": f"Sin conexión {n}"},
                    "base": {},
                }
                for n, entity in enumerate(ids[100 : 100 + QUEUED])
            ]
            page.evaluate(
                QUEUE,
                {"userId": user_id, "workspaceId": workspace, "pin": PIN, "mutations": mutations},
            )
            page.reload()
            box = page.get_by_test_id("unlock")
            box.locator("#secret").fill(PIN)
            box.locator("button[type=submit]").click()
            expect(page.get_by_test_id("sync-banner")).to_contain_text(str(QUEUED))
            # The unlock's own work (opening the copy, indexing 5,000 contacts) is over once the
            # directory is drawn: only what the flush does is watched.
            expect(page.get_by_test_id("directory")).to_be_visible()
            page.wait_for_timeout(500)
            page.evaluate(WATCH_LONG_TASKS)
            posts: list[float] = []
            page.on(
                "request",
                lambda r: (
                    posts.append(time.perf_counter())
                    if r.url.endswith("/api/v1/sync") and r.method == "POST"
                    else None
                ),
            )
            started = time.perf_counter()
            context.set_offline(False)
            page.evaluate("window.dispatchEvent(new Event('online'))")
            expect(page.get_by_test_id("sync-banner")).to_have_count(0, timeout=120_000)
            flushed = (time.perf_counter() - started) * 1000
            longest = max(page.evaluate("window.__longTasks"), default=0.0)
            results.show(
                "offline_flush",
                flushed,
                f"{QUEUED} edits; POST at {[round((p - started) * 1000) for p in posts]} ms",
            )
            results.show("offline_flush_requests", len(posts))
            results.show("flush_long_task", longest, "longest task while flushing")
            browser.close()


def runs_text(values: list[float]) -> str:
    """Format a few timings for the detail column."""
    return " / ".join(f"{value:.0f}" for value in values) + " ms"


if __name__ == "__main__":
    sys.exit(main(__doc__ or "", FIGURES, measure))
