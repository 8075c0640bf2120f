"""Workspace language and poster choices

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 15:30:00

The crisis toolkit writes default playbooks and emergency numbers in the workspace's language,
and the office poster shows the contacts an owner chose.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=5), server_default="es", nullable=False)
        )
        batch_op.add_column(
            sa.Column("poster_contact_ids", sa.JSON(), server_default="[]", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.drop_column("poster_contact_ids")
        batch_op.drop_column("language")
