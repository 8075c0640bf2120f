"""The PIN's key derivation: the unlock it costs a phone against the guess it costs an attacker.

Run from the repository root (``make bench`` runs every bench/*.py script):

    .venv/bin/python bench/kdf_bench.py [--runs N] [--no-app]

For each candidate, PBKDF2-SHA256 at several iteration counts and Argon2id at several memory
and time costs:

- the unlock in headless Chromium (/usr/bin/chromium): derive the wrapping key from the PIN, then
  unwrap a snapshot key with it, on a page served from 127.0.0.1 under the app's CSP (plus
  'wasm-unsafe-eval', which Argon2id's WebAssembly needs). PBKDF2 goes through the app's
  static/js/kdf.js (WebCrypto); Argon2id through hash-wasm's argon2id (WebAssembly), its output
  imported as the AES-KW key, as the app would. Unthrottled and at 4× CPU slowdown (CDP
  Emulation.setCPUThrottlingRate, as Lighthouse's mobile run), in the page and in a dedicated
  Worker, median of --runs;
- the attacker's cost per guess on one core of this machine, natively: hashlib.pbkdf2_hmac and
  argon2-cffi's hash_secret_raw (Type.ID) with the same parameters, median of --runs; and so the
  time to try all 10^6 six-digit PINs on this machine's cores.

The CDP throttle slows the page's main thread only: WebCrypto's PBKDF2 runs on another thread
and a Worker is not slowed either, so those figures at "4×" are not what a phone 4× slower
would take. The choice therefore uses, for every candidate, the larger of the main thread's
time at 4× and 4 × its unthrottled time; it is the candidate with the highest attacker cost
per guess whose unlock by that measure stays within --budget-ms (1,500 ms).

Then (unless --no-app) the app itself on a seeded 5,000-contact workspace, as bench/app_bench.py
does: PIN typed → directory shown, unthrottled and at 4×, median of 3, with the app's own KDF
timed in the same page so that what the rest of the unlock costs can be told apart.

hash-wasm comes from the npm registry at its pinned version and integrity hash (`npm pack`, into
a temporary folder); without npm or the registry the Argon2id rows are skipped. Without Chromium
the browser part prints a SKIPPED line; the native figures are printed either way.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from argon2.low_level import Type, hash_secret_raw  # noqa: E402
from flask import Flask, Response, abort, request, send_from_directory  # noqa: E402

from bench.lib.report import code_version, load_average  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
HASH_WASM = "hash-wasm@4.13.0"
HASH_WASM_INTEGRITY = "sha512-GrWl7wsV46fKIXQZB5ebskLZLAmKL6d9RS0fspCxDeQyjoNu1AfTJTMLPOJyfzaQm0ldFiwFN21/w+sE/kgEFQ=="
PIN = "246810"
PINS = 10**6

# Published figures, not measured here: one NVIDIA RTX 4090.
# PBKDF2-HMAC-SHA256: hashcat 6.2.6 mode 10900, 8,865.7 kH/s at 999 iterations (Chick3nman's
# benchmark gist 32e662a5bb63bc4f51b847bb422222fd); the rate scales as 1 / iterations.
GPU_PBKDF2_RATE_AT_999 = 8_865.7e3
# Argon2id: hashcat mode 34000 (pull request #4284, July 2025), 1,667 H/s at m = 64 MiB, t = 3,
# p = 1; memory-bandwidth bound, so scaled as 1 / (m × t).
GPU_ARGON2_RATE_64M_T3 = 1_667.0


@dataclass(frozen=True)
class Kdf:
    """One candidate's parameters, as static/js/kdf.js would store them."""

    name: str
    iterations: int
    memory_kib: int = 0
    parallelism: int = 1

    @property
    def label(self) -> str:
        if self.name == "pbkdf2":
            return f"PBKDF2-SHA256 {self.iterations:,}"
        return f"Argon2id {self.memory_kib // 1024} MiB t={self.iterations} p={self.parallelism}"

    def params(self) -> dict:
        if self.name == "pbkdf2":
            return {"name": "pbkdf2", "iterations": self.iterations}
        return {
            "name": "argon2id",
            "memoryKiB": self.memory_kib,
            "iterations": self.iterations,
            "parallelism": self.parallelism,
        }

    def gpu_rate(self) -> float:
        """Guesses per second on one RTX 4090, scaled from the published figures above."""
        if self.name == "pbkdf2":
            return GPU_PBKDF2_RATE_AT_999 * 999 / self.iterations
        return GPU_ARGON2_RATE_64M_T3 * (65536 * 3) / (self.memory_kib * self.iterations)


