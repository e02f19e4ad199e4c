"""The session lease: one live Web Connector session per company, held by a renewed lease.

Revision ID: 0005_session_lease
Revises: 0004_sf_bind_request
Create Date: 2026-02-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sfqb.store.models import UTCDateTime

revision = "0005_session_lease"
down_revision = "0004_sf_bind_request"
branch_labels = None
depends_on = None

LIVE_SESSION = sa.text("NOT closed")
CLOSED_WHY = "closed by the upgrade to one live session per company"


def upgrade() -> None:
    """Add owner and lease_until; close all but each company's newest open session first."""
    op.add_column(
        "qbwc_sessions", sa.Column("owner", sa.String(64), nullable=False, server_default="")
    )
    op.add_column("qbwc_sessions", sa.Column("lease_until", UTCDateTime(), nullable=True))
    sessions = sa.table(
        "qbwc_sessions",
        sa.column("ticket", sa.String),
        sa.column("company_id", sa.Integer),
        sa.column("last_seen", UTCDateTime()),
        sa.column("closed", sa.Boolean),
        sa.column("last_error", sa.Text),
        sa.column("lease_until", UTCDateTime()),
    )
    outbox = sa.table(
        "qbd_outbox",
        sa.column("ticket", sa.String),
        sa.column("status", sa.String),
        sa.column("summary", sa.Text),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(sessions.c.ticket, sessions.c.company_id)
        .where(sessions.c.closed.is_(False))
        .order_by(sessions.c.company_id, sessions.c.last_seen.desc(), sessions.c.ticket)
    ).all()
    kept: set[int] = set()
    extra = []
    for ticket, company_id in rows:
        if company_id in kept:
            extra.append(ticket)
        kept.add(company_id)
    if extra:
        bind.execute(
            sa.update(sessions)
            .where(sessions.c.ticket.in_(extra))
            .values(closed=True, last_error=CLOSED_WHY)
        )
        bind.execute(
            sa.update(outbox)
            .where(outbox.c.ticket.in_(extra), outbox.c.status == "sent")
            .values(status="failed", summary=f"reply never arrived ({CLOSED_WHY})")
        )
    # An open session of an older sfqb holds no lease: it lapses at once unless renewed.
    bind.execute(
        sa.update(sessions)
        .where(sessions.c.closed.is_(False))
        .values(lease_until=sessions.c.last_seen)
    )
    op.create_index(
        "uq_qbwc_sessions_live",
        "qbwc_sessions",
        ["company_id"],
        unique=True,
        sqlite_where=LIVE_SESSION,
        postgresql_where=LIVE_SESSION,
    )


def downgrade() -> None:
    """Drop the one-live-session index and the lease columns."""
    op.drop_index("uq_qbwc_sessions_live", table_name="qbwc_sessions")
    with op.batch_alter_table("qbwc_sessions") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("owner")
