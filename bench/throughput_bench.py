"""Throughput benchmark: no-op syncs per second through gunicorn -w 2, SQLite (and PostgreSQL).

Run from the repository root (``make bench`` runs every bench/*.py script):

    .venv/bin/python bench/throughput_bench.py
    ENLACE_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/enlace_c \
        .venv/bin/python bench/throughput_bench.py

On the seeded 5,000-contact workspace, starts ``gunicorn -w 2`` on 127.0.0.1 (its own process
group, stopped at the end, also on Ctrl-C or SIGTERM), signs in over HTTP and drives no-op syncs
for 10 s with ``wrk -t1 -c8``, or with 6 Python threads when wrk is not on the PATH. Options and
guarantees: see bench/sync_bench.py.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from bench.lib.clients import OWNER, PASSWORD, USER_AGENT  # noqa: E402
from bench.lib.runner import Run, main  # noqa: E402
from bench.lib.servers import Gunicorn, app_environment  # noqa: E402
from tests.helpers import sign_in_http  # noqa: E402
from webapp.db import get_engine  # noqa: E402

FIGURES = ["throughput"]
SECONDS = 10


def wrk_load(
    base: str, cookie: str, token: str, body: str, seconds: int, workdir: Path
) -> dict[str, Any]:
    """Drive POST /api/v1/sync with wrk (1 thread, 8 connections)."""
    script = workdir / "sync.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(body)}\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Cookie"] = {json.dumps(cookie)}\n'
        f'wrk.headers["X-CSRFToken"] = {json.dumps(token)}\n'
        f'wrk.headers["User-Agent"] = {json.dumps(USER_AGENT)}\n'
    )
    command = ["wrk", "-t1", "-c8", f"-d{seconds}s", "--latency", "-s", str(script)]
    output = subprocess.run(
        [*command, base + "/api/v1/sync"], capture_output=True, text=True, timeout=seconds + 30
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    return {
        "tool": "wrk -t1 -c8 (Connection: close per request, gunicorn sync workers)",
        "rps": rps,
        "requests": total,
        "errors": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": socket_errors.group(1).strip() if socket_errors else "none",
        "latency_p50": p50.group(1) if p50 else "?",
        "latency_p99": p99.group(1) if p99 else "?",
    }


def python_load(
    base: str, cookies: Any, token: str, body: str, seconds: int, threads: int = 6
) -> dict[str, Any]:
    """Drive POST /api/v1/sync from Python threads (requests.Session each)."""
    counts = {"ok": 0, "errors": 0}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        session = requests.Session()
        session.headers.update(
            {"User-Agent": USER_AGENT, "X-CSRFToken": token, "Content-Type": "application/json"}
        )
        session.cookies.update(cookies)
        ok = errors = 0
        while time.monotonic() < deadline:
            try:
                response = session.post(base + "/api/v1/sync", data=body, timeout=10)
                if response.status_code == 200:
                    ok += 1
                else:
                    errors += 1
            except requests.RequestException:
                errors += 1
        with lock:
            counts["ok"] += ok
            counts["errors"] += errors

    started = time.monotonic()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.monotonic() - started
    return {
        "tool": f"{threads} Python threads, requests.Session",
        "rps": counts["ok"] / elapsed,
        "requests": counts["ok"] + counts["errors"],
        "errors": counts["errors"],
        "socket_errors": "n/a",
    }


def measure(run: Run) -> None:
    """Measure no-op syncs per second through gunicorn on the seeded workspace."""
    get_engine(run.app).dispose()  # gunicorn's workers are the only clients from here on
    env = app_environment(run.database_url, run.instance, ENLACE_SYNC_RATE_LIMIT="1000000/minute")
    server = Gunicorn(env, run.workdir / "gunicorn.log", workers=2)
    try:
        server.wait_ready()
        with sign_in_http(
            server.base, OWNER, PASSWORD, headers={"User-Agent": USER_AGENT}, timeout=30
        ) as session:
            load = drive(server.base, session, run)
    finally:
        server.stop()
    run.results.extra["throughput"] = load
    detail = (
        f"{load['requests']:,} requests in {SECONDS} s, {load['errors']} errors; {load['tool']}"
    )
    if "latency_p50" in load:
        detail += f"; latency p50 {load['latency_p50']}, p99 {load['latency_p99']}"
    run.results.show("throughput", load["rps"], detail)


def drive(base: str, session: requests.Session, run: Run) -> dict[str, Any]:
    """Check that a no-op sync answers over HTTP, warm the workers up, then load them."""
    token = session.headers["X-CSRFToken"]
    body = json.dumps(
        {"workspace": run.seeded.workspace_id, "cursor": run.seeded.revision, "mutations": []}
    )
    headers = {"Content-Type": "application/json"}
    check = session.post(base + "/api/v1/sync", data=body, headers=headers, timeout=10)
    if check.status_code != 200 or check.json()["changes"]:
        raise RuntimeError(f"no-op sync over HTTP answered {check.status_code}")
    for _ in range(40):  # both workers
        session.post(base + "/api/v1/sync", data=body, headers=headers, timeout=10)
    if shutil.which("wrk"):
        cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
        return wrk_load(base, cookie, str(token), body, SECONDS, run.workdir)
    return python_load(base, session.cookies, str(token), body, SECONDS)


if __name__ == "__main__":
    sys.exit(main(__doc__ or "", FIGURES, measure))
