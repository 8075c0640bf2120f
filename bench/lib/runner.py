"""Run one benchmark script: its options, a seeded database per backend, the report.

Each script in bench/ names the figures it reports and a `measure(run)` function; this module
does the rest, the same way for every script.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask

from bench.lib.database import BATCH, CONTACTS, Seeded, prepare_database, seed
from bench.lib.report import Results, code_version, load_average, log, summary, verdict
from webapp import create_app
from webapp.db import get_engine


def app_config(database_url: str, instance: Path) -> dict[str, Any]:
    """Settings of the benchmarked app: cheap Argon2 for setup, no external services."""
    return {
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(instance),
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "RATELIMIT_STORAGE_URI": "memory://",
        "REDIS_URL": "",
        "PUBLIC_URL": "",
        "SYNC_RATE_LIMIT": "1000000 per minute",
    }


@dataclass
class Run:
    """One backend's run of a script: the app on a seeded database, and where figures go."""

    app: Flask
    results: Results
    database_url: str
    instance: Path
    workdir: Path
    seeded: Seeded
    rnd: random.Random
    profile_dir: Path | None
    profile_all: bool

    def wants_profile(self, name: str) -> bool:
        """Tell whether the scenario `name` is to be profiled (a miss, or --profile-all)."""
        return self.profile_dir is not None and (
            self.profile_all or verdict(name, self.results.figures[name]) == "MISS"
        )

    def profile(self, name: str, run: Callable[[], Any], repeat: int) -> None:
        """Profile `repeat` runs of a scenario with pyinstrument if wanted; keep the report."""
        if self.profile_dir is None or not self.wants_profile(name):
            return
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(repeat):
            run()
        profiler.stop()
        report = profiler.output_text(unicode=True, color=False, show_all=False)
        self.profile_dir.mkdir(parents=True, exist_ok=True)
        path = self.profile_dir / f"{self.results.backend}-{name}.txt"
        path.write_text(report)
        self.results.profiles[name] = str(path)
        log(f"profile of {name} ({repeat} runs) written to {path}")


def run_backend(backend: str, args: argparse.Namespace, measure: Callable[[Run], None]) -> Results:
    """Seed a fresh database of the backend, then measure; remove everything made."""
    results = Results(backend)
    workdir = Path(tempfile.mkdtemp(prefix=f"enlace-bench-{backend}-"))
    app: Flask | None = None
    try:
        print(f"\n== {backend}   (load average {load_average()})", flush=True)
        url = prepare_database(backend, workdir)
        instance = workdir / "instance"
        app = create_app(app_config(url, instance))
        rnd = random.Random(20261125)
        seeded = seed(app, rnd, args.contacts)
        batches = -(-args.contacts // BATCH)
        log(f"seeded {args.contacts:,} contacts in {seeded.seconds:.1f} s ({batches} batches)")
        results.extra["seed_seconds"] = seeded.seconds
        results.extra["contacts"] = args.contacts
        run = Run(app, results, url, instance, workdir, seeded, rnd, args.profile, args.profile_all)
        measure(run)
    finally:
        if app is not None:
            get_engine(app).dispose()
        shutil.rmtree(workdir, ignore_errors=True)
    return results


def terminate(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)


def main(
    description: str,
    figures: list[str],
    measure: Callable[[Run], None],
    contacts: int = CONTACTS,
) -> int:
    """Parse the options, run `measure` on each backend, print the summary of `figures`."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--profile", type=Path, help="folder for pyinstrument reports of misses")
    parser.add_argument("--profile-all", action="store_true", help="profile every scenario")
    parser.add_argument(
        "--contacts",
        type=int,
        default=contacts,
        help=f"contacts in the workspace (default {contacts:,}; fewer for a quick smoke run)",
    )
    args = parser.parse_args()
    if args.contacts < 10:
        parser.error("--contacts must be at least 10")
    # SIGTERM unwinds like Ctrl-C, so `finally` blocks stop servers and remove folders.
    signal.signal(signal.SIGTERM, terminate)

    backends = ["sqlite"]
    if os.environ.get("ENLACE_BENCH_DATABASE_URL"):
        backends.append("postgresql")
    else:
        print("ENLACE_BENCH_DATABASE_URL is not set: PostgreSQL skipped.", flush=True)
    if args.only:
        backends = [b for b in backends if b == args.only]
    started = time.perf_counter()
    version = code_version()
    print(f"code: {version}; {os.cpu_count()} CPUs; load average {load_average()}", flush=True)
    all_results = [run_backend(backend, args, measure) for backend in backends]
    summary(all_results, figures)
    print(f"  load average at the end {load_average()} on {os.cpu_count()} CPUs", flush=True)
    if code_version() != version:
        print(f"  WARNING: the code changed during the run ({version} -> {code_version()})")
    print(f"  total bench time {time.perf_counter() - started:.0f} s", flush=True)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "code": version,
                    "contacts": args.contacts,
                    "backends": {
                        r.backend: {"figures": r.figures, "extra": r.extra, "profiles": r.profiles}
                        for r in all_results
                    },
                },
                indent=2,
                default=str,
            )
        )
    return 0
