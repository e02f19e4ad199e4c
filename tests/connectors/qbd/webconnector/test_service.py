"""The eight operations' semantics (protocols.md §3.2), against a real SQLite store."""

from __future__ import annotations

from datetime import timedelta

from sfqb.codes import Catalog, load_catalog
from sfqb.connectors.qbd.webconnector import OutboxStatus, WebConnectorService, load_settings
from sfqb.connectors.qbd.webconnector.tickets import ticket_key
from sfqb.domain.status import System
from sfqb.store import Store

HOST = (
    '<?xml version="1.0"?><QBXML><QBXMLMsgsRs>'
    '<HostQueryRs requestID="1" statusCode="0" statusSeverity="Info" statusMessage="Status OK">'
    "<HostRet><ProductName>QuickBooks Pro 2023</ProductName><Country>US</Country>"
    "<SupportedQBXMLVersion>11.0</SupportedQBXMLVersion>"
    "<SupportedQBXMLVersion>12.0</SupportedQBXMLVersion></HostRet></HostQueryRs>"
    "</QBXMLMsgsRs></QBXML>"
)


def message_set(request: str = "CustomerQueryRq", version: str | None = "13.0") -> str:
    pi = f'<?qbxml version="{version}"?>' if version else ""
    return (
        f'<?xml version="1.0"?>{pi}<QBXML><QBXMLMsgsRq onError="continueOnError">'
        f'<{request} requestID="1"/></QBXMLMsgsRq></QBXML>'
    )


def answer(status: str = "0", request: str = "CustomerAdd") -> str:
    return (
        f'<?xml version="1.0"?><QBXML><QBXMLMsgsRs><{request}Rs requestID="1" '
        f'statusCode="{status}" statusSeverity="Info" statusMessage="m">'
        "<CustomerRet><ListID>80000042-1700000000</ListID><EditSequence>1700000000"
        "</EditSequence><Name>Acme Ltd</Name></CustomerRet>"
        f"</{request}Rs></QBXMLMsgsRs></QBXML>"
    )


def start(service: WebConnectorService, store: Store, sets: int = 1) -> str:
    for _ in range(sets):
        store.enqueue_for("Acme", message_set())
    ticket, verdict = service.authenticate("acme", "s3cret")
    assert verdict == ""
    return ticket


def test_versions(service: WebConnectorService) -> None:
    assert service.server_version().startswith("sfqb ")
    assert service.client_version("2.3.0.215") == ""
    assert service.client_version("") == ""
    assert service.client_version("1.5.0.2").startswith("W:")
    assert "1.5.0.2" in service.client_version("1.5.0.2")


def test_authenticate_refuses_unknown_user_and_wrong_password(
    service: WebConnectorService, store: Store
) -> None:
    store.enqueue_for("Acme", message_set())
    for user, password in [("nobody", "s3cret"), ("acme", "wrong"), ("", ""), ("acme", "")]:
        ticket, verdict = service.authenticate(user, password)
        assert verdict == "nvu"
        assert ticket  # QBWC expects a ticket in slot 0 even then
        assert store.get_session(ticket_key(ticket)) is None  # ...but it opens nothing


def test_authenticate_none_and_busy(service: WebConnectorService, store: Store, clock) -> None:
    assert service.authenticate("acme", "s3cret")[1] == "none"
    ticket = start(service, store)
    store.enqueue_for("Acme", message_set())
    busy_ticket, verdict = service.authenticate("acme", "s3cret")
    assert verdict == "busy"
    assert busy_ticket != ticket
    clock.advance(load_settings().session_timeout.total_seconds() + 1)
    assert service.authenticate("acme", "s3cret")[1] == ""  # the old session was abandoned
    assert store.get_session(ticket_key(ticket)).closed


def test_authenticate_asks_the_work_source(service: WebConnectorService, work) -> None:
    work.pending = [message_set()]
    assert service.authenticate("acme", "s3cret")[1] == ""


def test_send_negotiates_the_version_down_to_the_host(
    service: WebConnectorService, store: Store
) -> None:
    ticket = start(service, store)
    request = service.send_request_xml(ticket, HOST, "C:\\acme.qbw", "US", 12, 0)
    assert '<?qbxml version="12.0"?>' in request
    assert "<CustomerQueryRq" in request
    session = store.get_session(ticket_key(ticket))
    assert session.hcp_response == HOST
    assert session.company_file == "C:\\acme.qbw"
    assert session.qbxml_version == "12.0"
    assert store.outbox("Acme")[0].status is OutboxStatus.SENT


def test_send_keeps_a_lower_version_and_adds_a_missing_one(
    service: WebConnectorService, store: Store
) -> None:
    store.enqueue_for("Acme", message_set(version="11.0"))
    store.enqueue_for("Acme", message_set(version=None))
    ticket, _ = service.authenticate("acme", "s3cret")
    assert '<?qbxml version="11.0"?>' in service.send_request_xml(ticket, HOST, "", "US", 12, 0)
    assert service.receive_response_xml(ticket, answer(), "", "") == 50
    assert '<?qbxml version="12.0"?>' in service.send_request_xml(ticket, "", "", "US", 12, 0)


def test_send_without_hcp_uses_the_call_version(service: WebConnectorService, store) -> None:
    ticket = start(service, store)
    assert '<?qbxml version="8.0"?>' in service.send_request_xml(ticket, "", "", "US", 8, 0)


def test_host_too_old_fails_the_set_and_explains(
    service: WebConnectorService, store: Store, work
) -> None:
    ticket = start(service, store)
    assert service.send_request_xml(ticket, "", "", "US", 0, 0) == ""
    assert "update QuickBooks Desktop" in service.get_last_error(ticket)
    assert store.outbox("Acme")[0].status is OutboxStatus.FAILED
    assert work.delivered[0].status is OutboxStatus.FAILED


