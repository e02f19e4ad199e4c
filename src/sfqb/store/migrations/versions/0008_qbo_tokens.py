"""QuickBooks Online: tokens, pending authorizations, the API-call meter, webhook events.

Revision ID: 0008_qbo_tokens
Revises: 0006_binding_version
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sfqb.store.models import UTCDateTime

revision = "0008_qbo_tokens"
down_revision = "0006_binding_version"
branch_labels = None
depends_on = None

COMPANY = sa.String(200)


def upgrade() -> None:
    """Create qbo_tokens, qbo_authorizations, qbo_api_calls and qbo_webhook_events."""
    op.create_table(
        "qbo_tokens",
        sa.Column("company", COMPANY, nullable=False),
        sa.Column("realm_id", sa.String(40), nullable=False),
        sa.Column("environment", sa.String(16), nullable=False),
        sa.Column("client_id", sa.String(200), nullable=False),
        sa.Column("client_secret", sa.Text(), nullable=False),
        sa.Column("redirect_uri", sa.Text(), nullable=False),
        sa.Column("token_url", sa.Text(), nullable=False),
        sa.Column("ca_file", sa.Text(), nullable=True),
        sa.Column("access_token", sa.Text(), nullable=False),
        sa.Column("access_expires_at", UTCDateTime(), nullable=False),
        sa.Column("refresh_token", sa.Text(), nullable=False),
        sa.Column("refresh_expires_at", UTCDateTime(), nullable=True),
        sa.Column("refresh_max_at", UTCDateTime(), nullable=False),
        sa.Column("webhook_verifier", sa.Text(), nullable=True),
        sa.Column("connected_at", UTCDateTime(), nullable=False),
        sa.Column("refreshed_at", UTCDateTime(), nullable=True),
        sa.Column("lost_at", UTCDateTime(), nullable=True),
        sa.Column("lost_reason", sa.Text(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("company", name="pk_qbo_tokens"),
    )
    op.create_index("ix_qbo_tokens_realm_id", "qbo_tokens", ["realm_id"])
    op.create_table(
        "qbo_authorizations",
        sa.Column("state", sa.String(64), nullable=False),
        sa.Column("company", COMPANY, nullable=False),
        sa.Column("environment", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("state", name="pk_qbo_authorizations"),
    )
    op.create_table(
        "qbo_api_calls",
        sa.Column("company", COMPANY, nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("reads", sa.Integer(), nullable=False),
        sa.Column("writes", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("company", "month", name="pk_qbo_api_calls"),
    )
    op.create_table(
        "qbo_webhook_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("company", COMPANY, nullable=False),
        sa.Column("realm_id", sa.String(40), nullable=False),
        sa.Column("entity", sa.String(60), nullable=False),
        sa.Column("entity_id", sa.String(60), nullable=False),
        sa.Column("operation", sa.String(20), nullable=False),
        sa.Column("last_updated", sa.String(40), nullable=False),
        sa.Column("deleted_id", sa.String(60), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("taken_at", UTCDateTime(), nullable=True),
        sa.Column("claim", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_qbo_webhook_events"),
        sa.UniqueConstraint(
            "realm_id",
            "entity",
            "entity_id",
            "operation",
            "last_updated",
            name="uq_qbo_webhook_events_change",
        ),
    )
    op.create_index("ix_qbo_webhook_events_company", "qbo_webhook_events", ["company"])
    op.create_index("ix_qbo_webhook_events_claim", "qbo_webhook_events", ["claim"])


def downgrade() -> None:
    """Drop the four tables."""
    op.drop_index("ix_qbo_webhook_events_claim", table_name="qbo_webhook_events")
    op.drop_index("ix_qbo_webhook_events_company", table_name="qbo_webhook_events")
    op.drop_table("qbo_webhook_events")
    op.drop_table("qbo_api_calls")
    op.drop_table("qbo_authorizations")
    op.drop_index("ix_qbo_tokens_realm_id", table_name="qbo_tokens")
    op.drop_table("qbo_tokens")