CANDIDATES = [
    *(
        Kdf("pbkdf2", n)
        for n in (
            600_000,
            1_000_000,
            1_500_000,
            2_000_000,
            2_500_000,
            3_000_000,
            3_500_000,
            4_000_000,
        )
    ),
    *(
        Kdf("argon2id", t, m)
        for m, t in (
            (19 * 1024, 2),
            (32 * 1024, 2),
            (32 * 1024, 3),
            (64 * 1024, 1),
            (64 * 1024, 2),
            (64 * 1024, 3),
            (128 * 1024, 1),
        )
    ),
]


@dataclass
class Row:
    kdf: Kdf
    attacker: list[float] = field(default_factory=list)  # seconds per guess, one core
    browser: dict[str, list[float]] = field(default_factory=dict)  # "main@1" → ms per unlock

    def median(self, key: str) -> float | None:
        values = self.browser.get(key)
        return statistics.median(values) if values else None

    @property
    def native_s(self) -> float:
        """The attacker's tool (hashlib, argon2-cffi): seconds per guess on one core."""
        return statistics.median(self.attacker)

    @property
    def attacker_s(self) -> float:
        """Seconds per guess on one core with the fastest code seen: the native tool, or the
        browser's own (Chromium's PBKDF2 is faster than hashlib's on this CPU)."""
        browser = self.median("main@1")
        return min(self.native_s, browser / 1000) if browser is not None else self.native_s

    @property
    def unlock_4x(self) -> float | None:
        """The unlock on a phone 4× slower: the larger of the throttled and 4 × the unthrottled."""
        main1, main4 = self.median("main@1"), self.median("main@4")
        if main1 is None or main4 is None:
            return None
        return max(main4, 4 * main1)


# --- the attacker, natively -------------------------------------------------------------------


def attacker_guess(kdf: Kdf, salt: bytes) -> Callable[[], bytes]:
    """Return one guess of the attacker, natively, as a function."""
    secret = PIN.encode()
    if kdf.name == "pbkdf2":
        return lambda: hashlib.pbkdf2_hmac("sha256", secret, salt, kdf.iterations, 32)
    return lambda: hash_secret_raw(
        secret, salt, kdf.iterations, kdf.memory_kib, kdf.parallelism, 32, Type.ID
    )


def measure_attacker(rows: list[Row], runs: int) -> None:
    """Time each candidate's guess on one core, `runs` times after one warm-up."""
    salt = os.urandom(16)
    for row in rows:
        guess = attacker_guess(row.kdf, salt)
        guess()
        for _ in range(runs):
            started = time.perf_counter()
            guess()
            row.attacker.append(time.perf_counter() - started)


# --- the browser --------------------------------------------------------------------------------

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>KDF bench</title>
<script src="/kdf-bench/argon2.js"></script>
<script type="module" src="/kdf-bench/page.js"></script></head><body>KDF bench</body></html>"""

# The same code in the page (a module) and in the Worker (a classic script: importScripts for
# hash-wasm's UMD build, then a dynamic import of the app's module).
COMMON_JS = """
const PIN = %(pin)s;
async function derive(kdf, salt) {
  if (kdf.name !== "argon2id") return kdfModule.deriveWrappingKey(PIN, salt, kdf);
  // What the app would do with Argon2id: hash-wasm's raw 32 bytes as the AES-KW key.
  const raw = await self.hashwasm.argon2id({
    password: PIN.normalize("NFC"), salt, parallelism: kdf.parallelism,
    iterations: kdf.iterations, memorySize: kdf.memoryKiB, hashLength: 32, outputType: "binary",
  });
  return crypto.subtle.importKey("raw", raw, "AES-KW", false, ["wrapKey", "unwrapKey"]);
}
// One untimed derive (which also wraps the key to unwrap, and warms up), then `runs` unlocks:
// derive + unwrap, as the app's unlock does before it opens the copy.
async function unlocks(kdf, runs) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const snapshotKey = await crypto.subtle.importKey(
    "raw", crypto.getRandomValues(new Uint8Array(32)), "AES-GCM", true, ["encrypt"]);
  const wrapped = await crypto.subtle.wrapKey("raw", snapshotKey, await derive(kdf, salt), "AES-KW");
  const times = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const key = await derive(kdf, salt);
    await crypto.subtle.unwrapKey(
      "raw", wrapped, key, "AES-KW", { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
    times.push(performance.now() - started);
  }
  return times;
}
"""
PAGE_JS = (
    """import * as kdfModule from "/static/js/kdf.js";
"""
    + COMMON_JS
    + """
