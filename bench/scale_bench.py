"""Scaling benchmark: the snapshot figures of bench/snapshot_bench.py at 50,000 contacts.

    .venv/bin/python bench/scale_bench.py [--contacts 50000]
    ENLACE_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/enlace_c \\
        .venv/bin/python bench/scale_bench.py

Seeding 50,000 realistic contacts takes minutes per backend. The figures with a target here
are the fresh process's first snapshot (it adds the tail to the checkpoint an earlier process
saved) and the peak memory of a process (ru_maxrss, in a process of its own: from the
checkpoint, and building from nothing); the rest are printed for comparison with 5,000.
"""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.lib.runner import main  # noqa: E402
from bench.snapshot_bench import measure  # noqa: E402

FIGURES = [
    "snapshot_first_50k",
    "peak_rss_50k",
    "snapshot_cold",
    "catchup_first",
    "snapshot_member_p50",
    "not_modified_p50",
    "delta_envelope_ratio",
]

if __name__ == "__main__":
    sys.exit(
        main(
            __doc__ or "",
            FIGURES,
            partial(measure, first_figure="snapshot_first_50k", peak_figure="peak_rss_50k"),
            contacts=50_000,
        )
    )
