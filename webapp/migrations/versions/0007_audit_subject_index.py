"""Index audit events by subject

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 16:35:00

The account's activity page lists the events about the signed-in user (`subject_id`); without
an index it read the whole audit log.
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_subject_id", ["subject_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_subject_id")
