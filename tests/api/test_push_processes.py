"""Push across real processes: `enlace run` with its dispatcher thread, and gunicorn with two
workers plus two `enlace push-worker` processes on PostgreSQL, one of them killed mid-send.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import PG_URL, app_config
from tests.helpers import PASSWORD, reset_postgres, sign_in_http, worker_database
from tests.processes import (
    CLI,
    change_http,
    enlace_run,
    environment,
    free_port,
    init_team,
    process,
    subscribe_http,
    wait_for_drained,
    wait_until_serving,
)
from tests.pushservice import PushService
from webapp import create_app
from webapp.db import get_engine, session_scope


@pytest.mark.slow
def test_under_enlace_run_a_change_reaches_the_other_member_and_not_its_author(tmp_path):
    instance = tmp_path / "instance"
    with PushService() as push:
        env = environment(instance, f"sqlite:///{instance / 'enlace.db'}", push)
        workspace = init_team(env, instance, push)
        log = tmp_path / "run.log"
        with enlace_run(env, log) as base_url:
            ana = sign_in_http(base_url, "ana@example.com")
            beto = sign_in_http(base_url, "beto@example.com")
            ana_phone = subscribe_http(ana, base_url, push)
            beto_phone = subscribe_http(beto, base_url, push)

            started = time.monotonic()
            revision = change_http(ana, base_url, workspace, "Bomberos")
            # How fast is bench/push_bench.py's question; this bound only ends a failing test.
            arrived = push.wait_for(lambda: push.messages(beto_phone), timeout=90)
            elapsed = time.monotonic() - started
            assert arrived, f"nothing within 90 s: {push.errors} {log.read_text()[-2000:]}"
            # (Changes the server made when the workspace was created, if any, were fanned out
            # before anyone subscribed.)
            assert push.messages(beto_phone) == [
                {
                    "type": "directory-changed",
                    "workspace": workspace,
                    "revision": revision,
                    "count": 1,
                }
            ]
            assert push.messages(ana_phone) == []
            assert push.errors == []
            print(f"change to decrypted message at the push service: {elapsed:.2f} s")
            ana.close()
            beto.close()


# --- gunicorn ×2 + push-worker ×2 on PostgreSQL ------------------------------------------------


def worker_ports(pid: int) -> set[int]:
    """The local TCP ports of a process's sockets (from /proc, without psutil)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


