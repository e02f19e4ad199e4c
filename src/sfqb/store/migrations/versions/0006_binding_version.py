"""A binding's QuickBooks version stamp is target-neutral: EditSequence or SyncToken.

Revision ID: 0006_binding_version
Revises: 0005_session_lease
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0006_binding_version"
down_revision = "0005_session_lease"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Rename bindings.qb_edit_sequence to qb_version (values kept)."""
    with op.batch_alter_table("bindings") as batch:
        batch.alter_column("qb_edit_sequence", new_column_name="qb_version")


def downgrade() -> None:
    """Rename it back."""
    with op.batch_alter_table("bindings") as batch:
        batch.alter_column("qb_version", new_column_name="qb_edit_sequence")
