"""The review list's actions: who closed an item and to whom it is assigned, every action a
person took on an item or a held record, and the values a person set for one record's
QuickBooks write.

Items closed before this revision keep no name (resolved_by stays empty), except those sfqb
closed itself ("synced by sfqb"), which are stamped "sfqb".

Revision ID: 0011_review_actions
Revises: 0010_people
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sfqb.store.models import UTCDateTime

revision = "0011_review_actions"
down_revision = "0010_people"
branch_labels = None
depends_on = None

COMPANY = sa.String(200)


def upgrade() -> None:
    """Add review_items.resolved_by and assigned_to; create review_actions, record_overrides."""
    with op.batch_alter_table("review_items") as batch:
        batch.add_column(sa.Column("resolved_by", sa.String(120), nullable=True))
        batch.add_column(sa.Column("assigned_to", sa.String(120), nullable=True))
    items = sa.table(
        "review_items", sa.column("resolution", sa.Text), sa.column("resolved_by", sa.String)
    )
    op.get_bind().execute(
        sa.update(items).where(items.c.resolution == "synced by sfqb").values(resolved_by="sfqb")
    )
    op.create_table(
        "review_actions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("company", COMPANY, nullable=False),
        sa.Column("flow", sa.String(60), nullable=False),
        sa.Column("source_type", sa.String(40), nullable=False),
        sa.Column("source_id", sa.String(60), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("by", sa.String(120), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["review_items.id"], name="fk_review_actions_item_id_review_items"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_review_actions"),
    )
    op.create_index("ix_review_actions_item_id", "review_actions", ["item_id"])
    op.create_index(
        "ix_review_actions_record", "review_actions", ["company", "source_type", "source_id"]
    )
    op.create_table(
        "record_overrides",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("company", COMPANY, nullable=False),
        sa.Column("flow", sa.String(60), nullable=False),
        sa.Column("source_type", sa.String(40), nullable=False),
        sa.Column("source_id", sa.String(60), nullable=False),
        sa.Column("field", sa.String(120), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("set_by", sa.String(120), nullable=False),
        sa.Column("set_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_record_overrides"),
        sa.UniqueConstraint(
            "company",
            "flow",
            "source_type",
            "source_id",
            "field",
            name="uq_record_overrides_field",
        ),
    )


def downgrade() -> None:
    """Drop the two tables and the two columns (the actions' history is lost)."""
    op.drop_table("record_overrides")
    op.drop_index("ix_review_actions_record", table_name="review_actions")
    op.drop_index("ix_review_actions_item_id", table_name="review_actions")
    op.drop_table("review_actions")
    with op.batch_alter_table("review_items") as batch:
        batch.drop_column("assigned_to")
        batch.drop_column("resolved_by")
