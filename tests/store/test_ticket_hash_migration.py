"""Revision 0009: stored session tickets become their hashes; open sessions go on."""

from __future__ import annotations

from sqlalchemy import select

from sfqb.connectors.qbd.webconnector import SessionState, ticket_key
from sfqb.store import Store
from sfqb.store.models import QbdOutbox, QbwcSession

from .conftest import T0

TICKET = "2f889724-5ce0-41e3-9aad-b4c662770e0a"


def test_upgrade_hashes_stored_tickets_and_keeps_the_open_session(isolated_url: str) -> None:
    store = Store.from_url(isolated_url)
    try:
        store.migrate("0008_qbo_tokens")
        company = store.create_company("Acme", "acme", "s3cret")
        assert store.start_session(SessionState(TICKET, company.id, T0, T0, lease_until=T0))
        item = store.enqueue(company.id, "<QBXML/>")
        assert store.claim_next(company.id, TICKET, T0) is not None
        store.migrate()
        with store.engine.connect() as db:
            assert list(db.scalars(select(QbwcSession.ticket))) == [ticket_key(TICKET)]
            assert db.scalar(select(QbdOutbox.ticket).where(QbdOutbox.id == item)) == (
                ticket_key(TICKET)
            )
        session = store.get_session(ticket_key(TICKET))
        assert session is not None and not session.closed  # QBWC's ticket still works
        assert [i.id for i in store.sent_items(ticket_key(TICKET))] == [item]
        store.migrate()  # idempotent: a hash is not hashed again
        assert store.get_session(ticket_key(TICKET)) is not None
        store.downgrade("0008_qbo_tokens")
        closed = store.get_session(ticket_key(TICKET))
        assert closed is not None and closed.closed
    finally:
        store.engine.dispose()
