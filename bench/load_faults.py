"""Load and faults (issue 18): devices syncing through gunicorn while its dependencies fail.

Run from the repository root (``make bench`` runs it with the defaults, about 2½ minutes):

    .venv/bin/python bench/load_faults.py
    .venv/bin/python bench/load_faults.py --users 10 --devices 5 --phase-seconds 30

It starts everything itself, on 127.0.0.1 only, and removes it at the end:

- a private PostgreSQL cluster (initdb from /usr/lib/postgresql/*/bin in a temporary folder, its
  own port; run as the ``postgres`` user when started as root), which it restarts and stops —
  never the machine's own server; ``--database-url`` uses an existing database of yours instead
  (its schema is dropped and recreated; the PostgreSQL faults are then skipped);
- a private ``redis-server`` (own port, no persistence), which it stops and starts;
- ``gunicorn -w 4 'webapp:create_app()'`` (the production app factory, production Argon2 cost)
  with ``ENLACE_REDIS_URL`` on that Redis, two ``enlace push-worker`` processes, and a push
  service on loopback that checks VAPID and decrypts (tests/pushservice.py).

Users (``--users``, each a member of two workspaces as owner, editor or viewer) each have
``--devices`` devices (bench/lib/fleet.py): sign-in through the form, the snapshot key, push
subscriptions, online edits and offline batches of edits, most on the same few contacts and
fields, creates, deletes, restrictions, replays of acknowledged batches, and viewers pulling
through the encrypted snapshot and its deltas. Phases, each ``--phase-seconds`` long: a
baseline; gunicorn workers killed with SIGKILL while serving a request; PostgreSQL restarted;
PostgreSQL stopped for ``--outage-seconds``; Redis stopped as long. Then every device sends what
it queued and pulls, and the invariants are checked (bench/lib/invariants.py): every
acknowledged mutation applied exactly once, versions and revisions gap-free, every device equal
to a fresh pull, no restricted record to a viewer.

It prints the requests and status codes per phase (HTML and JSON error answers apart,
``Retry-After`` noted), the recovery time after each fault (from the fault's end to the end of
the last failed request of its phase), latency percentiles, and what push delivered. The targets
of issue 18 — no HTML error answer, and during faults no 5xx but 503 with ``Retry-After`` — are
shown as PASS or MISS. Exit status: 1 when an invariant breaks (or with ``--strict`` when a
target is missed), else 0.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bench.lib import invariants  # noqa: E402
from bench.lib.database import add_contacts, check_loopback_url  # noqa: E402
from bench.lib.fleet import Call, Device, Failed, Ledger, Recorder, Shared  # noqa: E402
from bench.lib.report import code_version, load_average, log, pct  # noqa: E402
from bench.lib.runner import terminate  # noqa: E402
from bench.lib.servers import (  # noqa: E402
    Gunicorn,
    PrivatePostgres,
    PrivateRedis,
    Process,
    app_environment,
    push_worker,
)
from tests.helpers import pg_url, reset_postgres  # noqa: E402
from tests.pushservice import PushService  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.db import get_engine, make_engine, session_scope  # noqa: E402

PASSWORD = "load and faults 1234"  # noqa: S105 - throwaway accounts in a throwaway database
ROLES = ("owner", "editor", "viewer")
DATABASE = "loadfaults_bench"


@dataclass
class Phase:
    """A part of the run: when it started and ended, and when its fault was over."""

    name: str
    start: float
    end: float = 0.0
    fault_end: float | None = None
    note: str = ""


@dataclass
class Team:
    workspaces: list[str]
    users: list[tuple[str, dict[str, str]]]  # email, {workspace id: role}
    seeded: dict[str, set[str]]  # workspace id -> contact ids
    hot: dict[str, list[str]]
    vapid: str  # the instance's VAPID public key, which the push service checks


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=6, help="users (default 6, at least 3)")
    parser.add_argument("--devices", type=int, default=2, help="devices per user (default 2)")
    parser.add_argument("--contacts", type=int, default=300, help="contacts per workspace")
    parser.add_argument("--hot", type=int, default=6, help="contacts everyone edits, per workspace")
    parser.add_argument("--phase-seconds", type=float, default=12, help="length of each phase")
    parser.add_argument("--outage-seconds", type=float, default=8, help="PostgreSQL/Redis down")
    parser.add_argument("--kills", type=int, default=2, help="gunicorn workers killed")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--push-workers", type=int, default=2)
    parser.add_argument("--settle-seconds", type=float, default=120, help="time to converge")
    parser.add_argument(
        "--sync-rate-limit",
        default="100000 per minute",
        help="ENLACE_SYNC_RATE_LIMIT (default: out of the way; the product's is 240 per minute)",
    )
    parser.add_argument(
        "--database-url",
        help="an existing loopback PostgreSQL database to wipe and use (skips its faults)",
    )
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--keep", action="store_true", help="keep the logs' folder")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    if args.users < 3:
        parser.error("--users must be at least 3 (an owner, an editor and a viewer)")
    return args


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        memory = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        model += f", {int(memory) / 1024 / 1024:.1f} GiB"
    except (OSError, IndexError, ValueError):
        pass
    return f"{os.cpu_count()} CPUs ({model})"


# -- setting up --------------------------------------------------------------------------------


def seed_team(url: str, instance: Path, args: argparse.Namespace, rnd: random.Random) -> Team:
    """Users, two workspaces with roles in turn, and contacts, written before gunicorn starts.

    Every user gets one password hash made at the product's Argon2 cost (made once: seeding
    stays quick), so that sign-ins through gunicorn cost what they do in production.
    """
    from argon2 import PasswordHasher

    from webapp.auth import service as auth
    from webapp.config import from_env
    from webapp.workspaces import service as workspaces

    product = from_env({})
    production_hash = PasswordHasher(
        time_cost=int(product["ARGON2_TIME_COST"]),  # type: ignore[call-overload]
        memory_cost=int(product["ARGON2_MEMORY_COST"]),  # type: ignore[call-overload]
    ).hash(PASSWORD)
    app = create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(instance),
            "REDIS_URL": "",
            "RATELIMIT_STORAGE_URI": "memory://",
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 1024,
        }
    )
    emails = [f"load{n}@bench.example.com" for n in range(args.users)]
    with app.app_context(), session_scope(app) as session:
        users = [auth.create_user(session, e, f"Load {n}", PASSWORD) for n, e in enumerate(emails)]
        for user in users:
            user.password_hash = production_hash
        ids, owners = [], []
        for w, name in enumerate(("Norte", "Sur")):
            # Roles in turn: the first workspace's owner is user 0, the second's user 1.
            roles = [ROLES[(n + w * 2) % 3] for n in range(args.users)]
            owner = users[roles.index("owner")]
            workspace = workspaces.create_workspace(session, name, owner, "MX", "Ciudad de México")
            for user, role in zip(users, roles, strict=True):
                if user is not owner:
                    workspaces.add_member(session, workspace.id, user, role)
            ids.append(str(workspace.id))
            owners.append((owner.id, roles))
    seeded, hot = {}, {}
    for workspace_id, (owner_id, _roles) in zip(ids, owners, strict=True):
        contacts, _seconds = add_contacts(app, workspace_id, owner_id, rnd, args.contacts)
        seeded[workspace_id] = set(contacts)
        hot[workspace_id] = list(contacts)[: args.hot]
    vapid = app.config["VAPID_PUBLIC_KEY"]
    get_engine(app).dispose()
    users_roles = [
        (email, {ids[w]: owners[w][1][n] for w in range(2)}) for n, email in enumerate(emails)
    ]
    return Team(ids, users_roles, seeded, hot, vapid)


# -- faults ------------------------------------------------------------------------------------


def kill_busy_worker(server: Gunicorn, rnd: random.Random) -> tuple[int, bool]:
    """SIGKILL a worker that is serving a request (a random one if none is seen in 5 s)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        busy = server.busy_workers()
        if busy:
            pid = rnd.choice(busy)
            os.kill(pid, signal.SIGKILL)
            return pid, True
        time.sleep(0.003)
    pid = rnd.choice(server.workers())
    os.kill(pid, signal.SIGKILL)
    return pid, False


