"""Running a playbook in a crisis (issue 17), in a phone-sized headless Chromium on the
5,000-contact workspace.

Run from the repository root (``make bench`` runs every bench/*.py script):

    .venv/bin/python bench/incident_bench.py [--only sqlite]

Figures: "Start incident" tapped → the first contact's Call button drawn, offline (the incident
sealed into the outbox and shown), measured in the page, median of 5; a note logged → its line
in the timeline, measured in the page from the submit, median of 7; the report for the
authorities of an incident with 300 entries: from the route change to the report drawn, plus
Chromium's A4 PDF of it (what printing does), median of 3.
"""

from __future__ import annotations

import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from bench.lib.browser import open_app  # noqa: E402
from bench.lib.clients import OWNER, PASSWORD, Device  # noqa: E402
from bench.lib.runner import Run, main  # noqa: E402
from tests.helpers import mutation, serve  # noqa: E402

FIGURES = ["incident_start_call", "incident_entry_shown", "incident_report_300"]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
ENTRIES = 300

# From the tap on Start to the first contact's Call link in the page, in the page's clock.
START = """() => new Promise((resolve) => {
  const started = performance.now();
  const drawn = () => document.querySelector("[data-testid=call-now]");
  const observer = new MutationObserver(() => {
    if (!drawn()) return;
    observer.disconnect();
    resolve(performance.now() - started);
  });
  observer.observe(document.body, { childList: true, subtree: true });
  document.querySelector("[data-testid=start-incident]").click();
})"""

# From the note's submit to one more line in the timeline.
LOG_NOTE = """() => new Promise((resolve) => {
  const count = () => document.querySelectorAll("[data-testid=timeline] .entry").length;
  const before = count();
  const started = performance.now();
  const observer = new MutationObserver(() => {
    if (count() <= before) return;
    observer.disconnect();
    resolve(performance.now() - started);
  });
  observer.observe(document.body, { childList: true, subtree: true });
  document.querySelector("[data-testid=add-note]").click();
})"""

# From the route change to the report's log table with every line.
OPEN_REPORT = """([id, rows]) => new Promise((resolve) => {
  const started = performance.now();
  const drawn = () =>
    document.querySelectorAll("[data-testid=report-timeline] tbody tr").length >= rows;
  const observer = new MutationObserver(() => {
    if (!drawn()) return;
    observer.disconnect();
    resolve(performance.now() - started);
  });
  observer.observe(document.body, { childList: true, subtree: true });
  location.hash = `#report/${id}`;
})"""


def setup(run: Run) -> tuple[str, str]:
    """A playbook of three contacts and an incident with 300 entries; return their ids."""
    device = Device(run.app, OWNER, run.seeded.workspace_id)
    contacts = list(run.seeded.contacts)[:3]
    playbook, incident = str(uuid.uuid4()), str(uuid.uuid4())
    device.sync(
        [
            mutation(
                playbook,
                {
                    "name": "Ola de reembolsos",
                    "steps": ["Llamar a Finanzas"],
                    "contact_ids": contacts,
                },
                type="playbook",
            ),
            mutation(
                incident, {"title": "Caída de pagos", "playbook_id": playbook}, type="incident"
            ),
        ]
    )
    start = datetime.now(UTC) - timedelta(hours=6)
    kinds = ["call", "note", "action", "report"]
    entries = []
    for n in range(ENTRIES):
        kind = kinds[n % 4]
        fields = {
            "incident_id": incident,
            "at": (start + timedelta(minutes=n)).isoformat(),
            "kind": kind,
            "text": f"Entrada {n}: llamada, nota o denuncia del incidente",
        }
        if kind == "call":
            fields |= {"contact_id": contacts[n % 3], "outcome": "no_answer"}
        if kind == "report":
            fields |= {"reference": f"FGJ/CDMX/{n:04d}/2026"}
        if kind == "action":
            fields |= {"step": 0}
        entries.append(mutation(uuid.uuid4(), fields, type="incident_entry"))
    for i in range(0, len(entries), 100):
        device.sync(entries[i : i + 100])
    return playbook, incident


def measure(run: Run) -> None:
    """Measure the incident figures on the seeded workspace."""
    results = run.results
    playbook, incident = setup(run)
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

            # The report of 300 entries: drawn, then printed to an A4 PDF (online: the copy
            # holds them; the view is made from memory either way).
            reports = []
            for _ in range(3):
                page.evaluate("location.hash = '#incidents'")
                expect(page.get_by_test_id("incident-list")).to_be_visible()
                drawn = page.evaluate(OPEN_REPORT, [incident, ENTRIES])
                started = time.perf_counter()
                page.emulate_media(media="print")
                page.pdf(format="A4", print_background=True)
                page.emulate_media(media="screen")
                reports.append(drawn + (time.perf_counter() - started) * 1000)
            results.show(
                "incident_report_300", statistics.median(reports), f"runs {runs_text(reports)}"
            )

            # Start, offline: five incidents started from the playbook.
            context.set_offline(True)
            starts = []
            for _ in range(5):
                page.evaluate(f"location.hash = '#playbook/{playbook}'")
                expect(page.get_by_test_id("start-incident")).to_be_visible()
                starts.append(page.evaluate(START))
                expect(page.get_by_test_id("runner")).to_be_visible()
            results.show(
                "incident_start_call", statistics.median(starts), f"runs {runs_text(starts)}"
            )

            # A note logged in the last one's timeline, seven times.
            notes = []
            for i in range(7):
                page.locator("#incident-note").fill(f"Nota {i}: folio de la policía {time.time()}")
                notes.append(page.evaluate(LOG_NOTE))
            results.show(
                "incident_entry_shown", statistics.median(notes), f"runs {runs_text(notes)}"
            )
            browser.close()


def runs_text(values: list[float]) -> str:
    """Format a few timings for the detail column."""
    return " / ".join(f"{value:.0f}" for value in values) + " ms"


if __name__ == "__main__":
    sys.exit(main(__doc__ or "", FIGURES, measure))
