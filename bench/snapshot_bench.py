"""Snapshot benchmark: GET /api/v1/workspaces/<id>/snapshot on a 5,000-contact workspace.

Run from the repository root (``make bench`` runs every bench/*.py script):

    .venv/bin/python bench/snapshot_bench.py
    ENLACE_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/enlace_c \\
        .venv/bin/python bench/snapshot_bench.py

Figures, in process (Flask test client): the snapshot right after a change (the checkpoint's
tail compressed), the first device's catch-up after one change (`?since=`: the delta, its size
decision and the tail), a second member's snapshot (cache hit: encryption only), the 304 of an
unchanged one, the delta envelope after one change next to the full one; then in processes of
their own (bench/lib/fresh.py) the first snapshot of a fresh process, which adds the tail
to the checkpoint an earlier process saved, with its peak memory, and for comparison one with nothing
saved (a full build: every record serialized and compressed). bench/scale_bench.py runs the
same at 50,000 contacts. Options and guarantees: see bench/sync_bench.py.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.lib.clients import EDITOR, OWNER, Device, Editor  # noqa: E402
from bench.lib.report import log, pct  # noqa: E402
from bench.lib.runner import Run, main  # noqa: E402

FIGURES = [
    "snapshot_cold",
    "catchup_first",
    "snapshot_first",
    "snapshot_member_p50",
    "not_modified_p50",
    "delta_envelope_ratio",
]


def fresh_process(run: Run, email: str, saved: bool = True) -> dict:
    """Return a new process's first snapshot: its time, status and peak memory."""
    if not saved:
        shutil.rmtree(run.instance / "snapshots", ignore_errors=True)
    command = [sys.executable, "-m", "bench.lib.fresh", run.database_url, str(run.instance)]
    command += [run.seeded.workspace_id, email]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench/lib/fresh.py failed: {done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["status"] != 200:
        raise RuntimeError(f"a fresh process's snapshot answered {result['status']}")
    return result


def measure(run: Run, first_figure: str = "snapshot_first", peak_figure: str | None = None) -> None:
    """Measure the snapshot figures on the seeded workspace."""
    app, results, workspace_id = run.app, run.results, run.seeded.workspace_id
    owner = Device(app, OWNER, workspace_id)
    member = Device(app, EDITOR, workspace_id)
    owner.cursor = member.cursor = run.seeded.revision  # edits come back as one change each
    editor = Editor(run.seeded.contacts, run.rnd)

    # The first build, in this process (every record serialized and compressed).
    started = time.perf_counter()
    assert owner.snapshot().status_code == 200
    build = (time.perf_counter() - started) * 1000
    log(f"first build in the bench's process: {build:.0f} ms")
    results.extra["first_build_ms"] = build

    # Right after a change: the plaintext cache misses, the checkpoint gets a new tail.
    times = []
    for _ in range(10):
        editor.send(owner)
        started = time.perf_counter()
        response = owner.snapshot()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    results.extra["snapshot_cold"] = {"median": statistics.median(times), "runs_ms": times}
    results.show(
        "snapshot_cold",
        statistics.median(times),
        f"min {min(times):.0f} / max {max(times):.0f} ms, n=10",
    )

    def cold() -> None:
        editor.send(owner)
        owner.snapshot()

    run.profile("snapshot_cold", cold, 5)

    # The first device to catch up after one change: `?since=` its revision, nothing built yet
    # for the new revision (the push wakes it up first).
    url = f"/api/v1/workspaces/{workspace_id}/snapshot"
    times, sizes = [], []
    for _ in range(10):
        held = member.snapshot().get_json()["revision"]
        editor.send(owner)
        started = time.perf_counter()
        response = member.client.get(f"{url}?since={held}")
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200 and b'"base"' in response.get_data(), "no delta"
        sizes.append(len(response.get_data()))
    results.extra["catchup_first"] = {"median": statistics.median(times), "runs_ms": times}
    results.show(
        "catchup_first",
        statistics.median(times),
        f"max {max(times):.0f} ms, n=10; delta envelope {statistics.median(sizes):,.0f} B",
    )

    def catch_up() -> None:
        held = member.snapshot().get_json()["revision"]
        editor.send(owner)
        member.client.get(f"{url}?since={held}")

    run.profile("catchup_first", catch_up, 5)

    # Second member of the same class (editor, sees restricted), no change: cache hit.
    editor.send(owner)
    assert owner.snapshot().status_code == 200  # makes the plaintext of this revision
    for _ in range(3):
        member.snapshot()
    times = []
    for _ in range(30):
        started = time.perf_counter()
        response = member.snapshot()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    results.extra["snapshot_member"] = {"p50": pct(times, 50), "p95": pct(times, 95), "n": 30}
    results.show("snapshot_member_p50", pct(times, 50), f"p95 {pct(times, 95):.2f} ms, n=30")
    run.profile("snapshot_member_p50", member.snapshot, 30)

    # 304 with the ETag.
    tag = response.headers["ETag"]
    for _ in range(10):
        assert member.snapshot(tag).status_code == 304
    times = []
    for _ in range(200):
        started = time.perf_counter()
        response = member.snapshot(tag)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 304
    results.extra["not_modified"] = {"p50": pct(times, 50), "p95": pct(times, 95), "n": 200}
    results.show("not_modified_p50", pct(times, 50), f"p95 {pct(times, 95):.2f} ms, n=200")
    run.profile("not_modified_p50", lambda: member.snapshot(tag), 200)

    # Catching up after one change (a push, then `?since=`): the delta envelope's bytes next to
    # the full envelope's, both as the device receives them.
    held = member.snapshot()
    revision = held.get_json()["revision"]
    editor.send(owner)
    full = member.snapshot().get_data()
    delta = member.client.get(f"{url}?since={revision}").get_data()
    assert b'"base"' in delta, "the server sent a full snapshot for one change"
    results.extra["delta_envelope"] = {"full_bytes": len(full), "delta_bytes": len(delta)}
    results.show(
        "delta_envelope_ratio",
        len(full) / len(delta),
        f"{len(delta):,} B against {len(full):,} B",
    )

    # A fresh process (a restart, a new worker): it adds the tail to the checkpoint saved here,
    # after a few more changes. Time of its first snapshot, and its peak memory.
    runs = []
    for _ in range(3):
        for _ in range(3):
            editor.send(owner)
        runs.append(fresh_process(run, OWNER))
    times = [r["ms"] for r in runs]
    peak = max(r["peak_mb"] for r in runs)
    results.extra["snapshot_first"] = {"runs": runs}
    results.show(
        first_figure,
        statistics.median(times),
        f"min {min(times):.0f} ms, n=3; peak memory {peak:.0f} MB"
        f" ({runs[0]['peak_mb_before']:.0f} MB before the request)",
    )
    # Nothing saved (the first build ever, or after a change of country or of code).
    cold_run = fresh_process(run, OWNER, saved=False)
    results.extra["snapshot_first_nothing_saved"] = cold_run
    log(
        f"fresh process, nothing saved: {cold_run['ms']:.0f} ms, "
        f"peak memory {cold_run['peak_mb']:.0f} MB"
    )
    if peak_figure is not None:
        worst = max(peak, cold_run["peak_mb"])
        results.show(
            peak_figure,
            worst,
            f"from the saved checkpoint {peak:.0f} MB, building from nothing {cold_run['peak_mb']:.0f} MB",
        )


if __name__ == "__main__":
    sys.exit(main(__doc__ or "", FIGURES, measure))
