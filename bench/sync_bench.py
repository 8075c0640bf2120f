"""Sync and snapshot benchmark: a 5,000-contact workspace on SQLite (and PostgreSQL).

Run from the repository root (``make bench`` does):

    .venv/bin/python bench/sync_bench.py
    ENLACE_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/enlace_c \
        .venv/bin/python bench/sync_bench.py

Options: ``--only sqlite|postgresql``, ``--json PATH`` (write the figures), ``--profile DIR``
(write a pyinstrument profile of every scenario that misses its target, or of every scenario
with ``--profile-all``), ``--no-load`` (skip the gunicorn throughput run).

It measures, it never asserts: the exit status is 0 whether targets are met or missed (a broken
setup, e.g. a sync answering 500, is still an error). It only talks to 127.0.0.1, drops and
recreates the ``public`` schema of the PostgreSQL database it is given (never one named
``test``), and removes its temporary folders and the gunicorn it starts.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import make_url, text  # noqa: E402

from webapp import create_app  # noqa: E402
from webapp.db import get_engine, make_engine, session_scope  # noqa: E402
from webapp.migrations import upgrade  # noqa: E402

CONTACTS = 5_000
BATCH = 200
PASSWORD = "bench password 1234"  # noqa: S105 - a throwaway account in a throwaway database
USER_AGENT = "enlace-sync-bench/1"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

# name: (target, unit, "le" | "ge")
TARGETS: dict[str, tuple[float, str, str]] = {
    "noop_p50": (5.0, "ms", "le"),
    "mutation_p50": (15.0, "ms", "le"),
    "full_pull": (400.0, "ms", "le"),
    "snapshot_cold": (250.0, "ms", "le"),
    "snapshot_first": (250.0, "ms", "le"),
    "snapshot_member_p50": (20.0, "ms", "le"),
    "not_modified_p50": (3.0, "ms", "le"),
    "delta_bytes": (2048.0, "B", "le"),
    "throughput": (300.0, "req/s", "ge"),
}
LABELS = {
    "noop_p50": "no-op sync p50 (in-process)",
    "mutation_p50": "1-mutation sync p50",
    "full_pull": "full pull from cursor 0 (median of 5)",
    "snapshot_cold": "cold snapshot build (median)",
    "snapshot_first": "first snapshot of a fresh process (median)",
    "snapshot_member_p50": "snapshot, 2nd member, cache hit p50",
    "not_modified_p50": "snapshot 304 p50",
    "delta_bytes": "1-change delta sync response",
    "throughput": "no-op syncs/s, gunicorn -w 2",
}


# --- data set ---------------------------------------------------------------------------------

FIRST = (  # noqa: SIM905
    "Ana María José Luis Carmen Javier Lucía Miguel Sofía Diego Valeria Andrés Fernanda Jorge "
    "Daniela Ricardo Paula Alejandro Gabriela Héctor Mariana Raúl Ximena Tomás Renata Emilio "
    "Regina Santiago Camila Óscar Natalia Iñigo Begoña Joaquín Ainhoa Rodrigo Alba Ramón"
).split()
LAST = (  # noqa: SIM905
    "García Hernández López Martínez González Pérez Rodríguez Sánchez Ramírez Cruz Flores "
    "Gómez Morales Vázquez Reyes Jiménez Torres Díaz Gutiérrez Ruiz Mendoza Aguilar Ortiz "
    "Castillo Romero Álvarez Navarro Domínguez Muñoz Iglesias Ibáñez Peña Santos Zubizarreta "
    "Echeverría"
).split()
ORGS = [
    "Finanzas Corporativas",
    "Atención a Clientes",
    "Calidad y Seguridad Alimentaria",
    "Dirección General",
    "Marketing Digital",
    "Operaciones CDMX",
    "Jurídico Interno",
    "Despacho Ruiz & Asociados",
    "Hospital Ángeles del Valle",
    "Cruz Roja Mexicana",
    "Policía Cibernética SSC",
    "Taquería El Fogón",
    "Sushi Koi Roma Norte",
    "Pizzería Don Vito",
    "Mensajería Rápida del Centro",
    "Protección Civil Benito Juárez",
]
ROLES = [
    "Director de Finanzas",
    "Responsable de reembolsos",
    "Jefa de Atención a Clientes",
    "Supervisor de turno nocturno",
    "Gerente de Calidad",
    "Abogada de guardia",
    "Médico de empresa",
    "Encargado del local",
    "Coordinadora de Marketing",
    "Jefe de Operaciones",
    "Agente de enlace",
    "Community manager senior",
]
KINDS = ["internal"] * 6 + ["partner"] * 3 + ["legal", "medical", "authority", "emergency"]
AREAS = ["finance", "customer_service", "quality", "leadership", "marketing", "operations"]
TAGS = [
    "reembolsos",
    "guardia",
    "24h",
    "prensa",
    "legal",
    "alimentos",
    "seguridad",
    "proveedor",
    "cdmx",
    "escalamiento",
    "vip",
    "turno-noche",
    "whatsapp",
    "crisis",
]
SENTENCES = [
    "Llamar primero al móvil; si no contesta en 5 minutos, dejar mensaje de voz y escribir por WhatsApp.",
    "Atiende reclamaciones de reembolso fuera de horario y puede autorizar devoluciones hasta 5.000 MXN.",
    "Prefiere que se le envíe un resumen del incidente antes de llamar, con enlaces a las publicaciones.",
    "En caso de amenazas o material ilegal, no responder en redes: avisar a esta persona y a la policía.",
    "Tiempo medio de preparación de pedidos: 25 minutos; los fines de semana puede llegar a 40 minutos.",
    "Validado por el equipo legal en la última revisión trimestral; confirmar el número cada seis meses.",
    "Habla inglés y español; disponible para entrevistas con medios solo con autorización de Dirección.",
]
PHONE_LABELS = ["móvil", "oficina", "guardia"]


def make_contact(rnd: random.Random, index: int) -> dict[str, Any]:
    """Return the fields of one realistic contact (phones already in E.164)."""
    first, last1, last2 = rnd.choice(FIRST), rnd.choice(LAST), rnd.choice(LAST)
    organization = rnd.choice(ORGS)
    phones = []
    for n in range(rnd.randint(1, 3)):
        prefix = rnd.choice(["+5255", "+5255", "+5281", "+346"])
        number = prefix + "".join(rnd.choice("0123456789") for _ in range(8))
        phones.append({"label": PHONE_LABELS[n], "number": number, "whatsapp": rnd.random() < 0.5})
    domain = re.sub(r"[^a-z]", "", organization.lower().split()[0]) or "empresa"
    user = re.sub(r"[^a-z]", "", (first + "." + last1).lower().encode("ascii", "ignore").decode())
    notes = ""
    while len(notes) < 180:
        notes = (notes + " " + rnd.choice(SENTENCES)).strip()
    visibility = rnd.choices(["team", "restricted", "public"], weights=[85, 10, 5])[0]
    contact: dict[str, Any] = {
        "name": f"{first} {last1} {last2}",
        "organization": organization,
        "role_title": rnd.choice(ROLES),
        "kind": rnd.choice(KINDS),
        "area": rnd.choice(AREAS),
        "phones": phones,
        "emails": [{"label": "trabajo", "address": f"{user}{index}@{domain}.example.mx"}],
        "city": "Ciudad de México",
        "country": "MX",
        "notes": notes[:220],
        "tags": rnd.sample(TAGS, rnd.randint(1, 4)),
        "visibility": visibility,
    }
    if rnd.random() < 0.3:
        contact["availability"] = {
            "timezone": "America/Mexico_City",
            "always": False,
            "hours": [{"days": [1, 2, 3, 4, 5], "from": "09:00", "to": "18:00"}],
        }
    return contact


# --- statistics and reporting -----------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    """Return the p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def verdict(name: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    target, _unit, how = TARGETS[name]
    ok = value <= target if how == "le" else value >= target
    return "PASS" if ok else "MISS"


def target_text(name: str) -> str:
    target, unit, how = TARGETS[name]
    sign = "≤" if how == "le" else "≥"
    if unit == "B":
        return f"{sign} {target / 1024:g} KB"
    return f"{sign} {target:g} {unit}"


def fmt(name: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    unit = TARGETS[name][1]
    if unit == "B":
        return f"{value:,.0f} B"
    if unit == "req/s":
        return f"{value:,.0f} req/s"
    return f"{value:.2f} ms"


@dataclass
class Results:
    backend: str
    figures: dict[str, float | None] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    profiles: dict[str, str] = field(default_factory=dict)

    def show(self, name: str, value: float | None, detail: str = "") -> None:
        self.figures[name] = value
        line = f"  {LABELS[name]:<40} {fmt(name, value):>14}  target {target_text(name):<12} "
        line += f"{verdict(name, value):<4}"
        if detail:
            line += f"  ({detail})"
        print(line, flush=True)


def code_version() -> str:
    """Return the commit being measured, and whether the app code differs from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "webapp", "pyproject.toml"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown (no git)"
    return head + (" + uncommitted changes in webapp/" if dirty else "")


def load_average() -> str:
    """Return the 1/5/15-minute load averages: other work on the machine skews the figures."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def log(message: str) -> None:
    print(f"  · {message}", flush=True)


# --- the app and its clients -------------------------------------------------------------------


def app_config(database_url: str, instance: Path) -> dict[str, Any]:
    """Settings of the benchmarked app: cheap Argon2 for setup, no external services."""
    return {
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(instance),
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "RATELIMIT_STORAGE_URI": "memory://",
        "REDIS_URL": "",
        "PUBLIC_URL": "",
        "SYNC_RATE_LIMIT": "1000000 per minute",
    }


def sign_in(client: FlaskClient, email: str) -> str:
    """Sign the test client in through the real form; return the API CSRF token."""
    page = client.get("/login").get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, "no csrf_token on /login"
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": match.group(1)}
    )
    assert response.status_code == 302, f"sign-in failed: {response.status_code}"
    return client.get("/api/v1/session").get_json()["csrf_token"]


class Device:
    """A signed-in device of one user, talking to the app in process."""

    def __init__(self, app: Flask, email: str, workspace_id: str):
        self.client = app.test_client()
        self.client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
        self.token = sign_in(self.client, email)
        self.workspace = workspace_id
        self.cursor = 0

    def sync(self, mutations: list[dict[str, Any]] | None = None, cursor: int | None = None):
        body = {
            "workspace": self.workspace,
            "cursor": self.cursor if cursor is None else cursor,
            "mutations": mutations or [],
        }
        response = self.client.post("/api/v1/sync", json=body, headers={"X-CSRFToken": self.token})
        if response.status_code != 200:
            raise RuntimeError(f"sync answered {response.status_code}: {response.get_data()[:300]}")
        return response

    def pull_all(self) -> tuple[int, int, int, float]:
        """Pull every page from cursor 0; return (pages, changes, bytes, server ms).

        Server ms is the sum of the request round trips through the test client; decoding the
        JSON pages on the client side (which a phone does at its own speed) is not included.
        """
        cursor, pages, changes, size, server = 0, 0, 0, 0, 0.0
        while True:
            started = time.perf_counter()
            response = self.sync(cursor=cursor)
            server += time.perf_counter() - started
            data = response.get_json()
            pages += 1
            changes += len(data["changes"])
            size += len(response.get_data())
            cursor = data["cursor"]
            if not data["more"]:
                break
        self.cursor = cursor
        return pages, changes, size, server * 1000

    def snapshot(self, etag: str | None = None):
        headers = {"If-None-Match": etag} if etag else {}
        return self.client.get(f"/api/v1/workspaces/{self.workspace}/snapshot", headers=headers)


class Editor:
    """Makes one-field edits with the right base, remembering versions and values."""

    def __init__(self, contacts: dict[str, dict[str, Any]], rnd: random.Random):
        self.contacts = contacts  # entity id -> {"version", "role_title"}
        self.ids = list(contacts)
        self.rnd = rnd
        self.count = 0

    def mutation(self) -> dict[str, Any]:
        entity_id = self.rnd.choice(self.ids)
        state = self.contacts[entity_id]
        self.count += 1
        value = f"{self.rnd.choice(ROLES)} ({self.count})"
        return {
            "id": str(uuid.uuid4()),
            "type": "contact",
            "entity_id": entity_id,
            "op": "put",
            "base_version": state["version"],
            "fields": {"role_title": value},
            "base": {"role_title": state["role_title"]},
            "_value": value,
        }

    def send(self, device: Device) -> Any:
        mutation = self.mutation()
        value = mutation.pop("_value")
        response = device.sync([mutation])
        data = response.get_json()
        result = data["results"][0]
        if result["status"] != "applied":
            raise RuntimeError(f"edit not applied: {result}")
        state = self.contacts[mutation["entity_id"]]
        state["version"], state["role_title"] = result["version"], value
        device.cursor = data["cursor"]
        return response


# --- set-up ------------------------------------------------------------------------------------


def check_loopback_url(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise SystemExit(f"ENLACE_BENCH_DATABASE_URL must be a PostgreSQL URL, not {url!r}")
    if (parsed.host or "127.0.0.1") not in LOOPBACK:
        raise SystemExit("ENLACE_BENCH_DATABASE_URL must point at 127.0.0.1 (loopback only)")
    if (parsed.database or "") in ("test", "postgres", "template0", "template1", ""):
        raise SystemExit(f"refusing to wipe the database {parsed.database!r}; use your own")


def normalize_pg_url(url: str) -> str:
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def prepare_database(backend: str, workdir: Path) -> str:
    """Return the URL of a freshly migrated, empty database."""
    if backend == "sqlite":
        url = f"sqlite:///{workdir / 'instance' / 'enlace.db'}"
        (workdir / "instance").mkdir(parents=True, exist_ok=True)
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        return url
    url = normalize_pg_url(os.environ["ENLACE_BENCH_DATABASE_URL"])
    check_loopback_url(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    engine.dispose()
    return url


def seed(app: Flask, rnd: random.Random) -> tuple[str, dict[str, dict[str, Any]], float]:
    """Create the owner, an editor, the workspace and 5,000 contacts through the sync service."""
    from webapp.auth import service as auth
    from webapp.auth.models import User
    from webapp.sync import service as sync
    from webapp.sync.schemas import Mutation
    from webapp.workspaces import service as workspaces
    from webapp.workspaces.models import Role

    with app.app_context(), session_scope(app) as session:
        owner = auth.create_user(session, "owner@bench.example.com", "Bench Owner", PASSWORD)
        editor = auth.create_user(session, "editor@bench.example.com", "Bench Editor", PASSWORD)
        workspace = workspaces.create_workspace(session, "Bench", owner, "MX", "Ciudad de México")
        workspaces.add_member(session, workspace.id, editor, "editor")
        workspace_id, owner_id = workspace.id, owner.id

    contacts: dict[str, dict[str, Any]] = {}
    started = time.perf_counter()
    with app.app_context(), session_scope(app) as session:
        user = session.get(User, owner_id)
        assert user is not None
        for start in range(0, CONTACTS, BATCH):
            batch = []
            for index in range(start, min(start + BATCH, CONTACTS)):
                fields = make_contact(rnd, index)
                entity_id = uuid.uuid4()
                contacts[str(entity_id)] = {"version": 1, "role_title": fields["role_title"]}
                batch.append(
                    Mutation(
                        id=uuid.uuid4(),
                        type="contact",
                        entity_id=entity_id,
                        op="put",
                        base_version=None,
                        fields=fields,
                    )
                )
            membership = workspaces.require_role(session, workspace_id, user, Role.OWNER)
            results = sync.apply_mutations(session, membership, batch)
            bad = [r for r in results if r["status"] != "applied"]
            if bad:
                raise RuntimeError(f"seeding rejected: {bad[:2]}")
            session.expunge_all()
            user = session.get(User, owner_id)
            assert user is not None
    return str(workspace_id), contacts, time.perf_counter() - started


# --- profiling ---------------------------------------------------------------------------------


def profile(
    results: Results, name: str, run: Callable[[], Any], repeat: int, folder: Path | None
) -> None:
    """Profile `repeat` runs of a scenario with pyinstrument; keep the text report."""
    if folder is None:
        return
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(repeat):
        run()
    profiler.stop()
    report = profiler.output_text(unicode=True, color=False, show_all=False)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{results.backend}-{name}.txt"
    path.write_text(report)
    results.profiles[name] = str(path)
    log(f"profile of {name} ({repeat} runs) written to {path}")


# --- the in-process scenarios ------------------------------------------------------------------


def measure_in_process(
    app: Flask,
    results: Results,
    workspace_id: str,
    contacts: dict[str, dict[str, Any]],
    rnd: random.Random,
    profile_dir: Path | None,
    profile_all: bool,
) -> None:
    owner = Device(app, "owner@bench.example.com", workspace_id)
    member = Device(app, "editor@bench.example.com", workspace_id)
    editor = Editor(contacts, rnd)

    def wants(name: str) -> bool:
        return profile_dir is not None and (
            profile_all or verdict(name, results.figures[name]) == "MISS"
        )

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
    if wants("full_pull"):
        profile(results, "full_pull", owner.pull_all, 3, profile_dir)
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
    if wants("noop_p50"):
        profile(results, "noop_p50", owner.sync, 300, profile_dir)

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
    if wants("mutation_p50"):
        profile(results, "mutation_p50", lambda: editor.send(owner), 200, profile_dir)

    # The delta another device receives for one change, next to the full envelope.
    member.sync(cursor=owner.cursor)  # catch up
    member.cursor = owner.cursor
    editor.send(owner)
    response = member.sync()
    data = response.get_json()
    assert len(data["changes"]) == 1, data
    member.cursor = data["cursor"]
    delta = len(response.get_data())

    # Cold snapshot: right after a change, so the plaintext cache misses.
    editor.send(owner)
    owner.snapshot()  # warm-up
    times = []
    envelope_bytes = 0
    for _ in range(10):
        editor.send(owner)
        started = time.perf_counter()
        response = owner.snapshot()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        envelope_bytes = len(response.get_data())
    results.extra["snapshot_cold"] = {"median": statistics.median(times), "runs_ms": times}
    results.show(
        "snapshot_cold",
        statistics.median(times),
        f"min {min(times):.0f} / max {max(times):.0f} ms, n=10",
    )
    # The same, in a process that has built nothing yet: both caches empty (after a restart).
    times = []
    for _ in range(5):
        editor.send(owner)
        app.extensions.pop("enlace_record_cache", None)
        app.extensions.pop("enlace_snapshot_cache", None)
        started = time.perf_counter()
        response = owner.snapshot()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    results.show("snapshot_first", statistics.median(times), f"min {min(times):.0f} ms, n=5")
    if wants("snapshot_cold"):

        def cold() -> None:
            editor.send(owner)
            owner.snapshot()

        profile(results, "snapshot_cold", cold, 5, profile_dir)

    # Second member of the same class (editor, sees restricted), no change: cache hit.
    editor.send(owner)
    assert owner.snapshot().status_code == 200  # builds the plaintext of this revision
    for _ in range(3):
        member.snapshot()
    times = []
    for _ in range(30):
        started = time.perf_counter()
        response = member.snapshot()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    results.extra["snapshot_member"] = {"p50": pct(times, 50), "p95": pct(times, 95), "n": 30}
    results.show("snapshot_member_p50", pct(times, 50), f"p95 {pct(times, 95):.2f} ms, n=30")
    if wants("snapshot_member_p50"):
        profile(results, "snapshot_member_p50", member.snapshot, 30, profile_dir)

    # 304 with the ETag.
    tag = response.headers["ETag"]
    for _ in range(10):
        assert member.snapshot(tag).status_code == 304
    times = []
    for _ in range(200):
        started = time.perf_counter()
        response = member.snapshot(tag)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 304
    results.extra["not_modified"] = {"p50": pct(times, 50), "p95": pct(times, 95), "n": 200}
    results.show("not_modified_p50", pct(times, 50), f"p95 {pct(times, 95):.2f} ms, n=200")
    if wants("not_modified_p50"):
        profile(results, "not_modified_p50", lambda: member.snapshot(tag), 200, profile_dir)

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
    results.extra["noop_cursor"] = owner.cursor


# --- gunicorn throughput -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn -w 2 on 127.0.0.1 in its own process group; stopped on exit."""

    def __init__(self, database_url: str, instance: Path, log_path: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("ENLACE_")}
        env.update(
            {
                "ENLACE_DATABASE_URL": database_url,
                "ENLACE_INSTANCE_PATH": str(instance),
                "ENLACE_SYNC_RATE_LIMIT": "1000000/minute",
            }
        )
        self.log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{self.port}",
                "webapp:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        RUNNING.append(self)

    def wait_ready(self, timeout: float = 30) -> None:
        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            with suppress(requests.RequestException):
                if requests.get(self.base + "/login", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not start in time")

    def stop(self) -> None:
        if self.process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.log.close()
        if self in RUNNING:
            RUNNING.remove(self)


RUNNING: list[Gunicorn] = []


def http_sign_in(base: str, email: str) -> tuple[Any, str]:
    """Sign in over HTTP; return the requests session and the API CSRF token."""
    import requests

    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    page = session.get(base + "/login", timeout=10).text
    match = CSRF_RE.search(page)
    assert match, "no csrf_token on /login"
    response = session.post(
        base + "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": match.group(1)},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, f"sign-in failed: {response.status_code}"
    token = session.get(base + "/api/v1/session", timeout=10).json()["csrf_token"]
    return session, token


def wrk_load(
    base: str, cookie: str, token: str, body: str, seconds: int, workdir: Path
) -> dict[str, Any]:
    """Drive POST /api/v1/sync with wrk (1 thread, 8 connections)."""
    script = workdir / "sync.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(body)}\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Cookie"] = {json.dumps(cookie)}\n'
        f'wrk.headers["X-CSRFToken"] = {json.dumps(token)}\n'
        f'wrk.headers["User-Agent"] = {json.dumps(USER_AGENT)}\n'
    )
    command = ["wrk", "-t1", "-c8", f"-d{seconds}s", "--latency", "-s", str(script)]
    output = subprocess.run(
        [*command, base + "/api/v1/sync"], capture_output=True, text=True, timeout=seconds + 30
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    return {
        "tool": "wrk -t1 -c8 (Connection: close per request, gunicorn sync workers)",
        "rps": rps,
        "requests": total,
        "errors": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": socket_errors.group(1).strip() if socket_errors else "none",
        "latency_p50": p50.group(1) if p50 else "?",
        "latency_p99": p99.group(1) if p99 else "?",
    }


def python_load(
    base: str, cookies: Any, token: str, body: str, seconds: int, threads: int = 6
) -> dict[str, Any]:
    """Drive POST /api/v1/sync from Python threads (requests.Session each)."""
    import requests

    counts = {"ok": 0, "errors": 0}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        session = requests.Session()
        session.headers.update(
            {"User-Agent": USER_AGENT, "X-CSRFToken": token, "Content-Type": "application/json"}
        )
        session.cookies.update(cookies)
        ok = errors = 0
        while time.monotonic() < deadline:
            try:
                response = session.post(base + "/api/v1/sync", data=body, timeout=10)
                if response.status_code == 200:
                    ok += 1
                else:
                    errors += 1
            except requests.RequestException:
                errors += 1
        with lock:
            counts["ok"] += ok
            counts["errors"] += errors

    started = time.monotonic()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.monotonic() - started
    return {
        "tool": f"{threads} Python threads, requests.Session",
        "rps": counts["ok"] / elapsed,
        "requests": counts["ok"] + counts["errors"],
        "errors": counts["errors"],
        "socket_errors": "n/a",
    }


def measure_throughput(
    results: Results,
    database_url: str,
    instance: Path,
    workspace_id: str,
    cursor: int,
    workdir: Path,
) -> None:
    server = Gunicorn(database_url, instance, workdir / "gunicorn.log")
    try:
        server.wait_ready()
        session, token = http_sign_in(server.base, "owner@bench.example.com")
        body = json.dumps({"workspace": workspace_id, "cursor": cursor, "mutations": []})
        headers = {"X-CSRFToken": token, "Content-Type": "application/json"}
        check = session.post(server.base + "/api/v1/sync", data=body, headers=headers, timeout=10)
        if check.status_code != 200 or check.json()["changes"]:
            raise RuntimeError(f"no-op sync over HTTP answered {check.status_code}")
        # Warm both workers up.
        for _ in range(40):
            session.post(server.base + "/api/v1/sync", data=body, headers=headers, timeout=10)
        seconds = 10
        if shutil.which("wrk"):
            cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
            load = wrk_load(server.base, cookie, token, body, seconds, workdir)
        else:
            load = python_load(server.base, session.cookies, token, body, seconds)
        results.extra["throughput"] = load
        detail = (
            f"{load['requests']:,} requests in {seconds} s, {load['errors']} errors; {load['tool']}"
        )
        if "latency_p50" in load:
            detail += f"; latency p50 {load['latency_p50']}, p99 {load['latency_p99']}"
        results.show("throughput", load["rps"], detail)
    finally:
        server.stop()


# --- main --------------------------------------------------------------------------------------


def run_backend(backend: str, args: argparse.Namespace) -> Results:
    results = Results(backend)
    workdir = Path(tempfile.mkdtemp(prefix=f"enlace-bench-{backend}-"))
    app: Flask | None = None
    try:
        print(f"\n== {backend}   (load average {load_average()})", flush=True)
        url = prepare_database(backend, workdir)
        instance = workdir / "instance"
        app = create_app(app_config(url, instance))
        rnd = random.Random(20261125)
        workspace_id, contacts, seconds = seed(app, rnd)
        log(f"seeded {len(contacts):,} contacts in {seconds:.1f} s ({CONTACTS // BATCH} batches)")
        results.extra["seed_seconds"] = seconds
        measure_in_process(
            app, results, workspace_id, contacts, rnd, args.profile, args.profile_all
        )
        get_engine(app).dispose()
        if args.no_load:
            results.figures["throughput"] = None
        else:
            measure_throughput(
                results, url, instance, workspace_id, results.extra["noop_cursor"], workdir
            )
    finally:
        if app is not None:
            get_engine(app).dispose()
        shutil.rmtree(workdir, ignore_errors=True)
    return results


def summary(all_results: list[Results]) -> None:
    print("\n== summary", flush=True)
    header = f"  {'figure':<40} {'target':<12}"
    for results in all_results:
        header += f" {results.backend:>22}"
    print(header)
    for name in TARGETS:
        line = f"  {LABELS[name]:<40} {target_text(name):<12}"
        for results in all_results:
            value = results.figures.get(name)
            line += f" {fmt(name, value) + ' ' + verdict(name, value):>22}"
        print(line)
    for results in all_results:
        misses = [LABELS[n] for n, v in results.figures.items() if verdict(n, v) == "MISS"]
        print(
            f"  {results.backend}: {len(misses)} miss(es)"
            + (": " + "; ".join(misses) if misses else "")
        )


def _terminate(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--profile", type=Path, help="folder for pyinstrument reports of misses")
    parser.add_argument("--profile-all", action="store_true", help="profile every scenario")
    parser.add_argument("--no-load", action="store_true", help="skip the gunicorn throughput run")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _terminate)

    backends = ["sqlite"]
    if os.environ.get("ENLACE_BENCH_DATABASE_URL"):
        backends.append("postgresql")
    else:
        print("ENLACE_BENCH_DATABASE_URL is not set: PostgreSQL skipped.", flush=True)
    if args.only:
        backends = [b for b in backends if b == args.only]
    started = time.perf_counter()
    version = code_version()
    print(f"code: {version}; {os.cpu_count()} CPUs; load average {load_average()}", flush=True)
    all_results: list[Results] = []
    try:
        for backend in backends:
            all_results.append(run_backend(backend, args))
    finally:
        for server in list(RUNNING):
            server.stop()
    summary(all_results)
    print(f"  load average at the end {load_average()} on {os.cpu_count()} CPUs", flush=True)
    if code_version() != version:
        print(f"  WARNING: the code changed during the run ({version} -> {code_version()})")
    print(f"  total bench time {time.perf_counter() - started:.0f} s", flush=True)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "code": version,
                    "backends": {
                        r.backend: {"figures": r.figures, "extra": r.extra, "profiles": r.profiles}
                        for r in all_results
                    },
                },
                indent=2,
                default=str,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
