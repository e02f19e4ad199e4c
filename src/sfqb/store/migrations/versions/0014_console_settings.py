"""Company policies saved from the console: company_policies (one row per company).

Revision ID: 0014_console_settings
Revises: 0010_people
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sfqb.store.models import UTCDateTime

revision = "0014_console_settings"
down_revision = "0012_flow_settings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create company_policies."""
    op.create_table(
        "company_policies",
        sa.Column("company", sa.String(200), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("company", name="pk_company_policies"),
    )


def downgrade() -> None:
    """Drop company_policies (the config file's policies apply again)."""
    op.drop_table("company_policies")
