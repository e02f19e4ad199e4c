"""Fuzzing /qbwc through the real ASGI app: generated envelopes, valid and not.

Each example is a SOAP envelope built from a real operation (or an unknown one) with random
field contents and random structure around it, or such an envelope cut or corrupted. Whatever
comes in: no 500 with a traceback, every answer is a SOAP answer or fault, and no session is
left behind by a call that did not log in.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy import text

from sfqb.codes import load_catalog
from sfqb.connectors.qbd.webconnector import NoWorkSource, SoapEndpoint, WebConnectorService
from sfqb.store import Store
from sfqb.web import WebServices, create_app

ENV = "http://schemas.xmlsoap.org/soap/envelope/"
INTUIT = "http://developer.intuit.com/"
FIELDS = {
    "serverVersion": ["strVersion"],
    "clientVersion": ["strVersion"],
    "authenticate": ["strUserName", "strPassword"],
    "sendRequestXML": ["ticket", "strHCPResponse", "strCompanyFileName", "qbXMLCountry",
                       "qbXMLMajorVers", "qbXMLMinorVers"],
    "receiveResponseXML": ["ticket", "response", "hresult", "message"],
    "connectionError": ["ticket", "hresult", "message"],
    "getLastError": ["ticket"],
    "closeConnection": ["ticket"],
    "getInteractiveURL": ["wcTicket", "sessionID"],
    "interactiveDone": ["wcTicket"],
    "interactiveRejected": ["wcTicket", "reason"],
    "noSuchOperation": ["x"],
}  # fmt: skip
XML_TEXT = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00").filter(
    lambda c: c in "\t\n\r" or (ord(c) >= 0x20 and c not in "\ufffe\uffff")
)
CONTENTS = st.one_of(
    st.text(XML_TEXT, max_size=40),
    st.sampled_from(["demo", "", "0f8fad5b-d9cb-469f-a165-70867728950e", "0x80040408",
                     "13", "-1", "2.3.0.215", "<QBXML/>", "<?qbxml version=\"13.0\"?><QBXML/>"]),
    st.integers(min_value=4000, max_value=6000).map(lambda n: "2." + "9" * n),
    st.integers(min_value=1, max_value=5000).map(lambda n: "7" * n),
    st.integers(min_value=300, max_value=3000).map(lambda n: "é" * n),
)  # fmt: skip
NAMES = st.sampled_from(sorted({f for fields in FIELDS.values() for f in fields} | {"junk"}))


@st.composite
def envelopes(draw: st.DrawFn) -> bytes:
    operation = draw(st.sampled_from(sorted(FIELDS)))
    names = draw(st.lists(st.sampled_from(FIELDS[operation]) | NAMES, max_size=8))
    namespace = draw(st.sampled_from([ENV, ENV, ENV, "http://www.w3.org/2003/05/soap-envelope"]))
    envelope = etree.Element(f"{{{namespace}}}Envelope")
    if draw(st.booleans()):
        etree.SubElement(envelope, f"{{{namespace}}}Header").text = draw(CONTENTS)
    body = etree.SubElement(envelope, f"{{{namespace}}}Body")
    op_ns = draw(st.sampled_from([INTUIT, INTUIT, INTUIT, "urn:other", ""]))
    call = etree.SubElement(body, f"{{{op_ns}}}{operation}" if op_ns else operation)
    for name in names:
        field = etree.SubElement(call, f"{{{INTUIT}}}{name}")
        if draw(st.booleans()):
            field.text = draw(CONTENTS)
        else:  # structure where a string is expected
            etree.SubElement(field, f"{{{INTUIT}}}{draw(NAMES)}").text = draw(CONTENTS)
    for _ in range(draw(st.integers(0, 2))):
        etree.SubElement(draw(st.sampled_from([envelope, body])), draw(NAMES)).text = "x"
    raw = etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
    mangle = draw(st.sampled_from(["none", "none", "cut", "flip"]))
    if mangle == "cut":
        raw = raw[: draw(st.integers(0, len(raw)))]
    elif mangle == "flip":
        at = draw(st.integers(0, len(raw) - 1))
        raw = raw[:at] + bytes([draw(st.integers(0, 255))]) + raw[at + 1 :]
    return raw


def now() -> datetime:
    return datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[TestClient, Store]:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    store = Store.from_url(f"sqlite:///{folder / 'sfqb.sqlite'}")
    store.migrate()
    store.create_company("demo", "demo", "demo")
    service = WebConnectorService(store, NoWorkSource(), load_catalog(), now)
    app = create_app(WebServices(SoapEndpoint(service)))
    return TestClient(app, raise_server_exceptions=False), store


def sessions(store: Store) -> int:
    with store.engine.connect() as db:
        return int(db.execute(text("SELECT count(*) FROM qbwc_sessions")).scalar_one())


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)  # fmt: skip
@given(body=envelopes())
@example(  # issue 13: a 5,000-digit version component was a soap:Server fault with a traceback
    body=f'<s:Envelope xmlns:s="{ENV}"><s:Body><clientVersion xmlns="{INTUIT}"><strVersion>2.'
    f"{'9' * 5000}</strVersion></clientVersion></s:Body></s:Envelope>".encode()
)
def test_generated_envelopes_get_soap_answers_and_leave_no_session(
    world: tuple[TestClient, Store], body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    http, store = world
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        response = http.post("/qbwc", content=body, headers={"content-type": "text/xml"})
    tracebacks = [r.getMessage() for r in caplog.records if r.exc_info]
    assert tracebacks == []
    assert response.status_code in (200, 413, 500)
    root = etree.fromstring(response.content)
    assert root.tag == f"{{{ENV}}}Envelope"
    (answer,) = root.find(f"{{{ENV}}}Body")
    if response.status_code == 200:
        assert etree.QName(answer).localname.endswith("Response")
    else:
        assert answer.tag == f"{{{ENV}}}Fault"
        assert answer.findtext("faultcode") != "soap:Server"
    assert sessions(store) == 0  # nothing queued: even a good login keeps no session