const worker = new Worker("/kdf-bench/worker.js");
let asked = 0;
function inWorker(kdf, runs) {
  const id = ++asked;
  return new Promise((resolve, reject) => {
    worker.addEventListener("message", function answer(event) {
      if (event.data.id !== id) return;
      worker.removeEventListener("message", answer);
      if (event.data.error) reject(new Error(event.data.error)); else resolve(event.data.times);
    });
    worker.postMessage({ id, kdf, runs });
  });
}
async function wasmAllowed() {
  try {
    await self.hashwasm.argon2id({ password: "x", salt: new Uint8Array(16), parallelism: 1,
      iterations: 1, memorySize: 8, hashLength: 32, outputType: "binary" });
    return "yes";
  } catch (error) {
    return `no: ${error.name}: ${error.message}`;
  }
}
self.kdfBench = { unlocks, inWorker, wasmAllowed, ready: true };
"""
)
WORKER_JS = (
    """importScripts("/kdf-bench/argon2.js");
let kdfModule;
"""
    + COMMON_JS
    + """
self.onmessage = async (event) => {
  const { id, kdf, runs } = event.data;
  try {
    kdfModule ??= await import("/static/js/kdf.js");
    postMessage({ id, times: await unlocks(kdf, runs) });
  } catch (error) {
    postMessage({ id, error: `${error.name}: ${error.message}` });
  }
};
"""
)


def app_csp(wasm: bool) -> str:
    """Return the app's CSP, with 'wasm-unsafe-eval' added to script-src if `wasm`."""
    from webapp.security import CSP

    if not wasm or "'wasm-unsafe-eval'" in CSP:
        return CSP
    return CSP.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", 1)


def bench_site(argon2_js: str | None) -> Flask:
    """Return the bench's site: its page, scripts and the app's static/ folder, under a CSP."""
    site = Flask("kdf_bench", static_folder=None)
    pin = json.dumps(PIN)
    scripts = {
        "page.js": PAGE_JS % {"pin": pin},
        "worker.js": WORKER_JS % {"pin": pin},
        # Without hash-wasm the Argon2id rows are skipped; the page still loads.
        "argon2.js": argon2_js or "self.hashwasm = null;",
    }

    @site.get("/")
    def page() -> Response:
        return Response(PAGE, mimetype="text/html")

    @site.get("/kdf-bench/<name>")
    def script(name: str) -> Response:
        if name not in scripts:
            abort(404)
        return Response(scripts[name], mimetype="text/javascript")

    @site.get("/static/<path:path>")
    def static_file(path: str) -> Response:
        return send_from_directory(STATIC, path)

    @site.after_request
    def policy(response: Response) -> Response:
        # /?csp=app: the app's policy as it is, to see whether WebAssembly runs under it.
        as_is = request.args.get("csp") == "app"
        response.headers["Content-Security-Policy"] = app_csp(wasm=not as_is)
        response.headers["Cache-Control"] = "no-store"
        return response

    return site


def fetch_hash_wasm() -> str | None:
    """Return hash-wasm's argon2 UMD build from the npm registry (integrity checked), or None."""
    if shutil.which("npm") is None:
        print("  · npm not found: Argon2id skipped in the browser")
        return None
    work = Path(tempfile.mkdtemp(prefix="enlace-bench-hash-wasm-"))
    try:
        done = subprocess.run(
            ["npm", "pack", "--silent", HASH_WASM],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=120,
        )
        tarballs = list(work.glob("hash-wasm-*.tgz"))
        if done.returncode != 0 or not tarballs:
            print(f"  · npm pack {HASH_WASM} failed: Argon2id skipped in the browser")
            return None
        data = tarballs[0].read_bytes()
        got = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
        if got != HASH_WASM_INTEGRITY:
            print(f"  · {HASH_WASM}: integrity {got} is not the pinned one: Argon2id skipped")
            return None
        with tarfile.open(tarballs[0]) as archive:
            member = archive.extractfile("package/dist/argon2.umd.min.js")
            return member.read().decode() if member else None
    except (OSError, subprocess.TimeoutExpired, tarfile.TarError) as error:
        print(f"  · {HASH_WASM} not fetched ({error}): Argon2id skipped in the browser")
        return None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def measure_browser(rows: list[Row], runs: int, argon2_js: str | None) -> dict:
    """Time each candidate's unlock in Chromium: page and Worker, at 1× and 4×."""
    from playwright.sync_api import sync_playwright

    from tests.helpers import serve

    facts: dict = {}
    site = bench_site(argon2_js)
    with serve(site) as server, sync_playwright() as playwright:
        base = f"http://127.0.0.1:{server.server_port}"
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        facts["chromium"] = browser.version
        page = browser.new_page()
        page.set_default_timeout(120_000)
        if argon2_js:
            page.goto(f"{base}/?csp=app")
            page.wait_for_function("self.kdfBench?.ready")
            facts["wasm_under_app_csp"] = page.evaluate("kdfBench.wasmAllowed()")
        page.goto(f"{base}/")
        page.wait_for_function("self.kdfBench?.ready")
        facts["wasm_with_wasm_unsafe_eval"] = (
            page.evaluate("kdfBench.wasmAllowed()") if argon2_js else "n/a"
        )
        cdp = page.context.new_cdp_session(page)
        for rate in (1, 4):
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
            for row in rows:
                if row.kdf.name == "argon2id" and not argon2_js:
                    continue
                params = row.kdf.params()
                for where, call in (("main", "kdfBench.unlocks"), ("worker", "kdfBench.inWorker")):
                    times = page.evaluate(f"([k, n]) => {call}(k, n)", [params, runs])
                    row.browser[f"{where}@{rate}"] = times
                print(
                    f"  · {row.kdf.label:<30} CPU ×{rate}: page "
                    f"{row.median(f'main@{rate}'):7.0f} ms, worker "
                    f"{row.median(f'worker@{rate}'):7.0f} ms",
                    flush=True,
                )
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
        browser.close()
    return facts


