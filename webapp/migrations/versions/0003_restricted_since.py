"""restricted_since on contacts and playbooks

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 12:40:00

The workspace revision at which a record last became restricted: a viewer pulling from a cursor
below it gets one tombstone; a viewer who never could hold it learns nothing (docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("contacts", "playbooks"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("restricted_since", sa.BigInteger(), nullable=True))
    # Records restricted before this migration: treat them as restricted since their last change,
    # which is what viewers were told then (one tombstone at that revision).
    for table in ("contacts", "playbooks"):
        op.execute(
            f"UPDATE {table} SET restricted_since = revision WHERE visibility = 'restricted'"
        )


def downgrade() -> None:
    for table in ("contacts", "playbooks"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("restricted_since")
