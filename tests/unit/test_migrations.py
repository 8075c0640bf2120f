"""Upgrading a database that holds data keeps the data (SQLite rebuilds tables to alter them)."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import text

from webapp.db import make_engine
from webapp.migrations import upgrade


def test_upgrading_from_0003_keeps_every_membership(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'enlace.db'}")
    upgrade(engine, "0003")
    user, workspace = uuid.uuid4().hex, uuid.uuid4().hex
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, email, name, password_hash, session_version, created_at,"
                " password_changed_at) VALUES (:id, 'ana@example.com', 'Ana', 'x', 1,"
                " '2026-11-01 00:00:00', '2026-11-01 00:00:00')"
            ),
            {"id": user},
        )
        connection.execute(
            text(
                "INSERT INTO workspaces (id, name, country, city, timezone, revision, created_at)"
                " VALUES (:id, 'Acme', 'MX', 'CDMX', 'America/Mexico_City', 0,"
                " '2026-11-01 00:00:00')"
            ),
            {"id": workspace},
        )
        connection.execute(
            text(
                "INSERT INTO memberships (workspace_id, user_id, role, created_at)"
                " VALUES (:w, :u, 'owner', '2026-11-01 00:00:00')"
            ),
            {"w": workspace, "u": user},
        )

    upgrade(engine)

    with engine.connect() as connection:
        members = connection.execute(text("SELECT user_id, role FROM memberships")).all()
        problems = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    engine.dispose()
    assert members == [(user, "owner")]
    assert problems == []


def test_0006_gives_existing_users_every_notification_and_downgrades(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'enlace.db'}")
    upgrade(engine, "0005")
    user = uuid.uuid4().hex
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, email, name, password_hash, created_at,"
                " password_changed_at) VALUES (:id, 'ana@example.com', 'Ana', 'x',"
                " '2026-11-01 00:00:00', '2026-11-01 00:00:00')"
            ),
            {"id": user},
        )
    upgrade(engine)
    with engine.connect() as connection:
        levels = connection.execute(text("SELECT push_level FROM users")).scalars().all()
    from alembic import command

    from webapp.migrations import alembic_config

    command.downgrade(alembic_config(engine), "0005")
    with engine.connect() as connection:
        tables = {
            row[0]
            for row in connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type='table'"
            )
        }
        users = connection.execute(text("SELECT count(*) FROM users")).scalar()
    engine.dispose()
    assert levels == ["all"]
    assert not tables & {"push_subscriptions", "outbox_messages", "push_deliveries"}
    assert users == 1


def test_0008_gives_existing_workspaces_the_pin_policy_and_downgrades(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'enlace.db'}")
    upgrade(engine, "0007")
    user, workspace, device = uuid.uuid4().hex, uuid.uuid4().hex, uuid.uuid4().hex
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, email, name, password_hash, created_at,"
                " password_changed_at) VALUES (:id, 'ana@example.com', 'Ana', 'x',"
                " '2026-11-01 00:00:00', '2026-11-01 00:00:00')"
            ),
            {"id": user},
        )
        connection.execute(
            text(
                "INSERT INTO workspaces (id, name, country, city, timezone, revision, created_at)"
                " VALUES (:id, 'Acme', 'MX', 'CDMX', 'America/Mexico_City', 0,"
                " '2026-11-01 00:00:00')"
            ),
            {"id": workspace},
        )
        connection.execute(
            text(
                "INSERT INTO device_sessions (id, token_hash, user_id, created_at, last_seen_at,"
                " browser, platform) VALUES (:id, :hash, :user, '2026-11-01 00:00:00',"
                " '2026-11-01 00:00:00', 'Chrome', 'Android')"
            ),
            {"id": device, "hash": "a" * 64, "user": user},
        )
    upgrade(engine)
    with engine.connect() as connection:
        policies = connection.execute(text("SELECT unlock_policy FROM workspaces")).scalars().all()
        tokens = (
            connection.execute(text("SELECT unlock_token_hash FROM device_sessions"))
            .scalars()
            .all()
        )
    from alembic import command

    from webapp.migrations import alembic_config

    command.downgrade(alembic_config(engine), "0007")
    with engine.connect() as connection:
        columns = {
            table: {row[1] for row in connection.exec_driver_sql(f"PRAGMA table_info({table})")}
            for table in ("workspaces", "device_sessions")
        }
        counts = [
            connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("workspaces", "device_sessions")
        ]
        problems = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    engine.dispose()
    assert policies == ["pin"]
    assert tokens == [None]  # a session from before the lock gets a token at its next password
    assert "unlock_policy" not in columns["workspaces"]
    assert "unlock_token_hash" not in columns["device_sessions"]
    assert counts == [1, 1]
    assert problems == []
