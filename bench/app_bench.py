"""The app in a phone-sized headless Chromium, on a 5,000-contact workspace.

Run from the repository root (``make bench`` runs every bench/*.py script):

    .venv/bin/python bench/app_bench.py [--only sqlite]

Figures: the app shell's size (its pages, scripts and styles as served, uncompressed; icons
left out); unlock
(PIN typed → directory shown: PBKDF2 at 600,000, open the envelopes, parse, index), median of 3;
offline cold start (a reload with no connection → quick dial shown), median of 3, unthrottled and
at 4× CPU slowdown (CDP Emulation.setCPUThrottlingRate, as Lighthouse's mobile run); search
keystroke p95 at 5,000 and 50,000 generated contacts (node, bench/lib/search_bench.mjs: the
app's own search module over contacts and playbooks, every prefix of typical queries; CPU time
beside it, steadier than wall time on a shared machine). Browser times are taken from Python
around Playwright's waits, so they include its polling (≈ 10–30 ms).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from bench.lib.browser import PIN, open_app  # noqa: E402
from bench.lib.clients import OWNER, PASSWORD  # noqa: E402
from bench.lib.runner import Run, main  # noqa: E402
from tests.helpers import serve  # noqa: E402
from webapp.pages import shell  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIGURES = [
    "app_shell",
    "unlock",
    "offline_start",
    "offline_start_4x",
    "search_p95_5k",
    "search_p95_50k",
]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]


def shell_bytes(run: Run) -> int:
    """Return the bytes of the shell's pages, scripts and styles as served (icons left out)."""
    client = run.app.test_client()
    total = 0
    code = [url for url in shell.shell_urls() if url.endswith((".js", ".css"))]
    for url in ["/app", "/offline", *code]:
        response = client.get(url)
        total += len(response.get_data())
        response.close()
    return total


def timed(action, wait) -> float:  # type: ignore[no-untyped-def]
    """Return the milliseconds from `action` to the end of `wait`."""
    started = time.perf_counter()
    action()
    wait()
    return (time.perf_counter() - started) * 1000


def measure(run: Run) -> None:
    """Measure the app's figures on the seeded workspace."""
    results = run.results
    results.show("app_shell", shell_bytes(run))
    with serve(run.app) as server:
        base = f"http://127.0.0.1:{server.server_port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            context = browser.new_context(
                base_url=base, viewport={"width": 360, "height": 740}, has_touch=True
            )
            context.set_default_timeout(60_000)
            page = context.new_page()
            open_app(page, base, OWNER, PASSWORD)

            unlocks = []
            for _ in range(3):
                page.reload()
                box = page.get_by_test_id("unlock")
                box.locator("#secret").fill(PIN)
                unlocks.append(
                    timed(
                        lambda box=box: box.locator("button[type=submit]").click(),
                        lambda: expect(page.get_by_test_id("directory")).to_be_visible(),
                    )
                )
            results.show("unlock", statistics.median(unlocks), f"runs {unlocks_text(unlocks)}")

            context.set_offline(True)
            cdp = context.new_cdp_session(page)
            for name, rate in (("offline_start", 1), ("offline_start_4x", 4)):
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
                starts = [
                    timed(
                        lambda: page.goto("/app"),
                        lambda: expect(page.get_by_test_id("quick-dial")).to_be_visible(),
                    )
                    for _ in range(3)
                ]
                results.show(name, statistics.median(starts), f"runs {unlocks_text(starts)}")
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
            browser.close()

    answer = subprocess.run(
        ["node", str(ROOT / "bench" / "lib" / "search_bench.mjs"), "5000", "50000"],
        capture_output=True,
        text=True,
        check=True,
    )
    small, large = json.loads(answer.stdout)
    for name, run in (("search_p95_5k", small), ("search_p95_50k", large)):
        detail = f"index built in {run['build_ms']:.0f} ms; CPU time p95 {run['cpu_p95_ms']:.1f} ms"
        results.show(name, run["p95_ms"], detail)


def unlocks_text(values: list[float]) -> str:
    """Format a few timings for the detail column."""
    return " / ".join(f"{value:.0f}" for value in values) + " ms"


if __name__ == "__main__":
    sys.exit(main(__doc__ or "", FIGURES, measure))
