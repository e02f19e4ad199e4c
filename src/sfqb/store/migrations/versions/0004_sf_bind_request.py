"""A binding change asked for a queued record, waiting for QuickBooks to confirm the record.

Revision ID: 0004_sf_bind_request
Revises: 0003_alerts
Create Date: 2026-03-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_sf_bind_request"
down_revision = "0003_alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add sync_queue.bind_request (JSON, empty when nothing is asked)."""
    with op.batch_alter_table("sync_queue") as batch:
        batch.add_column(sa.Column("bind_request", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Drop sync_queue.bind_request."""
    with op.batch_alter_table("sync_queue") as batch:
        batch.drop_column("bind_request")
