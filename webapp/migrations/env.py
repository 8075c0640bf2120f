"""Alembic environment: runs with the engine that `webapp.migrations.upgrade` passes in."""

from __future__ import annotations

from alembic import context

import webapp.models  # noqa: F401  (registers every table on Base.metadata)
from webapp.db import Base

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
