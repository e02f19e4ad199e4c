"""QuickBooks Online batch requests kept until their answer is safe: qbo_batches.

Revision ID: 0020_qbo_batches
Revises: 0014_console_settings
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sfqb.store.models import UTCDateTime

COMPANY = sa.String(200)

revision = "0020_qbo_batches"
down_revision = "0015_binding_role"
branch_labels = None
depends_on = None

COMPANY = sa.String(200)


def upgrade() -> None:
    """Create qbo_batches."""
    op.create_table(
        "qbo_batches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("company", COMPANY, nullable=False),
        sa.Column("request_id", sa.String(40), nullable=False),
        sa.Column("sf_ids", sa.JSON(), nullable=False),
        sa.Column("batch", sa.JSON(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_qbo_batches"),
        sa.UniqueConstraint("company", "request_id", name="uq_qbo_batches_request"),
    )
    op.create_index("ix_qbo_batches_company", "qbo_batches", ["company"])


def downgrade() -> None:
    """Drop qbo_batches (batches in flight are then found by the look-ups alone)."""
    op.drop_index("ix_qbo_batches_company", table_name="qbo_batches")
    op.drop_table("qbo_batches")
