"""Console users: users with argon2 password hashes and roles, company grants, API tokens (their
SHA-256 only), and the console's own keys.

Revision ID: 0010_people
Revises: 0009_ticket_hash
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sfqb.store.models import UTCDateTime

revision = "0010_people"
down_revision = "0009_ticket_hash"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create console_users, console_grants, console_tokens and console_keys."""
    op.create_table(
        "console_users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.String(300), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("all_companies", sa.Boolean(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sessions_since", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_console_users"),
        sa.UniqueConstraint("name", name="uq_console_users_name"),
    )
    op.create_table(
        "console_grants",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("company", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["console_users.id"],
            name="fk_console_grants_user_id_console_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "company", name="pk_console_grants"),
    )
    op.create_table(
        "console_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["console_users.id"],
            name="fk_console_tokens_user_id_console_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_console_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_console_tokens_token_hash"),
    )
    op.create_index("ix_console_tokens_user_id", "console_tokens", ["user_id"])
    op.create_table(
        "console_keys",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_console_keys"),
    )


def downgrade() -> None:
    """Drop the console's tables (every user and token goes with them)."""
    op.drop_table("console_keys")
    op.drop_index("ix_console_tokens_user_id", table_name="console_tokens")
    op.drop_table("console_tokens")
    op.drop_table("console_grants")
    op.drop_table("console_users")
