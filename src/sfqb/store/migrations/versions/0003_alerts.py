"""Circuits and alerts: a connector circuit per company, and the alerts sfqb raised.

Revision ID: 0003_alerts
Revises: 0002_sync
Create Date: 2026-02-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sfqb.store.models import UTCDateTime

revision = "0003_alerts"
down_revision = "0002_sync"
branch_labels = None
depends_on = None

COMPANY = sa.String(200)
OPEN_ALERT = sa.text("status = 'open'")


def upgrade() -> None:
    """Create the circuits and alerts tables."""
    op.create_table(
        "circuits",
        sa.Column("company", COMPANY, nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("openings", sa.Integer(), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("cause_system", sa.String(16), nullable=True),
        sa.Column("cause_code", sa.String(40), nullable=True),
        sa.Column("cause", sa.JSON(), nullable=True),
        sa.Column("last_trip_at", UTCDateTime(), nullable=True),
        sa.Column("last_contact", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("company", name="pk_circuits"),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("company", COMPANY, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("delivery", sa.String(16), nullable=False),
        sa.Column("raised_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("summarised_in", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_alerts"),
    )
    op.create_index("ix_alerts_company_raised", "alerts", ["company", "raised_at"])
    # At most one open alert per (company, kind, key): de-duplication that holds across processes.
    op.create_index(
        "uq_alerts_open",
        "alerts",
        ["company", "kind", "key"],
        unique=True,
        sqlite_where=OPEN_ALERT,
        postgresql_where=OPEN_ALERT,
    )


def downgrade() -> None:
    """Drop the circuits and alerts tables."""
    op.drop_index("uq_alerts_open", table_name="alerts")
    op.drop_index("ix_alerts_company_raised", table_name="alerts")
    op.drop_table("alerts")
    op.drop_table("circuits")
