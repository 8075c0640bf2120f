"""Targets, statistics and the printed report of the benchmarks."""

from __future__ import annotations

import math
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

# name: (target, unit, "le" | "ge")
TARGETS: dict[str, tuple[float, str, str]] = {
    "noop_p50": (5.0, "ms", "le"),
    "mutation_p50": (15.0, "ms", "le"),
    "full_pull": (400.0, "ms", "le"),
    "snapshot_cold": (250.0, "ms", "le"),
    "snapshot_first": (250.0, "ms", "le"),
    "snapshot_member_p50": (20.0, "ms", "le"),
    "catchup_first": (20.0, "ms", "le"),
    "snapshot_first_50k": (1000.0, "ms", "le"),
    "peak_rss_50k": (300.0, "MB", "le"),
    "not_modified_p50": (3.0, "ms", "le"),
    "delta_bytes": (2048.0, "B", "le"),
    "delta_envelope_ratio": (100.0, "×", "ge"),
    "throughput": (300.0, "req/s", "ge"),
    "app_shell": (150.0 * 1024, "B", "le"),
    "unlock": (1500.0, "ms", "le"),
    "unlock_4x": (1500.0, "ms", "le"),
    "search_ready": (1500.0, "ms", "le"),
    "search_ready_4x": (1500.0, "ms", "le"),
    "worker_build_5k": (1500.0, "ms", "le"),
    "worker_load_5k": (1500.0, "ms", "le"),
    "worker_build_50k": (1500.0, "ms", "le"),
    "worker_load_50k": (1500.0, "ms", "le"),
    "offline_start": (1000.0, "ms", "le"),
    "offline_start_4x": (2000.0, "ms", "le"),
    "search_p95_5k": (16.0, "ms", "le"),
    "search_p95_50k": (50.0, "ms", "le"),
    "lh_performance": (95.0, "score", "ge"),  # issue 20 (issue 7: 90)
    "lh_accessibility": (100.0, "score", "ge"),
    "lh_best_practices": (95.0, "score", "ge"),
    "push_rate": (200.0, "msg/s", "ge"),
    "push_naive_ratio": (3.0, "×", "ge"),
    "push_rate_tls": (200.0, "msg/s", "ge"),
    "push_naive_ratio_tls": (3.0, "×", "ge"),
    "push_cpu_per_device": (1.0, "ms", "le"),
    "save_ack_p50": (300.0, "ms", "le"),
    "offline_flush": (5000.0, "ms", "le"),
    "offline_flush_requests": (2.0, "requests", "le"),
    "flush_long_task": (50.0, "ms", "le"),
    "form_open": (100.0, "ms", "le"),
    "incident_start_call": (200.0, "ms", "le"),
    "incident_entry_shown": (50.0, "ms", "le"),
    "incident_report_300": (2000.0, "ms", "le"),
    "wire_cold_visit": (150.0 * 1024, "B", "le"),
    "wire_cold_twice": (0.0, "files", "le"),
    "wire_first_sync": (600.0 * 1024, "B", "le"),
    "wire_delta": (1536.0, "B", "le"),
    "wire_public_304": (1024.0, "B", "le"),
}
LABELS = {
    "noop_p50": "no-op sync p50 (in-process)",
    "mutation_p50": "1-mutation sync p50",
    "full_pull": "full pull from cursor 0 (median of 5)",
    "snapshot_cold": "snapshot after one change (median)",
    "snapshot_first": "first snapshot of a fresh process (median)",
    "snapshot_member_p50": "snapshot, 2nd member, cache hit p50",
    "catchup_first": "1-change catch-up, first device (server)",
    "snapshot_first_50k": "fresh process's first snapshot, 50,000",
    "peak_rss_50k": "peak memory of a process, 50,000",
    "not_modified_p50": "snapshot 304 p50",
    "delta_bytes": "1-change delta sync response",
    "delta_envelope_ratio": "full envelope ÷ 1-change delta envelope",
    "throughput": "no-op syncs/s, gunicorn -w 2",
    "app_shell": "app shell (HTML+JS+CSS+vendor, raw)",
    "unlock": "unlock: PIN to directory (median)",
    "unlock_4x": "unlock, CPU ×4 (median)",
    "search_ready": "search index ready after unlock",
    "search_ready_4x": "search index ready after unlock, ×4",
    "worker_build_5k": "search worker, index built, 5,000",
    "worker_load_5k": "search worker, index loaded, 5,000",
    "worker_build_50k": "search worker, index built, 50,000",
    "worker_load_50k": "search worker, index loaded, 50,000",
    "offline_start": "offline cold start to quick dial",
    "offline_start_4x": "offline cold start, CPU ×4",
    "search_p95_5k": "search keystroke p95, 5,000",
    "search_p95_50k": "search keystroke p95, 50,000",
    "lh_performance": "Lighthouse mobile: Performance",
    "lh_accessibility": "Lighthouse mobile: Accessibility",
    "lh_best_practices": "Lighthouse mobile: Best Practices",
    "push_rate": "push fan-out to 1,000 devices",
    "push_naive_ratio": "push: as built ÷ naive webpush()",
    "push_rate_tls": "push fan-out to 1,000 devices, https",
    "push_naive_ratio_tls": "push, https: as built ÷ naive",
    "push_cpu_per_device": "CPU per device: push + delta fetch",
    "save_ack_p50": "save → acknowledged, online (median)",
    "offline_flush": "200 offline edits flushed on reconnect",
    "offline_flush_requests": "sync requests for those 200 edits",
    "flush_long_task": "longest task in the page while flushing",
    "form_open": "contact form open at 5,000 (median)",
    "incident_start_call": "Start → first Call button, offline (median)",
    "incident_entry_shown": "entry logged → in the timeline (median)",
    "incident_report_300": "report of 300 entries: drawn + A4 PDF",
    "wire_cold_visit": "cold first visit, signed out, on the wire",
    "wire_cold_twice": "files downloaded twice (cold visit; first sync)",
    "wire_first_sync": "new device: sign-in to synced copy, on the wire",
    "wire_delta": "1-change catch-up (binary delta) with headers",
    "wire_public_304": "public list unchanged: 304 with headers",
}


