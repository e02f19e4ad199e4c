"""Which parent a waiting queue row waits for (sync_queue.waits_for).

A row waiting for an unbound parent is woken when that parent is bound, instead of being
planned again on every cycle.

Revision ID: 0027_queue_waits_for
Revises: 0026_run_kind
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027_queue_waits_for"
down_revision = "0026_run_kind"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add sync_queue.waits_for (rows waiting today keep being due: it stays empty for them)."""
    with op.batch_alter_table("sync_queue") as batch:
        batch.add_column(sa.Column("waits_for", sa.String(160), nullable=True))


def downgrade() -> None:
    """Drop sync_queue.waits_for."""
    with op.batch_alter_table("sync_queue") as batch:
        batch.drop_column("waits_for")
