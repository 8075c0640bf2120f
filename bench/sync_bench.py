"""Sync benchmark: POST /api/v1/sync on a 5,000-contact workspace, SQLite (and PostgreSQL).

Run from the repository root (``make bench`` runs every bench/*.py script):

    .venv/bin/python bench/sync_bench.py
    ENLACE_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/enlace_c \
        .venv/bin/python bench/sync_bench.py

Figures, in process (Flask test client): full pull from cursor 0, no-op sync, 1-mutation sync,
and the bytes of the delta another device gets for one change. Options (every bench script):
``--only sqlite|postgresql``, ``--json PATH`` (write the figures), ``--profile DIR`` (a
pyinstrument profile of every scenario that misses its target, or of every one with
``--profile-all``), ``--contacts N`` (a smaller workspace for a quick smoke run).

It measures, it never asserts: the exit status is 0 whether targets are met or missed (a broken
setup, e.g. a sync answering 500, is still an error). It only talks to 127.0.0.1, drops and
recreates the ``public`` schema of the PostgreSQL database it is given (never one named
``test``), and removes its temporary folders.
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

FIGURES = ["noop_p50", "mutation_p50", "full_pull", "delta_bytes"]


def measure(run: Run) -> None:
    """Measure the sync figures on the seeded workspace."""
    app, results, workspace_id = run.app, run.results, run.seeded.workspace_id
    owner = Device(app, OWNER, workspace_id)
    member = Device(app, EDITOR, workspace_id)
    editor = Editor(run.seeded.contacts, run.rnd)

    # Full pull from cursor 0, every page.
    owner.pull_all()  # warm-up
    times, walls = [], []
    for _ in range(5):
        started = time.perf_counter()
        pages, changes, size, server = owner.pull_all()
        walls.append((time.perf_counter() - started) * 1000)
        times.append(server)
    results.extra["full_pull"] = {
        "pages": pages,
        "changes": changes,
        "bytes": size,
        "server_ms": times,
        "wall_with_client_decode_ms": walls,
    }
    results.show(
        "full_pull",
        statistics.median(times),
        f"{pages} pages, {changes} changes, {size / 1024:,.0f} KB; min {min(times):.0f} ms; "
        f"{statistics.median(walls):.0f} ms with the client's JSON decoding",
    )
    run.profile("full_pull", owner.pull_all, 3)
    member.cursor = owner.cursor

    # No-op sync: cursor current, no mutations.
    for _ in range(20):
        owner.sync()
    times = []
    for _ in range(300):
        started = time.perf_counter()
        response = owner.sync()
        times.append((time.perf_counter() - started) * 1000)
    assert response.get_json()["changes"] == []
    results.extra["noop"] = {"p50": pct(times, 50), "p95": pct(times, 95), "n": len(times)}
    results.show("noop_p50", pct(times, 50), f"p95 {pct(times, 95):.2f} ms, n=300")
    run.profile("noop_p50", owner.sync, 300)

    # One mutation: one field of one contact, with the right base.
    for _ in range(10):
        editor.send(owner)
    times = []
    mutation_bytes = []
    for _ in range(200):
        started = time.perf_counter()
        response = editor.send(owner)
        times.append((time.perf_counter() - started) * 1000)
        mutation_bytes.append(len(response.get_data()))
    results.extra["mutation"] = {"p50": pct(times, 50), "p95": pct(times, 95), "n": len(times)}
    results.show("mutation_p50", pct(times, 50), f"p95 {pct(times, 95):.2f} ms, n=200")
    run.profile("mutation_p50", lambda: editor.send(owner), 200)

    # The delta another device receives for one change, next to the full envelope (not timed).
    member.sync(cursor=owner.cursor)  # catch up
    member.cursor = owner.cursor
    editor.send(owner)
    response = member.sync()
    data = response.get_json()
    assert len(data["changes"]) == 1, data
    member.cursor = data["cursor"]
    delta = len(response.get_data())
    snapshot = member.snapshot()
    assert snapshot.status_code == 200, snapshot.status_code
    envelope_bytes = len(snapshot.get_data())
    results.extra["sizes"] = {
        "delta_bytes": delta,
        "one_mutation_response_bytes": statistics.median(mutation_bytes),
        "envelope_bytes": envelope_bytes,
    }
    results.show(
        "delta_bytes",
        delta,
        f"full snapshot envelope {envelope_bytes:,} B = {envelope_bytes / 1024:,.0f} KB; "
        f"1-mutation response {statistics.median(mutation_bytes):,.0f} B",
    )
    results.extra["revision"] = owner.cursor


if __name__ == "__main__":
    sys.exit(main(__doc__ or "", FIGURES, measure))
