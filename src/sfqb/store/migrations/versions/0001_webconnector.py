"""Web Connector: companies, qbwc_sessions and the qbd_outbox of qbXML message sets.

Revision ID: 0001_webconnector
Revises:
Create Date: 2026-01-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sfqb.store.models import UTCDateTime

revision = "0001_webconnector"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the three tables."""
    op.create_table(
        "companies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("qbwc_username", sa.String(200), nullable=False),
        sa.Column("qbwc_password_hash", sa.String(300), nullable=False),
        sa.Column("owner_id", sa.String(38), nullable=False),
        sa.Column("file_id", sa.String(38), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("last_contact", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_companies"),
        sa.UniqueConstraint("name", name="uq_companies_name"),
        sa.UniqueConstraint("qbwc_username", name="uq_companies_qbwc_username"),
    )
    op.create_table(
        "qbwc_sessions",
        sa.Column("ticket", sa.String(64), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("last_seen", UTCDateTime(), nullable=False),
        sa.Column("hcp_response", sa.Text(), nullable=False),
        sa.Column("company_file", sa.Text(), nullable=False),
        sa.Column("qbxml_version", sa.String(16), nullable=False),
        sa.Column("country", sa.String(8), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name="fk_qbwc_sessions_company_id_companies"
        ),
        sa.PrimaryKeyConstraint("ticket", name="pk_qbwc_sessions"),
    )
    op.create_index("ix_qbwc_sessions_company_id", "qbwc_sessions", ["company_id"])
    op.create_index("ix_qbwc_sessions_closed", "qbwc_sessions", ["closed"])
    op.create_table(
        "qbd_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("request_xml", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("ticket", sa.String(64), nullable=True),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("response_xml", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name="fk_qbd_outbox_company_id_companies"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_qbd_outbox"),
    )
    op.create_index("ix_qbd_outbox_company_id", "qbd_outbox", ["company_id"])
    op.create_index("ix_qbd_outbox_status", "qbd_outbox", ["status"])
    op.create_index("ix_qbd_outbox_ticket", "qbd_outbox", ["ticket"])


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_table("qbd_outbox")
    op.drop_table("qbwc_sessions")
    op.drop_table("companies")
