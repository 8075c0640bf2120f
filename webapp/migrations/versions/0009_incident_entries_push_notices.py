"""Incident entries' outcome, reference, step and author; periodic push notices

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 21:00:00

A call's outcome (answered, no_answer, voicemail, wrong_number), an authority report's case or
folio number, the playbook step an action ticked, and who logged it (the user's name, set by
the server); existing entries keep them empty. The
push dispatcher remembers when it last checked each workspace for its monthly stale-contacts
notice to owners.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import webapp.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incident_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("reference", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("step", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("author", sa.String(length=200), nullable=True))
    op.create_table(
        "push_notices",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("checked_at", webapp.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_push_notices_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "kind", name=op.f("pk_push_notices")),
    )


def downgrade() -> None:
    op.drop_table("push_notices")
    with op.batch_alter_table("incident_entries", schema=None) as batch_op:
        batch_op.drop_column("author")
        batch_op.drop_column("step")
        batch_op.drop_column("reference")
        batch_op.drop_column("outcome")
