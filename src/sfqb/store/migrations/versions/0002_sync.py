"""Sync: connections, bindings, checkpoints, runs, attempts, sync_queue and review_items.

Revision ID: 0002_sync
Revises: 0001_webconnector
Create Date: 2026-01-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sfqb.store.models import UTCDateTime

revision = "0002_sync"
down_revision = "0001_webconnector"
branch_labels = None
depends_on = None

COMPANY = sa.String(200)


def upgrade() -> None:
    """Create the sync tables."""
    op.create_table(
        "connections",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("company", COMPANY, nullable=False),
        sa.Column("system", sa.String(16), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_connections"),
        sa.UniqueConstraint("company", "system", name="uq_connections_company_system"),
    )
    op.create_table(
        "bindings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("company", COMPANY, nullable=False),
        sa.Column("sf_object", sa.String(40), nullable=False),
        sa.Column("sf_id", sa.String(40), nullable=False),
        sa.Column("qb_kind", sa.String(40), nullable=False),
        sa.Column("qb_id", sa.String(60), nullable=False),
        sa.Column("fingerprint", sa.String(128), nullable=False),
        sa.Column("qb_fingerprint", sa.String(128), nullable=False),
        sa.Column("qb_edit_sequence", sa.String(40), nullable=True),
        sa.Column("sf_values", sa.JSON(), nullable=True),
        sa.Column("synced_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_bindings"),
        sa.UniqueConstraint("company", "sf_object", "sf_id", name="uq_bindings_sf"),
        sa.UniqueConstraint("company", "qb_kind", "qb_id", name="uq_bindings_qb"),
    )
    op.create_table(
        "checkpoints",
        sa.Column("company", COMPANY, nullable=False),
        sa.Column("stream", sa.String(100), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("company", "stream", name="pk_checkpoints"),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("company", COMPANY, nullable=False),
        sa.Column("flows", sa.Text(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
    )
    op.create_index("ix_runs_company", "runs", ["company"])
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("company", COMPANY, nullable=False),
        sa.Column("flow", sa.String(60), nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("sf_object", sa.String(40), nullable=True),
        sa.Column("sf_id", sa.String(40), nullable=True),
        sa.Column("qb_kind", sa.String(40), nullable=True),
        sa.Column("qb_id", sa.String(60), nullable=True),
        sa.Column("operation", sa.String(30), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("system", sa.String(16), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("category", sa.String(30), nullable=False),
        sa.Column("known", sa.Boolean(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("meaning", sa.Text(), nullable=False),
        sa.Column("fix", sa.Text(), nullable=False),
        sa.Column("remedy", sa.String(30), nullable=False),
        sa.Column("action_taken", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="fk_attempts_run_id_runs"),
        sa.PrimaryKeyConstraint("id", name="pk_attempts"),
    )
    op.create_index("ix_attempts_run_id", "attempts", ["run_id"])
    op.create_index("ix_attempts_company_created", "attempts", ["company", "created_at"])
    op.create_index("ix_attempts_system_code", "attempts", ["system", "code"])
    op.create_table(
        "sync_queue",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("company", COMPANY, nullable=False),
        sa.Column("flow", sa.String(60), nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("source_type", sa.String(40), nullable=False),
        sa.Column("source_id", sa.String(60), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("fingerprint", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lock_waits", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("last_system", sa.String(16), nullable=True),
        sa.Column("last_code", sa.String(40), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sync_queue"),
        sa.UniqueConstraint(
            "company", "flow", "source_type", "source_id", name="uq_sync_queue_source"
        ),
    )
    op.create_index("ix_sync_queue_due", "sync_queue", ["company", "status", "next_attempt_at"])
    op.create_table(
        "review_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("company", COMPANY, nullable=False),
        sa.Column("flow", sa.String(60), nullable=False),
        sa.Column("source_type", sa.String(40), nullable=False),
        sa.Column("source_id", sa.String(60), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("system", sa.String(16), nullable=True),
        sa.Column("code", sa.String(40), nullable=True),
        sa.Column("meaning", sa.Text(), nullable=True),
        sa.Column("candidates", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_review_items"),
    )
    op.create_index("ix_review_items_company_status", "review_items", ["company", "status"])


def downgrade() -> None:
    """Drop the sync tables."""
    for table in (
        "review_items",
        "sync_queue",
        "attempts",
        "runs",
        "checkpoints",
        "bindings",
        "connections",
    ):
        op.drop_table(table)