class Schedule:
    """Runs the phases in order, noting each in the recorder."""

    def __init__(self, recorder: Recorder, stop: threading.Event):
        self.recorder = recorder
        self.stop = stop
        self.phases: list[Phase] = []

    def begin(self, name: str) -> Phase:
        now = self.recorder.now()
        if self.phases:
            self.phases[-1].end = now
        phase = Phase(name, now)
        self.phases.append(phase)
        self.recorder.phase = name
        log(f"{now:6.1f} s  {name}   (load average {load_average()})")
        return phase

    def wait(self, seconds: float) -> None:
        self.stop.wait(seconds)

    def close(self) -> None:
        if self.phases and not self.phases[-1].end:
            self.phases[-1].end = self.recorder.now()


def run_phases(
    schedule: Schedule,
    args: argparse.Namespace,
    server: Gunicorn,
    pg: PrivatePostgres | None,
    redis: PrivateRedis,
    rnd: random.Random,
) -> None:
    seconds, outage = args.phase_seconds, args.outage_seconds
    schedule.begin("baseline")
    schedule.wait(seconds)

    phase = schedule.begin("worker killed")
    kills = []
    for _ in range(args.kills):
        pid, busy = kill_busy_worker(server, rnd)
        kills.append(f"{pid}{' mid-request' if busy else ' (idle)'}")
        phase.fault_end = schedule.recorder.now()
        schedule.wait(seconds / max(args.kills, 1))
    phase.note = "SIGKILL " + ", ".join(kills)

    if pg is not None:
        phase = schedule.begin("PostgreSQL restart")
        pg.restart()
        phase.fault_end = schedule.recorder.now()
        phase.note = f"pg_ctl restart -m fast took {phase.fault_end - phase.start:.1f} s"
        schedule.wait(seconds)

        phase = schedule.begin("PostgreSQL stopped")
        pg.stop()
        schedule.wait(outage)
        pg.start()
        phase.fault_end = schedule.recorder.now()
        phase.note = f"down {phase.fault_end - phase.start:.1f} s"
        schedule.wait(seconds)

    phase = schedule.begin("Redis stopped")
    redis.stop()
    schedule.wait(outage)
    redis.start()
    phase.fault_end = schedule.recorder.now()
    phase.note = f"down {phase.fault_end - phase.start:.1f} s"
    schedule.wait(seconds)


