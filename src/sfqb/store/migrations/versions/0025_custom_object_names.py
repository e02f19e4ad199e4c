"""Salesforce object names as long as a custom object's: bindings.sf_object, attempts.sf_object
and the source_type of sync_queue, review_items, review_actions and record_overrides widened
from 40 to 80 characters (a custom object's API name has 40 characters and "__c"; a managed
package's adds its namespace and "__").

Revision ID: 0025_custom_object_names
Revises: 0024_qbwc_session_work
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025_custom_object_names"
down_revision = "0024_qbwc_session_work"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("bindings", "sf_object", False),
    ("attempts", "sf_object", True),
    ("sync_queue", "source_type", False),
    ("review_items", "source_type", False),
    ("review_actions", "source_type", False),
    ("record_overrides", "source_type", False),
)


def _alter(length_from: int, length_to: int) -> None:
    for table, column, nullable in _COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column,
                existing_type=sa.String(length_from),
                type_=sa.String(length_to),
                existing_nullable=nullable,
            )


def upgrade() -> None:
    """Widen the object-name columns to 80 characters."""
    _alter(40, 80)


def downgrade() -> None:
    """Narrow them back to 40 (names longer than 40 must be gone first)."""
    _alter(80, 40)
