"""The cycle a Web Connector session waits on, held by a lease: qbwc_sessions.work_*.

Revision ID: 0024_qbwc_session_work
Revises: 0020_qbo_batches
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sfqb.store.models import UTCDateTime

revision = "0024_qbwc_session_work"
down_revision = "0023_job_queue"
branch_labels = None
depends_on = None

_COLUMNS = ("work_owner", "work_id", "work_until", "work_done", "work_error")


def upgrade() -> None:
    """Add the work columns to qbwc_sessions."""
    with op.batch_alter_table("qbwc_sessions") as batch:
        batch.add_column(sa.Column("work_owner", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("work_id", sa.String(32), nullable=False, server_default=""))
        batch.add_column(sa.Column("work_until", UTCDateTime(), nullable=True))
        batch.add_column(
            sa.Column("work_done", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("work_error", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    """Drop the work columns."""
    with op.batch_alter_table("qbwc_sessions") as batch:
        for name in reversed(_COLUMNS):
            batch.drop_column(name)