def pct(values: list[float], p: float) -> float:
    """Return the p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def verdict(name: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    target, _unit, how = TARGETS[name]
    ok = value <= target if how == "le" else value >= target
    return "PASS" if ok else "MISS"


def target_text(name: str) -> str:
    target, unit, how = TARGETS[name]
    sign = "≤" if how == "le" else "≥"
    if unit == "B":
        return f"{sign} {target / 1024:g} KB"
    if unit == "score":
        return f"{sign} {target:g}"
    return f"{sign} {target:g} {unit}"


def fmt(name: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    unit = TARGETS[name][1]
    if unit == "B":
        return f"{value:,.0f} B"
    if unit in ("req/s", "msg/s", "requests", "files"):
        return f"{value:,.0f} {unit}"
    if unit == "×":
        return f"{value:,.1f} ×" if value < 10 else f"{value:,.0f} ×"
    if unit == "score":
        return f"{value:.0f}"
    if unit == "MB":
        return f"{value:,.0f} MB"
    return f"{value:.2f} ms"


@dataclass
class Results:
    backend: str
    figures: dict[str, float | None] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    profiles: dict[str, str] = field(default_factory=dict)

    def show(self, name: str, value: float | None, detail: str = "") -> None:
        self.figures[name] = value
        line = f"  {LABELS[name]:<40} {fmt(name, value):>14}  target {target_text(name):<12} "
        line += f"{verdict(name, value):<4}"
        if detail:
            line += f"  ({detail})"
        print(line, flush=True)


def code_version() -> str:
    """Return the commit being measured, and whether the app code differs from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "webapp", "pyproject.toml"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown (no git)"
    return head + (" + uncommitted changes in webapp/" if dirty else "")


def load_average() -> str:
    """Return the 1/5/15-minute load averages: other work on the machine skews the figures."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def log(message: str) -> None:
    """Print a line of progress under the figures."""
    print(f"  · {message}", flush=True)


def summary(all_results: list[Results], names: list[str]) -> None:
    """Print the figures `names` of every backend side by side, then the misses."""
    print("\n== summary", flush=True)
    header = f"  {'figure':<40} {'target':<12}"
    for results in all_results:
        header += f" {results.backend:>22}"
    print(header)
    for name in names:
        line = f"  {LABELS[name]:<40} {target_text(name):<12}"
        for results in all_results:
            value = results.figures.get(name)
            line += f" {fmt(name, value) + ' ' + verdict(name, value):>22}"
        print(line)
    for results in all_results:
        misses = [LABELS[n] for n, v in results.figures.items() if verdict(n, v) == "MISS"]
        print(
            f"  {results.backend}: {len(misses)} miss(es)"
            + (": " + "; ".join(misses) if misses else "")
        )
