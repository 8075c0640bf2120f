"""Snapshot benchmark: GET /api/v1/workspaces/<id>/snapshot on a 5,000-contact workspace.

Run from the repository root (``make bench`` runs every bench/*.py script):

    .venv/bin/python bench/snapshot_bench.py
    ENLACE_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/enlace_c \
        .venv/bin/python bench/snapshot_bench.py

Figures, in process (Flask test client): a cold build right after a change, the first snapshot
of a fresh process (both caches empty), a second member's snapshot (cache hit: encryption only),
the 304 of an unchanged one, and the delta envelope after one change next to the full one. Options and guarantees: see bench/sync_bench.py.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.lib.clients import EDITOR, OWNER, Device, Editor  # noqa: E402
from bench.lib.report import pct  # noqa: E402
from bench.lib.runner import Run, main  # noqa: E402
from webapp.directory.service import display_number  # noqa: E402

FIGURES = [
    "snapshot_cold",
    "snapshot_first",
    "snapshot_member_p50",
    "not_modified_p50",
    "delta_envelope_ratio",
]


def measure(run: Run) -> None:
    """Measure the snapshot figures on the seeded workspace."""
    app, results, workspace_id = run.app, run.results, run.seeded.workspace_id
    owner = Device(app, OWNER, workspace_id)
    member = Device(app, EDITOR, workspace_id)
    owner.cursor = member.cursor = run.seeded.revision  # edits come back as one change each
    editor = Editor(run.seeded.contacts, run.rnd)

    # Cold snapshot: right after a change, so the plaintext cache misses.
    editor.send(owner)
    owner.snapshot()  # warm-up
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
    # The same, in a process that has built nothing yet: every cache empty (after a restart),
    # the phones' display forms included.
    times = []
    for _ in range(5):
        editor.send(owner)
        app.extensions.pop("enlace_record_cache", None)
        app.extensions.pop("enlace_snapshot_cache", None)
        display_number.cache_clear()
        started = time.perf_counter()
        response = owner.snapshot()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    results.show("snapshot_first", statistics.median(times), f"min {min(times):.0f} ms, n=5")

    def cold() -> None:
        editor.send(owner)
        owner.snapshot()

    run.profile("snapshot_cold", cold, 5)

    # Second member of the same class (editor, sees restricted), no change: cache hit.
    editor.send(owner)
    assert owner.snapshot().status_code == 200  # builds the plaintext of this revision
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
    delta = member.client.get(
        f"/api/v1/workspaces/{workspace_id}/snapshot?since={revision}"
    ).get_data()
    assert b'"base"' in delta, "the server sent a full snapshot for one change"
    results.extra["delta_envelope"] = {"full_bytes": len(full), "delta_bytes": len(delta)}
    results.show(
        "delta_envelope_ratio",
        len(full) / len(delta),
        f"{len(delta):,} B against {len(full):,} B",
    )


if __name__ == "__main__":
    sys.exit(main(__doc__ or "", FIGURES, measure))
