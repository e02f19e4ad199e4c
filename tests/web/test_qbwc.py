"""/qbwc over HTTP: Intuit's WSDL driving sfqb on a real socket, the WSDL, faults, restarts."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import zeep
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from sfqb.codes import load_catalog
from sfqb.connectors.qbd.qbxml import CustomerAdd, build_message_set
from sfqb.connectors.qbd.webconnector import (
    NoWorkSource,
    OutboxStatus,
    SoapEndpoint,
    WebConnectorService,
)
from sfqb.connectors.qbd.webconnector.tickets import ticket_key
from sfqb.sandbox.qbd import CompanyFile, SandboxSettings
from sfqb.sandbox.qbd.webconnector_client import Outcome, WebConnectorClient
from sfqb.store import Store
from sfqb.web import WebServices, create_app
from sfqb.web.server import running_server

ENV = "http://schemas.xmlsoap.org/soap/envelope/"
INTUIT_BINDING = "{http://developer.intuit.com/}TroubleshootWebServiceFSSoap"


def now() -> datetime:
    return datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


@dataclass
class Env:
    url: str
    store: Store

    def app(self, max_body: int | None = None):  # type: ignore[no-untyped-def]
        store = Store.from_url(self.url)  # a fresh store object: nothing shared in memory
        service = WebConnectorService(store, NoWorkSource(), load_catalog(), now)
        return create_app(WebServices(SoapEndpoint(service, max_body)))


@pytest.fixture
def env(tmp_path: Path) -> Env:
    url = f"sqlite:///{tmp_path / 'sfqb.sqlite'}"
    store = Store.from_url(url)
    store.migrate()
    store.create_company("demo", "demo", "demo")
    return Env(url, store)


@pytest.fixture
def server(env: Env) -> Iterator[str]:
    with running_server(env.app()) as base:
        yield base


def company() -> CompanyFile:
    return CompanyFile(SandboxSettings(), now, random.Random(7))


def test_intuit_wsdl_drives_sfqb_over_a_socket(specs: Path, env: Env, server: str) -> None:
    wsdl = str(specs / "QBWebConnectorSvc.wsdl")
    quickbooks = company()
    client = WebConnectorClient(wsdl, quickbooks, address=f"{server}/qbwc")

    refused = client.run("demo", "wrong")
    assert refused.outcome is Outcome.INVALID_USER
    assert refused.auth_answer[1] == "nvu"

    assert client.run("demo", "demo").outcome is Outcome.NO_WORK

    env.store.enqueue_for("demo", build_message_set([CustomerAdd(name="Acme & Sons")], "13.0"))
    result = client.run("demo", "demo")
    assert result.outcome is Outcome.DONE
    assert result.auth_answer[1] == ""  # the empty string survives: use the open company file
    assert result.calls == [
        "serverVersion", "clientVersion", "authenticate", "sendRequestXML",
        "receiveResponseXML", "closeConnection",
    ]  # fmt: skip
    assert result.exchanges[0].percent == 100
    assert result.close_answer.startswith("OK")

    created = quickbooks.find("Customer", "Acme & Sons")
    assert created is not None
    (item,) = env.store.outbox("demo")
    assert item.status is OutboxStatus.ANSWERED
    assert item.summary == f"CustomerAdd requestID=1: 0 Request processed -> {created.id}"
    assert f"<ListID>{created.id}</ListID>" in (item.response_xml or "")
    assert env.store.get_session(ticket_key(result.ticket)).closed


def test_raw_zeep_calls_with_intuits_wsdl(specs: Path, env: Env, server: str) -> None:
    client = zeep.Client(str(specs / "QBWebConnectorSvc.wsdl"))
    service = client.create_service(INTUIT_BINDING, f"{server}/qbwc")
    assert service.serverVersion().startswith("sfqb")
    assert service.clientVersion("2.3.0.215") is None  # "" comes back from zeep as None
    ticket, verdict = service.authenticate("demo", "demo")
    assert verdict == "none"
    assert service.getLastError("nope").startswith("sfqb does not know")
    assert service.receiveResponseXML("nope", "", "", "") < 0
    assert service.connectionError("nope", "0x80040408", "x") == "done"
    assert service.closeConnection(ticket) == "OK"


def test_wsdl_is_sfqbs_own_with_the_request_address(env: Env, server: str) -> None:
    client = zeep.Client(f"{server}/qbwc?wsdl")
    (port,) = next(iter(client.wsdl.services.values())).ports.values()
    assert port.binding_options["address"] == f"{server}/qbwc"
    assert set(port.binding._operations) == {
        "serverVersion", "clientVersion", "authenticate", "sendRequestXML",
        "receiveResponseXML", "connectionError", "getLastError", "closeConnection",
    }  # fmt: skip
    assert client.service.authenticate("demo", "nope")[1] == "nvu"


def test_wsdl_operations_match_intuits(specs: Path, env: Env) -> None:
    ours = TestClient(env.app()).get("/qbwc?WSDL")
    assert ours.status_code == 200
    assert ours.headers["content-type"].startswith("text/xml")
    wsdl = "{http://schemas.xmlsoap.org/wsdl/}"
    schema = "{http://www.w3.org/2001/XMLSchema}"

    def shape(root: etree._Element) -> dict[str, list[tuple[str, str]]]:
        found = {}
        for element in root.iter(f"{schema}element"):
            if element.getparent().tag == f"{schema}schema":
                found[element.get("name")] = [
                    (e.get("name"), e.get("type").split(":")[1])
                    for e in element.iter(f"{schema}element")
                    if e is not element
                ]
        return found

    theirs = etree.parse(str(specs / "QBWebConnectorSvc.wsdl")).getroot()
    mine = etree.fromstring(ours.content)
    assert shape(mine) == shape(theirs)
    actions = {e.get("soapAction") for e in mine.iter("{*}operation") if e.get("soapAction")}
    assert actions == {
        e.get("soapAction") for e in theirs.iter("{http://schemas.xmlsoap.org/wsdl/soap/}operation")
    }
    assert {e.get("name") for e in mine.iter(f"{wsdl}portType")} != set()


def test_get_without_wsdl_says_what_this_is(env: Env) -> None:
    response = TestClient(env.app()).get("/qbwc")
    assert response.status_code == 200
    assert "?wsdl" in response.text


def test_session_survives_a_restart(specs: Path, env: Env) -> None:
    env.store.enqueue_for("demo", build_message_set([CustomerAdd(name="First")], "13.0"))
    env.store.enqueue_for("demo", build_message_set([CustomerAdd(name="Second")], "13.0"))
    quickbooks = company()
    hcp = quickbooks.process(
        '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
        '<HostQueryRq requestID="1"/></QBXMLMsgsRq></QBXML>'
    )
    client = zeep.Client(str(specs / "QBWebConnectorSvc.wsdl"))
    with running_server(env.app()) as before:
        soap = client.create_service(INTUIT_BINDING, f"{before}/qbwc")
        ticket, verdict = soap.authenticate("demo", "demo")
        assert verdict is None  # the empty string
        request = soap.sendRequestXML(ticket, hcp, "", "US", 13, 0)
        assert soap.receiveResponseXML(ticket, quickbooks.process(request), "", "") == 50
    with running_server(env.app()) as after:  # a new process would see the same
        soap = client.create_service(INTUIT_BINDING, f"{after}/qbwc")
        request = soap.sendRequestXML(ticket, "", "", "US", 13, 0)
        assert "<Name>Second</Name>" in request
        assert soap.receiveResponseXML(ticket, quickbooks.process(request), "", "") == 100
        assert soap.closeConnection(ticket) == "OK: 2 message set(s) done"
    assert [i.status for i in env.store.outbox("demo")] == [OutboxStatus.ANSWERED] * 2


def test_oversized_body_is_413_with_a_fault(env: Env) -> None:
    client = TestClient(env.app(max_body=1000))
    response = client.post("/qbwc", content=b"<a>" + b"x" * 2000 + b"</a>")
    assert response.status_code == 413
    assert etree.fromstring(response.content).find(f"{{{ENV}}}Body/{{{ENV}}}Fault") is not None


@pytest.fixture
def http(env: Env) -> TestClient:
    return TestClient(env.app(), raise_server_exceptions=False)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.one_of(
        st.binary(max_size=200),
        st.sampled_from(
            [
                b"<?xml version='1.0'?><!DOCTYPE x SYSTEM 'http://evil/x.dtd'><x/>",
                f'<s:Envelope xmlns:s="{ENV}"><s:Body><authenticate xmlns="urn:wrong"/>'
                "</s:Body></s:Envelope>".encode(),
                f'<s:Envelope xmlns:s="{ENV}"><s:Body><authent'.encode(),
            ]
        ),
    )
)
def test_http_fuzz_gets_a_fault_never_a_bare_500(http: TestClient, body: bytes) -> None:
    response = http.post("/qbwc", content=body, headers={"content-type": "text/xml"})
    assert response.status_code in (200, 413, 500)
    if response.status_code != 200:
        root = etree.fromstring(response.content)
        assert root.find(f"{{{ENV}}}Body/{{{ENV}}}Fault/faultcode") is not None
