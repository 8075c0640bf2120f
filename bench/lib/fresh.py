"""A fresh process's first snapshot, run in a process of its own by the snapshot benches.

    python -m bench.lib.fresh <database url> <instance folder> <workspace id> <email>

Starts the app as a new server process would, signs the user in, then times its first
`GET /api/v1/workspaces/<id>/snapshot` (server time through the test client). Prints JSON: the
time, the status, and the process's peak resident memory (VmHWM) before and after.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def peak_mb() -> float:
    """Return this process's peak resident memory in MB.

    Linux's VmHWM, of this program's own memory: `ru_maxrss` keeps the parent's peak across
    fork and exec, so a child of a large bench process would report the parent's.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    from bench.lib.clients import PASSWORD, USER_AGENT
    from bench.lib.runner import app_config
    from tests.helpers import sign_in
    from webapp import create_app

    database_url, instance, workspace_id, email = sys.argv[1:5]
    app = create_app(app_config(database_url, Path(instance)))
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    sign_in(client, email, PASSWORD)
    before = peak_mb()
    started = time.perf_counter()
    response = client.get(f"/api/v1/workspaces/{workspace_id}/snapshot")
    elapsed = (time.perf_counter() - started) * 1000
    print(
        json.dumps(
            {
                "ms": elapsed,
                "status": response.status_code,
                "bytes": len(response.get_data()),
                "peak_mb_before": before,
                "peak_mb": peak_mb(),
            }
        )
    )


if __name__ == "__main__":
    main()