def test_receive_reports_percent_and_stores_the_decoded_answer(
    service: WebConnectorService, store: Store, work
) -> None:
    ticket = start(service, store, sets=2)
    service.send_request_xml(ticket, HOST, "", "US", 12, 0)
    assert service.receive_response_xml(ticket, answer(), "", "") == 50
    service.send_request_xml(ticket, "", "", "US", 12, 0)
    assert service.receive_response_xml(ticket, answer("3100"), "", "") == 100
    first, second = store.outbox("Acme")
    assert first.status is OutboxStatus.ANSWERED
    assert "80000042-1700000000" in first.response_xml
    assert first.summary == "CustomerAdd requestID=1: 0 Request processed -> 80000042-1700000000"
    assert second.summary.startswith("CustomerAdd requestID=1: 3100 ")
    assert [i.id for i in work.delivered] == [first.id, second.id]
    assert service.send_request_xml(ticket, "", "", "US", 12, 0) == ""
    assert service.get_last_error(ticket).startswith("No error")


def test_receive_refills_from_the_work_source(service: WebConnectorService, store, work) -> None:
    ticket = start(service, store)
    service.send_request_xml(ticket, HOST, "", "US", 12, 0)
    work.pending = [message_set(), message_set()]
    assert service.receive_response_xml(ticket, answer(), "", "") == 33


def test_receive_with_hresult_is_negative_and_decoded(
    service: WebConnectorService, store: Store, catalog: Catalog
) -> None:
    ticket = start(service, store)
    service.send_request_xml(ticket, HOST, "", "US", 12, 0)
    percent = service.receive_response_xml(ticket, "", "0x80040408", "Could not start QuickBooks.")
    assert percent < 0
    error = service.get_last_error(ticket)
    meaning = catalog.decode(System.HRESULT, "0x80040408").meaning
    assert error.startswith("0x80040408 Could not start QuickBooks: ")
    assert meaning in error
    assert store.outbox("Acme")[0].status is OutboxStatus.FAILED


def test_unreadable_response_is_negative(service: WebConnectorService, store: Store) -> None:
    ticket = start(service, store)
    service.send_request_xml(ticket, HOST, "", "US", 12, 0)
    assert service.receive_response_xml(ticket, "<QBXML><oops", "", "") < 0
    assert "cannot read" in service.get_last_error(ticket)
    assert service.receive_response_xml("no-such-ticket", answer(), "", "") < 0


def test_connection_error_records_the_decoded_hresult(
    service: WebConnectorService, store: Store, work
) -> None:
    ticket = start(service, store)
    assert service.connection_error(ticket, "0x80040408", "Could not start QuickBooks.") == "done"
    assert service.get_last_error(ticket).startswith("0x80040408 Could not start QuickBooks")
    session = store.get_session(ticket_key(ticket))
    assert session.closed
    assert session.last_error.startswith("0x80040408 Could not start QuickBooks")
    assert work.outages[0].code == "0x80040408"
    assert store.outbox("Acme")[0].status is OutboxStatus.QUEUED  # nothing was lost
    assert service.connection_error(ticket, "garbage", "x") == "done"


def test_close_connection(service: WebConnectorService, store: Store, work) -> None:
    ticket = start(service, store, sets=2)
    service.send_request_xml(ticket, HOST, "", "US", 12, 0)
    assert service.close_connection(ticket).startswith("OK")
    assert store.get_session(ticket_key(ticket)).closed
    first, second = store.outbox("Acme")
    assert first.status is OutboxStatus.FAILED  # sent, never answered
    assert second.status is OutboxStatus.QUEUED
    assert service.close_connection("unknown") == "OK"
    assert service.send_request_xml(ticket, "", "", "US", 12, 0) == ""
    assert "does not know this session" in service.get_last_error("unknown")


def test_interactive_mode_is_declined(service: WebConnectorService) -> None:
    assert service.get_interactive_url("t", "s") == ""
    assert service.interactive_done("t") == "Done"
    assert "interactive" in service.interactive_rejected("t", "timeout")


def test_two_service_instances_continue_one_session(tmp_path, clock) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    first_store = Store.from_url(url)
    first_store.migrate()
    first_store.create_company("Acme", "acme", "s3cret")
    first_store.enqueue_for("Acme", message_set())
    first_store.enqueue_for("Acme", message_set())
    catalog = load_catalog()
    from sfqb.connectors.qbd.webconnector import NoWorkSource

    one = WebConnectorService(first_store, NoWorkSource(), catalog, clock)
    two = WebConnectorService(Store.from_url(url), NoWorkSource(), catalog, clock)
    ticket, _ = one.authenticate("acme", "s3cret")
    one.send_request_xml(ticket, HOST, "", "US", 12, 0)
    assert two.receive_response_xml(ticket, answer(), "", "") == 50
    assert '<?qbxml version="12.0"?>' in one.send_request_xml(ticket, "", "", "US", 12, 0)
    assert two.receive_response_xml(ticket, answer(), "", "") == 100
    assert two.close_connection(ticket) == "OK: 2 message set(s) done"


def test_session_timeout_is_a_setting(store: Store, catalog, clock, work) -> None:
    quick = WebConnectorService(
        store, work, catalog, clock, load_settings(session_timeout=timedelta(seconds=5))
    )
    store.enqueue_for("Acme", message_set())
    quick.authenticate("acme", "s3cret")
    clock.advance(6)
    assert quick.authenticate("acme", "s3cret")[1] == ""
