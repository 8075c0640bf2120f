"""The app in real processes, for tests: `enlace` CLI commands, a served `enlace run` (or
gunicorn), and what a client does over HTTP against it (subscribe a device, make a change).

Shared by tests/api/test_push_processes.py and tests/browser/test_push_end_to_end.py.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from sqlalchemy import text

from tests.helpers import PASSWORD, mutation
from tests.pushservice import PushService
from webapp.db import make_engine
from webapp.keys import vapid_key, vapid_public_key

ROOT = Path(__file__).resolve().parents[1]
CLI = "from webapp.cli import main; main()"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(instance: Path, database_url: str, push: PushService, **extra: str) -> dict:  # type: ignore[type-arg]
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT),
        ENLACE_INSTANCE_PATH=str(instance),
        ENLACE_DATABASE_URL=database_url,
        ENLACE_PUSH_ALLOWED_ENDPOINTS=push.origin + "/push/",
        ENLACE_PUSH_COALESCE_SECONDS="1",
        ENLACE_PUSH_POLL_SECONDS="0.2",
        ENLACE_SYNC_RATE_LIMIT="10000 per minute",
    )
    env.update(extra)
    return env


@contextmanager
def process(args: list[str], env: dict, log: Path) -> Iterator[subprocess.Popen]:  # type: ignore[type-arg]
    with log.open("wb") as out:
        proc = subprocess.Popen(args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_until_serving(base_url: str, proc: subprocess.Popen, log: Path) -> None:  # type: ignore[type-arg]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            if requests.get(f"{base_url}/login", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"not serving: {log.read_text()}")


def run_cli(env: dict, *args: str, stdin: str = "") -> str:  # type: ignore[type-arg]
    done = subprocess.run(
        [sys.executable, "-c", CLI, *args],
        env=env,
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def init_team(env: dict, instance: Path, push: PushService) -> str:  # type: ignore[type-arg]
    """`enlace init`, then ana (owner) and beto (viewer) in a workspace, all through the CLI.

    Tells the push service the instance's VAPID key; returns the workspace's id.
    """
    run_cli(env, "init")
    push.vapid_key = vapid_public_key(vapid_key(str(instance)))
    for email in ("ana@example.com", "beto@example.com"):
        run_cli(
            env,
            "users",
            "create",
            email,
            "--name",
            email[:4],
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )
    out = run_cli(
        env,
        "workspaces",
        "create",
        "Acme",
        "--owner",
        "ana@example.com",
        "--country",
        "MX",
        "--city",
        "CDMX",
    )
    workspace = out.strip().splitlines()[-1]
    run_cli(env, "members", "add", workspace, "beto@example.com", "--role", "viewer")
    return workspace


@contextmanager
def enlace_run(env: dict, log: Path) -> Iterator[str]:  # type: ignore[type-arg]
    """Serve the instance with `enlace run` (dispatcher thread included) on a free port.

    Yields its base URL once it answers.
    """
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with process([sys.executable, "-c", CLI, "run", "--port", str(port)], env, log) as proc:
        wait_until_serving(base_url, proc, log)
        yield base_url


def subscribe_http(http: requests.Session, base_url: str, push: PushService) -> dict:  # type: ignore[type-arg]
    subscription = push.subscribe()
    answer = http.post(f"{base_url}/api/v1/push/subscriptions", json=subscription, timeout=30)
    assert answer.status_code == 201, answer.text
    return subscription


def change_http(http: requests.Session, base_url: str, workspace: str, name: str) -> int:
    """Make one change through the sync API; return the workspace's revision after it."""
    body = {
        "workspace": workspace,
        "cursor": 0,
        "mutations": [mutation(uuid.uuid4(), {"name": name})],
    }
    answer = http.post(f"{base_url}/api/v1/sync", json=body, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"][0]["status"] == "applied"
    return answer.json()["cursor"]


def wait_for_drained(url: str, push: PushService, timeout: float = 90.0) -> bool:
    """Wait until no outbox message or delivery is left and no request is in flight."""
    engine = make_engine(url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                waiting = conn.scalar(
                    text(
                        "SELECT (SELECT count(*) FROM outbox_messages)"
                        " + (SELECT count(*) FROM push_deliveries)"
                    )
                )
            with push.lock:
                in_flight = bool(push.in_flight)
            if not waiting and not in_flight:
                return True
            push.wait_for(lambda: False, timeout=0.2)  # wakes when a message arrives
        return False
    finally:
        engine.dispose()
