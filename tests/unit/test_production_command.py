"""README's production command line, run as written: slow clients and sign-ins must not take
every worker (issue 18, findings 4 and 8).

Phones that trickle a request body hold whatever reads it; with gunicorn's `sync` workers, a
few such connections held every worker and a `GET /login` waited 41 s. The README's command
runs threaded workers, whose other threads go on answering.
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import sys
from pathlib import Path

import pytest
import requests

from tests.processes import ROOT, free_port, process, run_cli, wait_until_serving
from webapp.config import from_env

SLOW_CLIENTS = 6


def readme_gunicorn_command() -> list[str]:
    """Return the gunicorn command of README's production section, as its words."""
    text = (ROOT / "README.md").read_text()
    match = re.search(r"^\.venv/bin/gunicorn (?:.*\\\n)*.*$", text, re.MULTILINE)
    assert match, "README shows no gunicorn command"
    return shlex.split(match.group(0).replace("\\\n", " "))


def option(words: list[str], name: str) -> str | None:
    return words[words.index(name) + 1] if name in words else None


def test_sign_ins_never_hold_every_thread_of_the_recommended_command():
    words = readme_gunicorn_command()
    assert option(words, "--worker-class") == "gthread", "waiting requests would hold workers"
    threads = int(option(words, "--threads") or 1)
    settings = from_env({})
    # A burst of sign-ins holds at most the hashing slots and the places to wait: half the
    # threads stay for syncs and pages.
    assert settings["ARGON2_MAX_CONCURRENT"] + settings["ARGON2_MAX_WAITING"] <= threads // 2


def trickle(port: int) -> socket.socket:
    """Open a sign-in whose body never arrives in full (a phone on a bad connection)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = (
        "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"
        "email=slow%40example.com&password="
    )
    sock.sendall(head.encode())
    return sock


@pytest.mark.slow
def test_slow_request_bodies_leave_the_recommended_command_answering(tmp_path: Path):
    instance = tmp_path / "instance"
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        ENLACE_INSTANCE_PATH=str(instance),
        ENLACE_DATABASE_URL=f"sqlite:///{instance / 'enlace.db'}",
    )
    run_cli(env, "init")
    port = free_port()
    words = readme_gunicorn_command()
    words[words.index("--bind") + 1] = f"127.0.0.1:{port}"
    args = [sys.executable, "-m", "gunicorn", *words[1:]]
    base_url = f"http://127.0.0.1:{port}"
    log = tmp_path / "gunicorn.log"
    with process(args, env, log) as proc:
        wait_until_serving(base_url, proc, log)
        slow = [trickle(port) for _ in range(SLOW_CLIENTS)]
        try:
            # Every slow body is being read (each holds what reads it), and still:
            assert requests.get(f"{base_url}/login", timeout=20).status_code == 200
            assert requests.get(f"{base_url}/api/v1/session", timeout=20).status_code == 401
        finally:
            for sock in slow:
                sock.close()
