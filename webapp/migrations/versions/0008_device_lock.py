"""Device lock: unlock tokens and a workspace's unlock policy

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 09:00:00

A locked device's session cookie alone no longer reads the directory: the snapshot key and the
answers with directory data in clear need a recent password or the device session's unlock
token, kept only as its SHA-256 (docs/ARCHITECTURE.md, 4.4). An owner may require a passphrase or
a passkey instead of a 6-digit PIN on their members' devices.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("device_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unlock_token_hash", sa.String(length=64), nullable=True))
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("unlock_policy", sa.String(length=10), server_default="pin", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.drop_column("unlock_policy")
    with op.batch_alter_table("device_sessions", schema=None) as batch_op:
        batch_op.drop_column("unlock_token_hash")
