"""Lighthouse 12.2.3 (mobile preset) on /app, served by the real app with the demo workspace.

Run from the repository root (``make bench`` runs every bench/*.py script):

    .venv/bin/python bench/lighthouse_bench.py [--runs N] [--keep DIR]

Lighthouse is not a dependency of the app or its tests; install it once, outside the tracked
files (bench/.lighthouse/ is gitignored):

    npm i -E --prefix bench/.lighthouse lighthouse@12.2.3

Without it (or without Chromium, CHROME_PATH or /usr/bin/chromium) the script prints a SKIPPED
line and exits 0, so that `make bench` goes on with the other scripts.

Three states of /app, each a fresh Lighthouse navigation (mobile emulation, simulated slow 4G and
4× CPU): signed out (the shell, whose boot.js sends the visitor to /login); signed in on a new device
(the session cookie passed as an extra header: the app asks to choose a PIN); and a device that
holds the locked copy (a Chromium profile signed in and given a PIN by Playwright, Lighthouse
attached to that browser with its storage kept: the unlock screen, served by the service worker).
Targets: Performance ≥ 95 (issue 20), Accessibility 100, Best Practices ≥ 95. Each state is measured
--runs times (default 3) and the median score kept; the failing audits' ids are printed for
every run; --keep writes the JSON reports to DIR.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.lib.database import prepare_database  # noqa: E402
from bench.lib.report import Results, code_version, load_average, summary  # noqa: E402
from bench.lib.runner import app_config  # noqa: E402
from tests.helpers import serve, sign_in_http  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.db import get_engine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VERSION = "12.2.3"
INSTALL = f"npm i -E --prefix bench/.lighthouse lighthouse@{VERSION}"
LOCAL_CLI = ROOT / "bench" / ".lighthouse" / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu"
FIGURES = ["lh_performance", "lh_accessibility", "lh_best_practices"]
CATEGORIES = {
    "lh_performance": "performance",
    "lh_accessibility": "accessibility",
    "lh_best_practices": "best-practices",
}


def lighthouse_cli() -> str | None:
    """Return the Lighthouse command of the pinned version, or None."""
    for candidate in (os.environ.get("ENLACE_LIGHTHOUSE"), str(LOCAL_CLI), "lighthouse"):
        if not candidate or not shutil.which(candidate):
            continue
        version = subprocess.run(
            [candidate, "--version"], capture_output=True, text=True, timeout=60
        ).stdout.strip()
        if version == VERSION:
            return candidate
        print(f"  · {candidate} is Lighthouse {version or '?'}, not {VERSION}: not used")
    return None


def chrome_path() -> str | None:
    """Return the Chromium binary Lighthouse is to drive, or None."""
    path = os.environ.get("CHROME_PATH") or "/usr/bin/chromium"
    return path if Path(path).exists() else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_lighthouse(
    cli: str, chrome: str, url: str, report: Path, extra: list[str] | None = None
) -> dict:
    """Run Lighthouse on `url` (mobile preset); return its JSON report."""
    command = [
        cli,
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES.values())}",
        f"--chrome-flags={CHROME_FLAGS}",
        *(extra or []),
    ]
    env = {**os.environ, "CHROME_PATH": chrome}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0 or not report.exists():
        raise RuntimeError(f"lighthouse failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(report.read_text())


def scores(lhr: dict) -> dict[str, float | None]:
    """Return the three category scores of a report, 0–100."""
    found = {}
    for name, category in CATEGORIES.items():
        score = lhr["categories"][category]["score"]
        found[name] = None if score is None else round(score * 100)
    return found


def describe(lhr: dict) -> None:
    """Print one run: its scores, the audits that failed, the metrics."""
    if lhr.get("runtimeError"):
        print(f"  · runtime error: {lhr['runtimeError']}")
    got = scores(lhr)
    print(
        f"  · run: final URL {lhr.get('finalDisplayedUrl')}; scores "
        + ", ".join(f"{CATEGORIES[name]} {value}" for name, value in got.items())
    )
    for category in CATEGORIES.values():
        refs = lhr["categories"][category]["auditRefs"]
        failing = []
        for ref in refs:
            audit = lhr["audits"][ref["id"]]
            mode = audit.get("scoreDisplayMode")
            if mode in ("binary", "numeric", "metricSavings") and (audit.get("score") or 0) < 0.9:
                value = audit.get("displayValue")
                failing.append(ref["id"] + (f" ({value})" if value else ""))
        if failing:
            print(f"  · {category} audits under 0.9: {', '.join(failing)}")
    metrics = lhr["audits"].get("metrics", {}).get("details", {}).get("items", [{}])[0]
    if metrics:
        print(
            "  · FCP {firstContentfulPaint} ms, LCP {largestContentfulPaint} ms, "
            "TBT {totalBlockingTime} ms, CLS {cumulativeLayoutShift:.3f}, "
            "SI {speedIndex} ms".format(**metrics)
        )


def measure_state(results: Results, runs: int, one_run) -> None:  # type: ignore[no-untyped-def]
    """Run Lighthouse `runs` times through `one_run(index)`; show the median of each score."""
    runs_scores = []
    for index in range(runs):
        lhr = one_run(index)
        describe(lhr)
        runs_scores.append(scores(lhr))
    for name in CATEGORIES:
        values = [run[name] for run in runs_scores if run[name] is not None]
        median = statistics.median(values) if values else None
        results.show(name, median, "runs " + ", ".join(str(v) for v in values))


def locked_device(cli: str, chrome: str, base: str, creds: dict, report: Path) -> dict:
    """Sign a Chromium profile in, give it a PIN, then run Lighthouse in that browser."""
    from playwright.sync_api import sync_playwright

    from bench.lib.browser import open_app

    port = free_port()
    profile = Path(tempfile.mkdtemp(prefix="enlace-lh-profile-"))
    browser = subprocess.Popen(
        [
            chrome,
            *CHROME_FLAGS.split(),
            f"--remote-debugging-port={port}",
            f"--user-data-dir={profile}",
            "--no-first-run",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with sync_playwright() as playwright:
            for _ in range(100):
                try:
                    cdp = playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
                    break
                except Exception:  # noqa: BLE001 - the browser is still starting
                    time.sleep(0.1)
            else:
                raise RuntimeError("Chromium did not open its debugging port")
            context = cdp.contexts[0]
            page = context.new_page()
            page.set_default_timeout(60_000)
            open_app(page, base, creds["email"], creds["password"])
            page.goto("about:blank")
            cdp.close()
        return run_lighthouse(
            cli, chrome, f"{base}/app", report, [f"--port={port}", "--disable-storage-reset"]
        )
    finally:
        browser.terminate()
        try:
            browser.wait(timeout=10)
        except subprocess.TimeoutExpired:
            browser.kill()
        shutil.rmtree(profile, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", type=Path, help="write the JSON reports to this folder")
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per state (median)")
    args = parser.parse_args()
    cli, chrome = lighthouse_cli(), chrome_path()
    if cli is None:
        print(f"SKIPPED: Lighthouse {VERSION} not found. Install it with: {INSTALL}")
        return 0
    if chrome is None:
        tried = os.environ.get("CHROME_PATH") or "/usr/bin/chromium"
        print(f"SKIPPED: no Chromium at {tried}; set CHROME_PATH to one")
        return 0

    print(f"code: {code_version()}; {os.cpu_count()} CPUs; load average {load_average()}")
    workdir = Path(tempfile.mkdtemp(prefix="enlace-bench-lighthouse-"))
    reports = args.keep or workdir
    reports.mkdir(parents=True, exist_ok=True)
    app = None
    all_results = []
    try:
        url = prepare_database("sqlite", workdir)
        app = create_app(app_config(url, workdir / "instance"))
        from webapp.demo import ensure_demo

        with app.app_context():
            creds = ensure_demo()
        with serve(app) as server:
            base = f"http://127.0.0.1:{server.server_port}"
            print("\n== signed out: /app (the shell, which sends a stranger to /login)")
            results = Results("signed out")
            measure_state(
                results,
                args.runs,
                lambda i: run_lighthouse(
                    cli, chrome, f"{base}/app", reports / f"signed-out-{i}.json"
                ),
            )
            all_results.append(results)

            print("\n== signed in, new device: /app (choose a PIN)")
            http = sign_in_http(base, creds["email"], creds["password"])
            cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
            http.close()
            results = Results("signed in")
            headers = json.dumps({"Cookie": cookie})
            measure_state(
                results,
                args.runs,
                lambda i: run_lighthouse(
                    cli,
                    chrome,
                    f"{base}/app",
                    reports / f"signed-in-{i}.json",
                    [f"--extra-headers={headers}"],
                ),
            )
            all_results.append(results)

            print("\n== locked device: /app (the unlock screen, from the service worker)")
            results = Results("locked")
            measure_state(
                results,
                args.runs,
                lambda i: locked_device(cli, chrome, base, creds, reports / f"locked-{i}.json"),
            )
            all_results.append(results)
    finally:
        if app is not None:
            get_engine(app).dispose()
        shutil.rmtree(workdir, ignore_errors=True)
    summary(all_results, FIGURES)
    if args.keep:
        print(f"  reports in {args.keep}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
