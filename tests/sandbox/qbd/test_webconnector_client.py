"""The Web Connector stand-in: QBWC's call sequence, and its reaction to QuickBooks' faults."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sfqb.codes import load_catalog
from sfqb.connectors.qbd.qbxml import CustomerAdd, build_message_set
from sfqb.connectors.qbd.webconnector import (
    NoWorkSource,
    OutboxStatus,
    SoapEndpoint,
    WebConnectorService,
    load_settings,
)
from sfqb.connectors.qbd.webconnector.tickets import ticket_key
from sfqb.sandbox.qbd import CompanyFile, RequestRejected, SandboxSettings
from sfqb.sandbox.qbd.faults import PARSE_ERROR_HRESULT, PARSE_ERROR_MESSAGE
from sfqb.sandbox.qbd.webconnector_client import Outcome, WebConnectorClient, host_queries
from sfqb.store import Store
from sfqb.web import WebServices, create_app
from sfqb.web.server import running_server


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    db = Store.from_url(f"sqlite:///{tmp_path / 'sfqb.sqlite'}")
    db.migrate()
    db.create_company("demo", "demo", "demo")
    return db


@pytest.fixture
def address(store: Store, clock: Clock) -> Iterator[str]:
    service = WebConnectorService(store, NoWorkSource(), load_catalog(), clock)
    with running_server(create_app(WebServices(SoapEndpoint(service)))) as base:
        yield f"{base}/qbwc"


@pytest.fixture
def quickbooks(clock: Clock) -> CompanyFile:
    return CompanyFile(SandboxSettings(), clock, random.Random(3))


def queue(store: Store, *names: str) -> None:
    for name in names:
        store.enqueue_for("demo", build_message_set([CustomerAdd(name=name)], "13.0"))


def client(address: str, quickbooks: CompanyFile) -> WebConnectorClient:
    return WebConnectorClient(f"{address}?wsdl", quickbooks, address=address)


def test_a_full_session_like_qbwc(address: str, store: Store, quickbooks: CompanyFile) -> None:
    queue(store, "One", "Two")
    result = client(address, quickbooks).run("demo", "demo")
    assert result.outcome is Outcome.DONE
    assert result.calls == [
        "serverVersion", "clientVersion", "authenticate",
        "sendRequestXML", "receiveResponseXML", "sendRequestXML", "receiveResponseXML",
        "closeConnection",
    ]  # fmt: skip
    assert [e.percent for e in result.exchanges] == [50, 100]
    assert quickbooks.find("Customer", "One") and quickbooks.find("Customer", "Two")
    session = store.get_session(ticket_key(result.ticket))
    assert "<HostQueryRs" in session.hcp_response  # the first call carried the HCP answers
    assert session.qbxml_version == "13.0"
    assert session.closed


def test_connector_down_calls_connection_error(
    address: str, store: Store, quickbooks: CompanyFile
) -> None:
    queue(store, "Never")
    quickbooks.faults.connector_down_next()
    result = client(address, quickbooks).run("demo", "demo")
    assert result.outcome is Outcome.CONNECTION_ERROR
    assert result.calls[-2:] == ["connectionError", "closeConnection"]
    assert result.connection_error_answer == "done"
    session = store.get_session(ticket_key(result.ticket))
    assert session.last_error.startswith("0x80040408 Could not start QuickBooks")
    assert store.outbox("demo")[0].status is OutboxStatus.QUEUED  # still to do
    assert client(address, quickbooks).run("demo", "demo").outcome is Outcome.DONE


class RejectsEverything:
    """QuickBooks whose request processor throws on every message set after the HCP queries."""

    def __init__(self, quickbooks: CompanyFile) -> None:
        self.quickbooks = quickbooks

    def process(self, request_xml: str) -> str:
        if "HostQueryRq" in request_xml:
            return self.quickbooks.process(request_xml)
        raise RequestRejected(PARSE_ERROR_HRESULT, PARSE_ERROR_MESSAGE)


def test_a_rejected_request_reaches_get_last_error(
    address: str, store: Store, quickbooks: CompanyFile
) -> None:
    queue(store, "Rejected")
    result = client(address, RejectsEverything(quickbooks)).run("demo", "demo")
    assert result.outcome is Outcome.ERROR
    assert result.exchanges[0].hresult == PARSE_ERROR_HRESULT
    assert result.exchanges[0].percent < 0
    assert result.calls[-2:] == ["getLastError", "closeConnection"]
    assert result.last_error.startswith(f"{PARSE_ERROR_HRESULT} ")
    assert store.outbox("demo")[0].status is OutboxStatus.FAILED


def test_an_unreadable_queued_set_is_not_sent(
    address: str, store: Store, quickbooks: CompanyFile
) -> None:
    store.enqueue_for("demo", '<?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="x">')
    result = client(address, quickbooks).run("demo", "demo")
    assert result.outcome is Outcome.NOTHING_SENT
    assert "not readable" in result.last_error
    assert store.outbox("demo")[0].status is OutboxStatus.FAILED


class LosesTheCustomerAdd:
    """QuickBooks whose reply to the first CustomerAdd is lost (the HCP answers arrive)."""

    def __init__(self, quickbooks: CompanyFile) -> None:
        self.quickbooks = quickbooks

    def process(self, request_xml: str) -> str:
        if "CustomerAddRq" in request_xml:
            self.quickbooks.faults.lose_next_reply()
        return self.quickbooks.process(request_xml)


def test_a_lost_reply_abandons_the_session(
    address: str, store: Store, quickbooks: CompanyFile, clock: Clock
) -> None:
    queue(store, "Lost")
    result = client(address, LosesTheCustomerAdd(quickbooks)).run("demo", "demo")
    assert result.outcome is Outcome.REPLY_LOST
    assert result.calls[-1] == "sendRequestXML"  # no receiveResponseXML, no closeConnection
    assert quickbooks.find("Customer", "Lost") is not None  # QuickBooks did it
    assert store.outbox("demo")[0].status is OutboxStatus.SENT  # outcome unknown to sfqb
    queue(store, "Next")
    assert client(address, quickbooks).run("demo", "demo").outcome is Outcome.BUSY
    clock.now += load_settings().session_timeout + timedelta(seconds=1)
    assert client(address, quickbooks).run("demo", "demo").outcome is Outcome.DONE
    lost, following = store.outbox("demo")
    assert lost.status is OutboxStatus.FAILED
    assert "reply never arrived" in (lost.summary or "")
    assert following.status is OutboxStatus.ANSWERED


def test_intuits_wsdl_works_too(
    specs: Path, address: str, store: Store, quickbooks: CompanyFile
) -> None:
    queue(store, "Via Intuit")
    wsdl = str(specs / "QBWebConnectorSvc.wsdl")
    result = WebConnectorClient(wsdl, quickbooks, address=address).run("demo", "demo")
    assert result.outcome is Outcome.DONE


def test_host_queries_message_set(quickbooks: CompanyFile) -> None:
    response = quickbooks.process(host_queries())
    for name in ("HostQueryRs", "CompanyQueryRs", "PreferencesQueryRs"):
        assert f"<{name} " in response
