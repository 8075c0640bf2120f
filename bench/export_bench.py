"""Export benchmark on a 5,000-contact workspace (issue 19: an export of 5,000 contacts ≤ 2 s).

Run from the repository root (``make bench`` runs every bench/*.py script):

    .venv/bin/python bench/export_bench.py
    ENLACE_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/enlace_c \
        .venv/bin/python bench/export_bench.py

Figures, in process (Flask test client): GET /api/v1/workspaces/<id>/export in each format, the
whole answer (the visible document read, the file written, the audit row). The first export of
a process is "cold" (no snapshot built yet, as after a restart); the p50s are of
the exports after it. Options: see bench/sync_bench.py.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.lib import report  # noqa: E402
from bench.lib.clients import OWNER, Device  # noqa: E402
from bench.lib.report import pct  # noqa: E402
from bench.lib.runner import Run, main  # noqa: E402

QUERIES = {
    "export_vcard": "format=vcard",
    "export_vcard3": "format=vcard&version=3.0",
    "export_csv": "format=csv",
    "export_json": "format=json",
}
FIGURES = ["export_cold", *(f"{name}_p50" for name in QUERIES)]
REPEAT = 10
# Kept here rather than in report.py's tables, which other benchmarks edit.
report.TARGETS.update({name: (2000.0, "ms", "le") for name in FIGURES})
report.LABELS.update(
    {
        "export_cold": "first export, cold cache (vCard 4.0)",
        "export_vcard_p50": "export vCard 4.0 p50",
        "export_vcard3_p50": "export vCard 3.0 p50",
        "export_csv_p50": "export CSV p50",
        "export_json_p50": "export JSON p50",
    }
)


def measure(run: Run) -> None:
    """Time each format's export of the whole workspace."""
    app, results, workspace_id = run.app, run.results, run.seeded.workspace_id
    owner = Device(app, OWNER, workspace_id)
    base = f"/api/v1/workspaces/{workspace_id}/export?"
    started = time.perf_counter()
    response = owner.client.get(base + QUERIES["export_vcard"])
    cold = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.get_data(as_text=True)[:200]
    results.show("export_cold", cold, f"{len(response.get_data()) / 1e6:.1f} MB")
    for name, query in QUERIES.items():
        times, size = [], 0
        for _ in range(REPEAT):
            started = time.perf_counter()
            response = owner.client.get(base + query)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
            size = len(response.get_data())
        figure = f"{name}_p50"
        results.extra[figure] = {"p50": pct(times, 50), "p95": pct(times, 95), "n": REPEAT}
        results.show(figure, pct(times, 50), f"p95 {pct(times, 95):.0f} ms, {size / 1e6:.1f} MB")
        run.profile(figure, lambda query=query: owner.client.get(base + query), 3)


if __name__ == "__main__":
    sys.exit(main(__doc__ or "", FIGURES, measure))
