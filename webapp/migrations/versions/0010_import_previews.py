"""Import previews

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 23:55:00

An uploaded CSV or vCard file read into rows, kept for an hour between the preview and the
apply (issue 19): in the database rather than in process memory, so that any gunicorn worker
can answer the apply, the fixes and a reload.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import webapp.db

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_previews",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("created_at", webapp.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", webapp.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("applied_at", webapp.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_import_previews_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_import_previews_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_previews")),
    )
    with op.batch_alter_table("import_previews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_import_previews_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_import_previews_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("import_previews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_previews_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_import_previews_expires_at"))
    op.drop_table("import_previews")
