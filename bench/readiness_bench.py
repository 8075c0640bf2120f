"""Readiness and poster benchmark on a 5,000-contact workspace.

Run from the repository root (``make bench`` runs every bench/*.py script):

    .venv/bin/python bench/readiness_bench.py
    ENLACE_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/enlace_c \
        .venv/bin/python bench/readiness_bench.py

Figures, in process (Flask test client): GET /api/v1/workspaces/<id>/readiness (every contact is
read and every phone number checked), the workspace page that shows the same checklist, and the
office poster (public numbers, the chosen contacts, a QR code, an audit row). Options: see
bench/sync_bench.py.
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

FIGURES = ["readiness_p50", "workspace_page_p50", "poster_p50"]
REPEAT = 20
# Kept here rather than in report.py's tables, which other benchmarks edit.
report.TARGETS.update(
    {
        # A page view under a third of a second at 5,000 contacts, on a laptop.
        "readiness_p50": (300.0, "ms", "le"),
        "workspace_page_p50": (300.0, "ms", "le"),
        "poster_p50": (300.0, "ms", "le"),
    }
)
report.LABELS.update(
    {
        "readiness_p50": "readiness checklist p50",
        "workspace_page_p50": "workspace page p50 (checklist panel)",
        "poster_p50": "office poster p50",
    }
)


def measure(run: Run) -> None:
    """Time the readiness answer, the workspace page and the poster."""
    app, results, workspace_id = run.app, run.results, run.seeded.workspace_id
    owner = Device(app, OWNER, workspace_id)
    paths = {
        "readiness_p50": f"/api/v1/workspaces/{workspace_id}/readiness",
        "workspace_page_p50": f"/workspaces/{workspace_id}",
        "poster_p50": f"/workspaces/{workspace_id}/poster",
    }
    for name, path in paths.items():
        assert owner.client.get(path).status_code == 200  # warm-up
        times = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            response = owner.client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        results.extra[name] = {"p50": pct(times, 50), "p95": pct(times, 95), "n": REPEAT}
        results.show(name, pct(times, 50), f"p95 {pct(times, 95):.0f} ms, n={REPEAT}")
        run.profile(name, lambda path=path: owner.client.get(path), 5)


if __name__ == "__main__":
    sys.exit(main(__doc__ or "", FIGURES, measure))
