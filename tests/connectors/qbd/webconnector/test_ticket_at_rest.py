"""Session tickets at rest: the store holds only their hash, and the session still works."""

from __future__ import annotations

from pathlib import Path

from sfqb.connectors.qbd.qbxml import CustomerAdd, build_message_set
from sfqb.connectors.qbd.webconnector import WebConnectorService, ticket_key
from sfqb.store import Store


def test_the_store_file_never_holds_a_live_ticket(
    service: WebConnectorService, store: Store, tmp_path: Path
) -> None:
    store.enqueue_for("Acme", build_message_set([CustomerAdd(name="Ridgeline")], "13.0"))
    ticket, verdict = service.authenticate("acme", "s3cret")
    assert verdict == ""
    assert service.send_request_xml(ticket, "", "", "", 13, 0)  # the session still works
    store.engine.dispose()  # everything on disk, WAL included
    on_disk = b"".join(p.read_bytes() for p in tmp_path.glob("wc.sqlite*"))
    assert ticket.encode() not in on_disk
    assert ticket_key(ticket).encode() in on_disk


def test_a_stored_hash_is_not_a_ticket(service: WebConnectorService, store: Store) -> None:
    store.enqueue_for("Acme", build_message_set([CustomerAdd(name="Ridgeline")], "13.0"))
    ticket, _ = service.authenticate("acme", "s3cret")
    # Someone with a copy of the store sends what it holds: the session is not theirs.
    stolen = ticket_key(ticket)
    assert service.send_request_xml(stolen, "", "", "", 13, 0) == ""
    assert service.get_last_error(stolen).startswith("sfqb does not know this session ticket")
