"""Flow settings: the flows a person switched on or off per company (no row: on).

Revision ID: 0012_flow_settings
Revises: 0010_people
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sfqb.store.models import UTCDateTime

revision = "0012_flow_settings"
down_revision = "0011_review_actions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the flow_settings table."""
    op.create_table(
        "flow_settings",
        sa.Column("company", sa.String(200), nullable=False),
        sa.Column("flow", sa.String(60), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("changed_by", sa.String(200), nullable=True),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("company", "flow", name="pk_flow_settings"),
    )


def downgrade() -> None:
    """Drop the flow_settings table (every flow is on again)."""
    op.drop_table("flow_settings")
