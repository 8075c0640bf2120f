"""Processes the benchmarks start on 127.0.0.1: gunicorn, push workers, and, for the fault
test, a private PostgreSQL cluster and a private Redis that it may stop and start.

Each runs in its own process group and is stopped by `stop()` (the scripts call it from a
`finally`, and bench/lib/runner.py turns SIGTERM into an exception so that it runs then too).
Nothing here touches the machine's own PostgreSQL or Redis.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
CLI = "from webapp.cli import main; main()"


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_environment(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    """The environment of the served app: this machine's, without its ENLACE_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENLACE_")}
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "ENLACE_DATABASE_URL": database_url,
            "ENLACE_INSTANCE_PATH": str(instance),
        }
    )
    env.update(extra)
    return env


class Process:
    """A child process in its own group, its output in a log file; `stop()` ends the group."""

    stop_signal = signal.SIGTERM
    stop_timeout = 15.0

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path):
        self.args = args
        self.log_path = log_path
        self.log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float | None = None) -> int | None:
        """Signal the group (SIGTERM), then SIGKILL if it lingers; return the exit status."""
        if self.process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, self.stop_signal)
            try:
                self.process.wait(timeout=timeout or self.stop_timeout)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        if not self.log.closed:
            self.log.close()
        return self.process.returncode


class Gunicorn(Process):
    """gunicorn with the production app factory (`webapp:create_app()`) on 127.0.0.1."""

    # Quick shutdown: a bench has nothing left to answer, and a graceful one waits for workers.
    stop_signal = signal.SIGINT
    stop_timeout = 5.0

    def __init__(self, env: dict[str, str], log_path: Path, workers: int = 2):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        super().__init__(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{self.port}",
                "webapp:create_app()",
            ],
            env,
            log_path,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        """Wait until the sign-in page answers."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            with suppress(requests.RequestException):
                if requests.get(self.base + "/login", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not start in time")

    def workers(self) -> list[int]:
        """Return the pids of the master's worker processes."""
        pids = []
        for stat in glob.glob("/proc/[0-9]*/stat"):
            with suppress(OSError, IndexError, ValueError):
                # The command may hold spaces: the fields after its closing parenthesis.
                fields = Path(stat).read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.process.pid:
                    pids.append(int(Path(stat).parent.name))
        return pids

    def busy_workers(self) -> list[int]:
        """Return the workers holding an established client connection: mid-request.

        gunicorn's sync workers answer one request per connection and close it, so a worker
        with an accepted connection open is serving that request.
        """
        established: set[str] = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with suppress(OSError):
                for line in Path(table).read_text().splitlines()[1:]:
                    fields = line.split()
                    local_port = int(fields[1].rsplit(":", 1)[1], 16)
                    if local_port == self.port and fields[3] == "01":  # ESTABLISHED
                        established.add(fields[9])
        busy = []
        for pid in self.workers():
            with suppress(OSError):
                for fd in Path(f"/proc/{pid}/fd").iterdir():
                    with suppress(OSError):
                        target = os.readlink(fd)
                        if target.startswith("socket:[") and target[8:-1] in established:
                            busy.append(pid)
                            break
        return busy


def push_worker(env: dict[str, str], log_path: Path) -> Process:
    """Start `enlace push-worker` (the dispatcher alone)."""
    return Process([sys.executable, "-c", CLI, "push-worker"], env, log_path)


def _as_postgres_user(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its commands as the `postgres` user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


class PrivatePostgres:
    """A PostgreSQL cluster of this run's own (initdb in a temporary folder, its own port),
    so that the fault test may restart and stop it without touching anyone else's server."""

    def __init__(self, workdir: Path):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=_version_key)
        if not found:
            raise RuntimeError("no /usr/lib/postgresql/*/bin/pg_ctl: install PostgreSQL")
        self.bin = Path(found[-1]).parent
        self.port = free_port()
        # Its own folder under /tmp: the postgres user must reach it even when workdir is not.
        self.folder = Path(tempfile.mkdtemp(prefix="enlace-bench-pg-"))
        self.data = self.folder / "data"
        self.log_path = workdir / "postgresql.log"
        try:
            if os.geteuid() == 0:
                shutil.chown(self.folder, "postgres", "postgres")
            self._run(
                "initdb",
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-instructions",
            )
        except (OSError, LookupError, RuntimeError) as error:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise RuntimeError(f"cannot make a PostgreSQL cluster: {error}") from error
        settings = (
            f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{self.folder}'\nmax_connections = 200\n"
            "shared_buffers = 64MB\nlogging_collector = off\n"
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(settings)

    def _run(self, tool: str, *args: str, timeout: float = 120) -> None:
        done = subprocess.run(
            _as_postgres_user([str(self.bin / tool), *args]),
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.folder,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed: {done.stdout}{done.stderr}")

    def _ctl(self, *args: str) -> None:
        log = str(self.folder / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-w", "-t", "60", *args)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        self._ctl("start")

    def stop(self) -> None:
        """Stop fast: open connections are cut, as when the server goes down."""
        self._ctl("stop", "-m", "fast")

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")

    def create_database(self, name: str) -> str:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return self.url(name)

    def destroy(self) -> None:
        """Stop the cluster if it runs and remove its folder (its log kept in workdir)."""
        with suppress(RuntimeError, subprocess.TimeoutExpired):
            self._ctl("stop", "-m", "immediate")
        with suppress(OSError):
            shutil.copy(self.folder / "server.log", self.log_path)
        shutil.rmtree(self.folder, ignore_errors=True)


def _version_key(path: str) -> tuple[int, ...]:
    part = Path(path).parents[1].name
    return tuple(int(x) for x in part.split(".") if x.isdigit())


class PrivateRedis:
    """A redis-server of this run's own on its own port, without persistence."""

    def __init__(self, workdir: Path):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            raise RuntimeError("no redis-server on the PATH: install Redis")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log_path = workdir / "redis.log"
        self.process: Process | None = None

    def start(self, timeout: float = 15) -> None:
        args = [
            self.binary or "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--protected-mode",
            "yes",
        ]
        self.process = Process(args, dict(os.environ), self.log_path)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 0.5) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start in time")

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None