@pytest.mark.slow
@pytest.mark.skipif(not PG_URL, reason="needs ENLACE_TEST_DATABASE_URL (PostgreSQL)")
def test_gunicorn_and_two_push_workers_deliver_each_change_once_even_when_one_is_killed(
    tmp_path,
):
    url = worker_database(PG_URL)
    reset_postgres(url)
    instance = tmp_path / "instance"
    # The push service answers slowly, so that the kill lands while a worker is sending.
    with PushService(delay=0.3) as push:
        setup = create_app(app_config(url, instance))
        push.vapid_key = setup.config["VAPID_PUBLIC_KEY"]
        from webapp.auth import service as auth_service
        from webapp.workspaces import service as workspace_service

        emails = [f"member{n}@example.com" for n in range(4)]
        with setup.app_context(), session_scope(setup) as session:
            users = [auth_service.create_user(session, e, e[:7], PASSWORD) for e in emails]
            workspace = workspace_service.create_workspace(session, "Acme", users[0], "MX", "CDMX")
            for user in users[1:]:
                workspace_service.add_member(session, workspace.id, user, "editor")
            wid = str(workspace.id)
        with setup.app_context(), session_scope(setup) as session:
            # Whatever creating the workspace wrote is not part of this test.
            session.execute(text("DELETE FROM outbox_messages"))
            base = session.scalar(text("SELECT revision FROM workspaces"))
        get_engine(setup).dispose()

        env = environment(
            instance,
            url,
            push,
            # A send gives up (timeout) before its claim lapses (lease), as with the defaults
            # (10 s and 120 s): with a 4 s lease, a send slowed past it on a busy machine was
            # claimed again and went twice (session 12, series C run 3). The killed worker's
            # claims lapse after the lease, so it is kept short.
            ENLACE_PUSH_LEASE_SECONDS="12",
            ENLACE_PUSH_BATCH_SIZE="2",
            ENLACE_PUSH_SEND_THREADS="2",
            ENLACE_PUSH_TIMEOUT_SECONDS="10",
        )
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        gunicorn = [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "webapp:create_app()",
        ]
        worker = [sys.executable, "-c", CLI, "push-worker"]
        with (
            process(gunicorn, env, tmp_path / "gunicorn.log") as server,
            process(worker, env, tmp_path / "worker-a.log") as worker_a,
            process(worker, env, tmp_path / "worker-b.log") as worker_b,
        ):
            wait_until_serving(base_url, server, tmp_path / "gunicorn.log")
            sessions = [sign_in_http(base_url, e) for e in emails]
            phones: dict[int, list[dict[str, Any]]] = {
                n: [subscribe_http(http, base_url, push) for _ in range(2)]
                for n, http in enumerate(sessions)
            }
            made = {n: 0 for n in range(4)}  # changes per member
            authors: list[int] = []  # who made each change, in revision order

            def round_of_changes(tag: str) -> None:
                for n, http in enumerate(sessions):
                    change_http(http, base_url, wid, f"{tag}-{n}")
                    made[n] += 1
                    authors.append(n)

            round_of_changes("first")
            # Kill worker A while one of its requests is in flight at the push service.
            deadline = time.monotonic() + 20
            killed = False
            while time.monotonic() < deadline and not killed:
                if push.hold_in_flight(worker_ports(worker_a.pid)):
                    os.kill(worker_a.pid, signal.SIGKILL)
                    killed = True
                else:
                    time.sleep(0.01)
            assert killed, "worker A never sent"
            worker_a.wait(timeout=10)
            round_of_changes("second")
            time.sleep(1.2)  # a new coalescing window
            round_of_changes("third")

            total = sum(made.values())

            def expected(n: int) -> int:
                return total - made[n]

            def complete() -> bool:
                return all(
                    sum(m["count"] for m in push.messages(phone)) >= expected(n)
                    for n, own in phones.items()
                    for phone in own
                )

            assert push.wait_for(complete, timeout=60), {
                n: [push.messages(p) for p in own] for n, own in phones.items()
            }
            # Anything sent twice would be sent before the queue is empty and nothing is in
            # flight: wait for that rather than for a while.
            assert wait_for_drained(url, push), "the push queue never emptied"
            worker_b.send_signal(signal.SIGTERM)
            assert worker_b.wait(timeout=30) == 0  # a clean shutdown
            for http in sessions:
                http.close()

        assert push.errors == []
        abandoned = [r for r in push.received if r.abandoned]
        assert abandoned, "the kill did not land mid-send"
        for n, own in phones.items():
            for phone in own:
                messages = push.messages(phone)
                revisions = [m["revision"] for m in messages]
                # Every change by the others counted exactly once, none twice, none lost.
                assert sum(m["count"] for m in messages) == expected(n), messages
                assert len(revisions) == len(set(revisions)), messages
                # The last message tells of the last change by another member. The last change
                # of all is its author's own, told to no one else: under load, that member's
                # last message can go out before it is made.
                last_by_others = max(i for i, a in enumerate(authors, 1) if a != n)
                assert base + last_by_others <= max(revisions) <= base + total
                assert all(m["workspace"] == wid for m in messages)
        # Coalesced: far fewer messages than changes.
        assert len(push.messages()) < 8 * total
        print(
            f"{len(push.messages())} messages for {total} changes on 8 devices; "
            f"{len(abandoned)} abandoned by the killed worker and sent again"
        )
    reset_postgres(url)  # leave the database empty for the next tests
