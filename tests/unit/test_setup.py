"""Keys in the instance folder, migrations, and the SQLite settings."""

from __future__ import annotations

import stat

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from webapp.db import Base, get_engine, make_engine


def test_keys_are_created_once_with_0600(tmp_path, make_app):
    first = make_app("fresh")
    for name in ("secret_key", "master.key"):
        mode = stat.S_IMODE((tmp_path / "fresh" / name).stat().st_mode)
        assert mode == 0o600, name
    second = make_app("fresh")
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert first.config["MASTER_KEY"] == second.config["MASTER_KEY"]
    assert len(first.config["MASTER_KEY"]) == 32


def test_migrations_build_exactly_the_models(app):
    with get_engine(app).connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_sqlite_runs_with_wal_and_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'enlace.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()