# -- after the load ----------------------------------------------------------------------------


def settle(devices: list[Device], seconds: float) -> list[str]:
    """Every device sends what it queued and pulls; then pulls again once all have sent."""
    deadline = time.monotonic() + seconds
    stuck: list[str] = []

    def one(device: Device) -> None:
        if not device.settle(deadline):
            stuck.append(device.name)

    for round_ in range(2):
        threads = [threading.Thread(target=one, args=(d,)) for d in devices]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if round_ == 0 and stuck:
            break
    return stuck


def fresh_copies(
    team: Team, shared: Shared, engine: Any
) -> tuple[dict[tuple[str, bool], dict[str, Any]], list[invariants.Check]]:
    """A new sign-in per workspace and class pulls from cursor 0 and fetches a full snapshot."""
    fresh: dict[tuple[str, bool], dict[str, Any]] = {}
    problems, viewer_problems = [], []
    for workspace_id in team.workspaces:
        for full in (True, False):
            email, roles = next(
                (e, r) for e, r in team.users if (r[workspace_id] != "viewer") == full
            )
            device = Device(f"fresh-{'full' if full else 'viewer'}", email, roles, shared, 0)
            device.subscribed = True
            for attempt in range(20):
                try:
                    device.sign_in()
                    pulled = device.copies[workspace_id]
                    device.flush(pulled)
                    snap = type(pulled)(workspace_id, pulled.role)
                    device.snapshot(snap)
                    break
                except Failed:
                    time.sleep(1 + attempt)
            else:
                raise RuntimeError("the fresh device could not pull")
            fresh[(workspace_id, full)] = pulled.records
            difference = invariants.compare(snap.records, pulled.records)
            if difference:
                problems.append(f"{workspace_id} full={full}: snapshot vs pull: {difference}")
            expected = invariants.visible_ids(engine, workspace_id, full)
            if set(pulled.records) != expected:
                (viewer_problems if not full else problems).append(
                    f"{workspace_id} full={full}: pull holds {len(pulled.records)}, "
                    f"database {len(expected)} ({len(set(pulled.records) ^ expected)} differ)"
                )
    checks = [
        invariants.Check(
            "a fresh snapshot equals a fresh pull",
            not problems,
            "per workspace and class",
            problems,
        ),
        invariants.Check(
            "a viewer's fresh pull is the live records that are not restricted",
            not viewer_problems,
            "compared with the database",
            viewer_problems,
        ),
    ]
    return fresh, checks


