"""What a run was: a cycle, or the nightly Change Data Capture sweep (runs.kind).

Revision ID: 0026_run_kind
Revises: 0025_custom_object_names
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026_run_kind"
down_revision = "0025_custom_object_names"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add runs.kind (every run so far was a cycle) and its look-up by company."""
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="cycle"))
    op.create_index("ix_runs_company_kind", "runs", ["company", "kind"])


def downgrade() -> None:
    """Drop runs.kind."""
    op.drop_index("ix_runs_company_kind", table_name="runs")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("kind")
