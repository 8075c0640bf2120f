"""The benchmarks' database: a fresh, migrated one, seeded with a realistic workspace."""

from __future__ import annotations

import os
import random
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import make_url

from bench.lib.clients import EDITOR, OWNER, PASSWORD
from bench.lib.dataset import make_contact
from tests.helpers import pg_url, reset_postgres
from webapp.db import make_engine, session_scope
from webapp.migrations import upgrade

CONTACTS = 5_000
BATCH = 200
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass
class Seeded:
    """The seeded workspace: its id, its contacts' versions and role titles, its revision."""

    workspace_id: str
    contacts: dict[str, dict[str, Any]]  # entity id -> {"version", "role_title"}
    revision: int
    seconds: float


def check_loopback_url(url: str) -> None:
    """Refuse a database the bench must not wipe: not PostgreSQL, not on loopback, or shared."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise SystemExit(f"ENLACE_BENCH_DATABASE_URL must be a PostgreSQL URL, not {url!r}")
    if (parsed.host or "127.0.0.1") not in LOOPBACK:
        raise SystemExit("ENLACE_BENCH_DATABASE_URL must point at 127.0.0.1 (loopback only)")
    if (parsed.database or "") in ("test", "postgres", "template0", "template1", ""):
        raise SystemExit(f"refusing to wipe the database {parsed.database!r}; use your own")


def prepare_database(backend: str, workdir: Path) -> str:
    """Return the URL of a freshly migrated, empty database."""
    if backend == "sqlite":
        url = f"sqlite:///{workdir / 'instance' / 'enlace.db'}"
        (workdir / "instance").mkdir(parents=True, exist_ok=True)
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        return url
    url = pg_url(os.environ["ENLACE_BENCH_DATABASE_URL"])
    check_loopback_url(url)
    reset_postgres(url)
    return url


def seed(app: Flask, rnd: random.Random, count: int = CONTACTS) -> Seeded:
    """Create the owner, an editor, the workspace and `count` contacts through the sync service."""
    from webapp.auth import service as auth
    from webapp.workspaces import service as workspaces
    from webapp.workspaces.models import Workspace

    with app.app_context(), session_scope(app) as session:
        owner = auth.create_user(session, OWNER, "Bench Owner", PASSWORD)
        editor = auth.create_user(session, EDITOR, "Bench Editor", PASSWORD)
        workspace = workspaces.create_workspace(session, "Bench", owner, "MX", "Ciudad de México")
        workspaces.add_member(session, workspace.id, editor, "editor")
        workspace_id, owner_id = workspace.id, owner.id

    contacts, seconds = add_contacts(app, workspace_id, owner_id, rnd, count)
    with app.app_context(), session_scope(app) as session:
        revision = session.get(Workspace, workspace_id).revision  # type: ignore[union-attr]
    return Seeded(str(workspace_id), contacts, revision, seconds)


def add_contacts(
    app: Flask, workspace_id: Any, owner_id: Any, rnd: random.Random, count: int
) -> tuple[dict[str, dict[str, Any]], float]:
    """Add `count` realistic contacts as the owner, through the sync service, in batches.

    Return {entity id: {"version", "role_title"}} and the seconds it took.
    """
    from webapp.auth.models import User
    from webapp.sync import service as sync
    from webapp.sync.schemas import Mutation
    from webapp.workspaces import service as workspaces
    from webapp.workspaces.models import Role

    contacts: dict[str, dict[str, Any]] = {}
    ids: list[str] = []
    started = time.perf_counter()
    with app.app_context(), session_scope(app) as session:
        user = session.get(User, owner_id)
        assert user is not None
        for start in range(0, count, BATCH):
            batch = []
            for index in range(start, min(start + BATCH, count)):
                fields = make_contact(rnd, index, ids)
                entity_id = uuid.uuid4()
                ids.append(str(entity_id))
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
    return contacts, time.perf_counter() - started