def convergence(
    devices: list[Device], fresh: dict[tuple[str, bool], dict[str, Any]], stuck: list[str]
) -> invariants.Check:
    problems = [f"{name}: could not send its outbox before the deadline" for name in stuck]
    compared = 0
    for device in devices:
        for workspace_id, held in device.copies.items():
            if held.outbox:
                problems.append(f"{device.name}: {len(held.outbox)} mutations still queued")
            difference = invariants.compare(
                held.records, fresh[(workspace_id, held.sees_restricted)]
            )
            compared += 1
            if difference:
                problems.append(f"{device.name} {workspace_id}: {difference}")
    return invariants.Check(
        "every device converged to a fresh pull",
        not problems,
        f"{compared} copies compared",
        problems,
    )


def phase_at(phases: list[Phase], moment: float) -> str:
    """The phase a moment of the run (seconds since its start) fell in."""
    for phase in phases:
        if phase.start <= moment <= (phase.end or float("inf")):
            return phase.name
    return "sign-in burst" if phases and moment < phases[0].start else "settle"


def push_state(
    engine: Any, push: PushService, recorder: Recorder, phases: list[Phase], timeout: float = 30
) -> dict[str, Any]:
    """Wait for the push queue to drain; report what was sent and what is left."""
    from webapp.push.models import OutboxMessage, PushDelivery

    deadline = time.monotonic() + timeout
    started = time.monotonic()
    while True:
        with engine.connect() as connection:
            waiting = connection.scalar(select(func.count()).select_from(PushDelivery))
            outbox = connection.scalar(select(func.count()).select_from(OutboxMessage))
            oldest = connection.scalar(select(func.min(PushDelivery.created_at)))
            stuck = connection.scalar(
                select(func.count()).where(PushDelivery.attempts == 0).select_from(PushDelivery)
            )
        if (not waiting and not outbox) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    with push.lock:
        received = [r for r in push.received if r.status == 201 and not r.abandoned]
        errors = list(push.errors)
    per_subscription: dict[str, Counter[tuple[Any, Any]]] = defaultdict(Counter)
    # The push service stamps arrivals with time.time(); the run counts from its own start.
    offset = time.time() - recorder.now()
    duplicates: Counter[str] = Counter()
    for item in received:
        if item.payload.get("type") == "directory-changed":
            key = (item.payload["workspace"], item.payload["revision"])
            per_subscription[item.token][key] += 1
            if per_subscription[item.token][key] > 1:
                duplicates[phase_at(phases, item.at - offset)] += 1
    return {
        "messages": len(received),
        "subscriptions reached": len(per_subscription),
        "sent twice": sum(duplicates.values()),
        "sent twice, by phase of the second": dict(duplicates),
        "waiting deliveries": waiting,
        "never attempted": stuck,
        "outbox rows": outbox,
        "oldest waiting": str(oldest) if oldest else None,
        "drain seconds": round(time.monotonic() - started, 1),
        "push service errors": errors[:5],
    }


# -- the report --------------------------------------------------------------------------------


def label(call: Call) -> str:
    if isinstance(call.status, str):
        return call.status
    text = str(call.status)
    if call.status >= 400:
        text += f" {call.body}"
        if call.retry_after:
            text += " +RA"
    return text


