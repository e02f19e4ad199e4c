"""A binding's Salesforce side has a role: an Account bound as a customer and as a vendor.

Existing bindings take the main role; uniqueness on the Salesforce side becomes (company,
sf_object, sf_id, sf_role), so a record is still bound at most once per role.

Revision ID: 0015_binding_role
Revises: 0014_console_settings
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_binding_role"
down_revision = "0014_console_settings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add bindings.sf_role ("main" for every existing row) and widen uq_bindings_sf to it."""
    with op.batch_alter_table("bindings") as batch:
        batch.add_column(sa.Column("sf_role", sa.String(20), nullable=False, server_default="main"))
        batch.drop_constraint("uq_bindings_sf", type_="unique")
        batch.create_unique_constraint(
            "uq_bindings_sf", ["company", "sf_object", "sf_id", "sf_role"]
        )


def downgrade() -> None:
    """Drop the bindings of other roles (vendors), then the column."""
    op.execute(sa.text("DELETE FROM bindings WHERE sf_role <> 'main'"))
    with op.batch_alter_table("bindings") as batch:
        batch.drop_constraint("uq_bindings_sf", type_="unique")
        batch.create_unique_constraint("uq_bindings_sf", ["company", "sf_object", "sf_id"])
        batch.drop_column("sf_role")