# --- the app itself ---------------------------------------------------------------------------


def app_kdf_expression() -> str:
    """Return a page expression timing one derive with the KDF the app uses for a new PIN."""
    # The app derives through keyring.js (earlier, app.js itself); either importing kdf.js counts.
    uses_kdf_module = any(
        '"./kdf.js"' in (STATIC / "js" / name).read_text(encoding="utf-8")
        for name in ("app.js", "keyring.js")
    )
    if uses_kdf_module:
        derive = "(await import('/static/js/kdf.js')).deriveWrappingKey(pin, salt)"
    else:
        derive = "(await import('/static/js/crypto.js')).deriveWrappingKey(pin, salt)"
    return f"""async (pin) => {{
      const salt = crypto.getRandomValues(new Uint8Array(16));
      const started = performance.now();
      await {derive};
      return performance.now() - started;
    }}"""


def measure_app(contacts: int) -> dict:
    """Time the app's unlock (PIN typed → directory shown) at 1× and 4×, and its KDF there."""
    from playwright.sync_api import expect, sync_playwright

    from bench.lib.browser import PIN as APP_PIN
    from bench.lib.browser import open_app
    from bench.lib.clients import OWNER, PASSWORD
    from bench.lib.runner import Run, run_backend
    from tests.helpers import serve

    found: dict = {}

    def measure(run: Run) -> None:
        with serve(run.app) as server, sync_playwright() as playwright:
            base = f"http://127.0.0.1:{server.server_port}"
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(
                base_url=base, viewport={"width": 360, "height": 740}, has_touch=True
            )
            context.set_default_timeout(120_000)
            page = context.new_page()
            open_app(page, base, OWNER, PASSWORD)
            cdp = context.new_cdp_session(page)
            for rate in (1, 4):
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
                unlocks, kdfs = [], []
                for _ in range(3):
                    page.reload()
                    box = page.get_by_test_id("unlock")
                    box.locator("#secret").fill(APP_PIN)
                    started = time.perf_counter()
                    box.locator("button[type=submit]").click()
                    expect(page.get_by_test_id("directory")).to_be_visible()
                    unlocks.append((time.perf_counter() - started) * 1000)
                    kdfs.append(page.evaluate(app_kdf_expression(), APP_PIN))
                found[rate] = (unlocks, kdfs)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
            browser.close()

    args = argparse.Namespace(contacts=contacts, profile=None, profile_all=False)
    run_backend("sqlite", args, measure)
    return found


# --- the report ---------------------------------------------------------------------------------


def duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def report(rows: list[Row], budget_ms: float, cores: int) -> Row | None:
    """Print the table and the choice; return the chosen row."""
    print("\n== key derivation: unlock in Chromium (ms, median) and the attacker's cost per guess")
    print(
        f"  {'candidate':<30} {'page ×1':>8} {'page ×4':>8} {'wkr ×1':>8} {'wkr ×4':>8}"
        f" {'phone ×4':>9} {'native':>7} {'attacker':>9} {'all PINs':>10} {'1 GPU':>9}"
    )
    for row in rows:
        all_pins = PINS * row.attacker_s / cores
        print(
            f"  {row.kdf.label:<30} {ms(row.median('main@1')):>8} {ms(row.median('main@4')):>8}"
            f" {ms(row.median('worker@1')):>8} {ms(row.median('worker@4')):>8}"
            f" {ms(row.unlock_4x):>9} {row.native_s * 1000:>5.0f}ms {row.attacker_s * 1000:>7.0f}ms"
            f" {duration(all_pins):>10}"
            f" {duration(PINS / row.kdf.gpu_rate()):>9}"
        )
    print(
        "  phone ×4 = max(page ×4, 4 × page ×1); native = one guess with hashlib or argon2-cffi on"
        " one core;\n  attacker = the faster of native and the browser's own (page ×1) code;"
        f" all PINs = 10^6 attacker guesses on this\n  machine's {cores} cores; 1 GPU = 10^6"
        " guesses on one RTX 4090, scaled from published hashcat figures (not measured here)."
    )
    fitting = [r for r in rows if r.unlock_4x is not None and r.unlock_4x <= budget_ms]
    if not fitting:
        print(f"\n  CHOICE: none of the candidates unlocks within {budget_ms:,.0f} ms at 4×")
        return None
    chosen = max(fitting, key=lambda r: r.attacker_s)
    print(
        f"\n  CHOICE: {chosen.kdf.label} {json.dumps(chosen.kdf.params())}: the highest attacker"
        f" cost per guess ({chosen.attacker_s * 1000:.0f} ms on one core) whose unlock on a phone"
        f" 4× slower stays ≤ {budget_ms:,.0f} ms ({chosen.unlock_4x:,.0f} ms)"
    )
    others = [r for r in fitting if r.kdf.name != chosen.kdf.name]
    if others:
        best = max(others, key=lambda r: r.attacker_s)
        print(
            f"  best of the other family within the budget: {best.kdf.label}, attacker"
            f" {best.attacker_s * 1000:.0f} ms per guess ({chosen.attacker_s / best.attacker_s:.1f}"
            f" × less than the choice on this CPU; {best.kdf.gpu_rate():,.0f} vs"
            f" {chosen.kdf.gpu_rate():,.0f} guesses/s on one GPU by the published figures)"
        )
    return chosen


def report_app(found: dict, rows: list[Row]) -> None:
    """Print the app's unlock and what of it is the KDF."""
    print("\n== the app: PIN typed → directory shown (ms; median of 3), and its KDF in that page")
    for rate, (unlocks, kdfs) in sorted(found.items()):
        unlock, kdf = statistics.median(unlocks), statistics.median(kdfs)
        print(
            f"  CPU ×{rate}: unlock {unlock:,.0f} ms (runs {' / '.join(f'{u:.0f}' for u in unlocks)})"
            f"; its KDF alone {kdf:,.0f} ms; the rest {unlock - kdf:,.0f} ms"
        )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure (median)")
    parser.add_argument("--budget-ms", type=float, default=1500.0, help="unlock budget at 4×")
    parser.add_argument("--no-app", action="store_true", help="skip the app's own unlock")
    parser.add_argument("--contacts", type=int, default=5000, help="contacts for the app's unlock")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    print(f"code: {code_version()}; {cores} CPUs; load average {load_average()}", flush=True)
    rows = [Row(kdf) for kdf in CANDIDATES]

    print("\n== the attacker: one guess, natively, on one core", flush=True)
    measure_attacker(rows, args.runs)
    for row in rows:
        print(f"  · {row.kdf.label:<30} {row.native_s * 1000:7.0f} ms", flush=True)

    facts: dict = {}
    found: dict = {}
    if not Path(CHROMIUM).exists():
        print(f"\nSKIPPED: no Chromium at {CHROMIUM}: no unlock times, no choice")
    else:
        print("\n== the browser", flush=True)
        facts = measure_browser(rows, args.runs, fetch_hash_wasm())
        print(f"  · Chromium {facts.get('chromium')}")
        print(f"  · WebAssembly under the app's CSP: {facts.get('wasm_under_app_csp', 'n/a')}")
        print(f"  · with 'wasm-unsafe-eval' added: {facts.get('wasm_with_wasm_unsafe_eval')}")
        if not args.no_app:
            found = measure_app(args.contacts)

    chosen = report(rows, args.budget_ms, cores) if facts else None
    if found:
        report_app(found, rows)
    print(f"\n  load average at the end {load_average()} on {cores} CPUs", flush=True)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "code": code_version(),
                    "facts": facts,
                    "choice": chosen.kdf.params() if chosen else None,
                    "rows": [
                        {
                            "kdf": r.kdf.params(),
                            "attacker_s": r.attacker,
                            "browser_ms": r.browser,
                            "phone_4x_ms": r.unlock_4x,
                        }
                        for r in rows
                    ],
                    "app": {str(rate): value for rate, value in found.items()},
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