def failed(call: Call) -> bool:
    return isinstance(call.status, str) or call.status >= 500


def html_error(call: Call) -> bool:
    """An HTML error where it does not belong: from the API, or a page's 5xx that is not
    "come back later" (the sign-in form may well answer 429 or 503 as a page)."""
    if isinstance(call.status, str) or call.status < 400 or call.body != "html":
        return False
    return call.api or bad_5xx(call)


def bad_5xx(call: Call) -> bool:
    """A 5xx that is not the one a client can act on: 503 with Retry-After (JSON from the API)."""
    if isinstance(call.status, str) or call.status < 500:
        return False
    return not (call.status == 503 and call.retry_after and (call.body != "html" or not call.api))


def report(
    calls: list[Call],
    phases: list[Phase],
    checks: list[invariants.Check],
    push: dict[str, Any],
    events: dict[str, int],
) -> dict[str, Any]:
    figures: dict[str, Any] = {"phases": [], "latency": {}, "push": push, "notes": events}
    by_phase: dict[str, list[Call]] = defaultdict(list)
    for call in calls:
        by_phase[call.phase].append(call)
    print("\n== requests per phase (status; errors as html/json; +RA = with Retry-After)")
    for phase in [Phase("sign-in burst", 0.0), *phases, Phase("settle", 0.0)]:
        own = by_phase.get(phase.name, [])
        if not own:
            continue
        counts = Counter(label(c) for c in own)
        fails = [c for c in own if failed(c)]
        recovery = None
        if phase.fault_end is not None:
            last = max((c.start + c.seconds for c in fails), default=None)
            recovery = 0.0 if last is None else max(0.0, last - phase.fault_end)
        seconds = [c.seconds * 1000 for c in own]
        row = {
            "phase": phase.name,
            "note": phase.note,
            "seconds": round((phase.end or phase.start) - phase.start, 1),
            "requests": len(own),
            "statuses": dict(counts.most_common()),
            "html_errors": sum(html_error(c) for c in own),
            "bad_5xx": sum(bad_5xx(c) for c in own),
            "no_answer": sum(isinstance(c.status, str) for c in own),
            "recovery_seconds": None if recovery is None else round(recovery, 2),
            "p50_ms": round(pct(seconds, 50), 1),
            "p95_ms": round(pct(seconds, 95), 1),
            "p99_ms": round(pct(seconds, 99), 1),
            "max_ms": round(max(seconds), 1),
        }
        figures["phases"].append(row)
        head = f"  {phase.name:<20} {len(own):>6,} requests"
        if phase.note:
            head += f"   [{phase.note}]"
        print(head)
        print("      " + ", ".join(f"{k}: {v:,}" for k, v in counts.most_common()))
        tail = f"      p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, p99 {row['p99_ms']} ms, "
        tail += f"max {row['max_ms']} ms"
        if recovery is not None:
            tail += f"; recovered {recovery:.2f} s after the fault ended"
        print(tail)

    print("\n== latency of answered requests (status < 400), by kind")
    by_kind: dict[str, list[float]] = defaultdict(list)
    for call in calls:
        if not isinstance(call.status, str) and call.status < 400:
            by_kind[call.kind].append(call.seconds * 1000)
    for kind, values in sorted(by_kind.items(), key=lambda item: -len(item[1])):
        figures["latency"][kind] = {
            "n": len(values),
            "p50_ms": round(pct(values, 50), 1),
            "p95_ms": round(pct(values, 95), 1),
            "p99_ms": round(pct(values, 99), 1),
        }
        print(
            f"  {kind:<16} n={len(values):>6,}  p50 {pct(values, 50):7.1f} ms  "
            f"p95 {pct(values, 95):7.1f} ms  p99 {pct(values, 99):7.1f} ms"
        )

    print("\n== push")
    print("  " + ", ".join(f"{k}: {v}" for k, v in push.items() if k != "push service errors"))
    for error in push["push service errors"]:
        print(f"  push service error: {error}")

    wrong = [c for c in calls if html_error(c) or bad_5xx(c) or c.status == 401]
    if wrong:
        print("\n== answers that miss the targets (first of each kind)")
        seen: set[tuple[str, str]] = set()
        for call in wrong:
            if (call.path, label(call)) in seen:
                continue
            seen.add((call.path, label(call)))
            print(f"  {call.phase}: {call.path} -> {label(call)}: {call.excerpt[:160]}")
    html = sum(html_error(c) for c in calls)
    bad = sum(bad_5xx(c) for c in calls)
    # Devices never sign out: a 401 tells a signed-in phone to wipe its copy (api.js).
    signed_out = sum(c.status == 401 for c in calls)
    targets = [
        ("no HTML error answers", html == 0, f"{html:,} HTML error answers"),
        ("5xx only as 503 with Retry-After", bad == 0, f"{bad:,} other 5xx answers"),
        ("no 401 to a signed-in device", signed_out == 0, f"{signed_out:,} answers 401"),
    ]
    figures["targets"] = {name: {"ok": ok, "detail": detail} for name, ok, detail in targets}
    print("\n== targets (issue 18)")
    for name, ok, detail in targets:
        print(f"  {'PASS' if ok else 'MISS'}  {name}: {detail}")
    for name, count in sorted(events.items()):
        print(f"  note: {name}: {count}")
    print("\n== invariants")
    for check in checks:
        print(f"  {'PASS' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
        for example in check.examples[:5]:
            print(f"          {example}")
    figures["invariants"] = [asdict(c) for c in checks]
    return figures


# -- the run -----------------------------------------------------------------------------------


def main() -> int:
    args = options()
    signal.signal(signal.SIGTERM, terminate)
    rnd = random.Random(args.seed)
    started = time.perf_counter()
    version = code_version()
    print(f"code: {version}; {machine()}; load average {load_average()}", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="enlace-load-faults-"))
    pg: PrivatePostgres | None = None
    redis: PrivateRedis | None = None
    processes: list[Process] = []
    push = PushService()
    push.__enter__()
    stop = threading.Event()
    exit_status = 0
    try:
        existing = args.database_url
        if not existing:
            try:
                pg = PrivatePostgres(workdir)
            except RuntimeError as error:
                # No PostgreSQL binaries here (or no postgres user to run them as root).
                existing = os.environ.get("ENLACE_BENCH_DATABASE_URL", "")
                if not existing:
                    print(f"  skipped: {error}, and ENLACE_BENCH_DATABASE_URL is not set")
                    return 0
                log(f"{error}: ENLACE_BENCH_DATABASE_URL instead")
        if existing:
            url = pg_url(existing)
            check_loopback_url(url)
            log("an existing database: the PostgreSQL faults are skipped")
        else:
            assert pg is not None
            pg.start()
            url = pg.create_database(DATABASE)
            log(f"private PostgreSQL on port {pg.port} ({pg.bin.parent.name})")
        reset_postgres(url)
        try:
            redis = PrivateRedis(workdir)
        except RuntimeError as error:
            print(f"  skipped: {error}")
            return 0
        redis.start()
        instance = workdir / "instance"
        seeding = time.perf_counter()
        team = seed_team(url, instance, args, rnd)
        push.vapid_key = team.vapid
        log(
            f"seeded {args.users} users, 2 workspaces of {args.contacts} contacts "
            f"in {time.perf_counter() - seeding:.1f} s"
        )
        env = app_environment(
            url,
            instance,
            ENLACE_REDIS_URL=redis.url,
            ENLACE_PUSH_ALLOWED_ENDPOINTS=push.origin + "/push/",
            ENLACE_SYNC_RATE_LIMIT=args.sync_rate_limit,
            # A delivery a dead send left claimed goes again within the run.
            ENLACE_PUSH_LEASE_SECONDS="15",
        )
        server = Gunicorn(env, workdir / "gunicorn.log", workers=args.workers)
        processes.append(server)
        server.wait_ready()
        for n in range(args.push_workers):
            processes.append(push_worker(env, workdir / f"push-worker-{n}.log"))
        log(f"gunicorn -w {args.workers} on {server.base}, {args.push_workers} push workers")

        recorder, ledger = Recorder(), Ledger()
        shared = Shared(server.base, PASSWORD, recorder, ledger, team.hot, push.subscribe, stop)
        devices = [
            Device(f"u{n}d{d}", email, roles, shared, args.seed + 100 * n + d)
            for n, (email, roles) in enumerate(team.users)
            for d in range(args.devices)
        ]
        schedule = Schedule(recorder, stop)
        recorder.phase = "sign-in burst"
        log(f"{len(devices)} devices sign in at once")
        threads = [threading.Thread(target=d.run, name=d.name, daemon=True) for d in devices]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not all(d.sign_ins for d in devices):
            time.sleep(0.1)
        log(f"{recorder.now():6.1f} s  signed in: {sum(1 for d in devices if d.sign_ins)}")
        run_phases(schedule, args, server, pg, redis, rnd)
        schedule.close()
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        recorder.phase = "settle"
        log(f"{recorder.now():6.1f} s  load stopped; every device sends and pulls")
        shared.stop = threading.Event()  # settling devices may wait again
        stuck = settle(devices, args.settle_seconds)
        log(f"{recorder.now():6.1f} s  settled; checking")

        engine = make_engine(url)
        try:
            fresh, fresh_checks = fresh_copies(team, shared, engine)
            checks = invariants.exactly_once(engine, ledger, team.seeded)
            checks.append(invariants.revisions(engine, team.workspaces))
            checks.append(convergence(devices, fresh, stuck))
            checks.extend(fresh_checks)
            for name, details in sorted(ledger.violations.items()):
                checks.append(invariants.Check(name, False, f"{len(details)} times", details))
            if not ledger.violations:
                checks.append(
                    invariants.Check(
                        "no restricted record to a viewer, no replay answered differently",
                        True,
                        f"{ledger.replays:,} mutations answered again, {len(ledger.acks):,} "
                        f"acknowledged of {ledger.queued:,} queued",
                    )
                )
            push_figures = push_state(engine, push, recorder, schedule.phases)
        finally:
            engine.dispose()

        figures = report(recorder.calls, schedule.phases, checks, push_figures, ledger.events)
        broken = [c.name for c in checks if not c.ok]
        missed = [n for n, t in figures["targets"].items() if not t["ok"]]
        print(
            f"\n  {len(devices)} devices ({args.users} users × {args.devices}), "
            f"{len(recorder.calls):,} requests, {len(ledger.acks):,} mutations acknowledged, "
            f"{sum(d.sign_ins for d in devices)} sign-ins"
        )
        print(
            f"  load average at the end {load_average()}; total {time.perf_counter() - started:.0f} s"
        )
        if broken:
            print(f"  INVARIANTS BROKEN: {'; '.join(broken)}")
            exit_status = 1
            acks = [asdict(ack) for ack in ledger.acks.values()]
            (workdir / "acknowledged.json").write_text(json.dumps(acks, indent=1))
        elif missed and args.strict:
            exit_status = 1
        if args.json:
            figures.update(
                {
                    "code": version,
                    "machine": machine(),
                    "load_average_end": load_average(),
                    "devices": len(devices),
                    "options": {k: str(v) for k, v in vars(args).items()},
                    "acknowledged": len(ledger.acks),
                }
            )
            args.json.write_text(json.dumps(figures, indent=2, default=str))
    finally:
        stop.set()
        stopping = time.perf_counter()
        steps: list[tuple[str, Any]] = [(" ".join(p.args[-2:]), p.stop) for p in processes[::-1]]
        if redis is not None:
            steps.append(("redis-server", redis.stop))
        if pg is not None:
            steps.append(("PostgreSQL", pg.destroy))
        steps.append(("push service", lambda: push.__exit__(None, None, None)))
        for name, step in steps:
            began = time.perf_counter()
            step()
            if time.perf_counter() - began > 3:
                log(f"{name} took {time.perf_counter() - began:.0f} s to stop")
        log(f"stopped everything in {time.perf_counter() - stopping:.1f} s")
        if args.keep or exit_status:
            print(f"  logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return exit_status


if __name__ == "__main__":
    sys.exit(main())
