"""Session tickets at rest: the store keeps each ticket's SHA-256, never the ticket.

Every stored ticket (of open and closed sessions, and of the message sets sent in them) is
replaced by its hash, so an open session goes on: the Web Connector still holds the ticket and
sfqb hashes what it sends. A downgrade cannot give the tickets back: it closes open sessions.

Revision ID: 0009_ticket_hash
Revises: 0008_qbo_tokens
Create Date: 2026-12-20
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0009_ticket_hash"
down_revision = "0008_qbo_tokens"
branch_labels = None
depends_on = None

CLOSED_WHY = "closed by the downgrade from hashed session tickets"
_HASH_LENGTH = 64


def _hash(ticket: str) -> str:
    # The same function as sfqb.connectors.qbd.webconnector.tickets.ticket_key, frozen here.
    return hashlib.sha256(ticket.encode("utf-8", "surrogatepass")).hexdigest()


def upgrade() -> None:
    """Replace every stored ticket with its hash (tickets already 64 characters are kept)."""
    bind = op.get_bind()
    for name in ("qbwc_sessions", "qbd_outbox"):
        rows = sa.table(name, sa.column("ticket", sa.String))
        tickets = bind.execute(
            sa.select(rows.c.ticket)
            .where(rows.c.ticket.is_not(None), sa.func.length(rows.c.ticket) != _HASH_LENGTH)
            .distinct()
        ).scalars()
        for ticket in list(tickets):
            bind.execute(
                sa.update(rows).where(rows.c.ticket == ticket).values(ticket=_hash(ticket))
            )


def downgrade() -> None:
    """Close the open sessions: their tickets are no longer known to anyone but QBWC."""
    sessions = sa.table(
        "qbwc_sessions",
        sa.column("closed", sa.Boolean),
        sa.column("last_error", sa.Text),
    )
    op.get_bind().execute(
        sa.update(sessions)
        .where(sessions.c.closed.is_(False))
        .values(closed=True, last_error=CLOSED_WHY)
    )
