"""SOAP envelopes: golden raw responses, faults for anything malformed, and a fuzz test."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from sfqb.connectors.qbd.webconnector import SoapEndpoint, WebConnectorService
from sfqb.connectors.qbd.webconnector.soap import response_envelope

ENV = "http://schemas.xmlsoap.org/soap/envelope/"
HEAD = b'<?xml version="1.0" encoding="utf-8"?>\n'


def call(operation: str, params: str = "", ns: str = "http://developer.intuit.com/") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{ENV}">'
        f'<soap:Body><{operation} xmlns="{ns}">{params}</{operation}></soap:Body>'
        "</soap:Envelope>"
    ).encode()


def golden(inner: str) -> bytes:
    envelope = f'<soap:Envelope xmlns:soap="{ENV}"><soap:Body>{inner}</soap:Body></soap:Envelope>'
    return HEAD + envelope.encode()


@pytest.fixture
def endpoint(service: WebConnectorService) -> SoapEndpoint:
    return SoapEndpoint(service)


def test_golden_authenticate_keeps_the_empty_string() -> None:
    assert response_envelope("authenticate", ["TICKET-1", ""]) == golden(
        '<authenticateResponse xmlns="http://developer.intuit.com/"><authenticateResult>'
        "<string>TICKET-1</string><string></string></authenticateResult></authenticateResponse>"
    )


def test_golden_strings_and_ints() -> None:
    assert response_envelope("sendRequestXML", "") == golden(
        '<sendRequestXMLResponse xmlns="http://developer.intuit.com/">'
        "<sendRequestXMLResult></sendRequestXMLResult></sendRequestXMLResponse>"
    )
    assert response_envelope("receiveResponseXML", -2) == golden(
        '<receiveResponseXMLResponse xmlns="http://developer.intuit.com/">'
        "<receiveResponseXMLResult>-2</receiveResponseXMLResult></receiveResponseXMLResponse>"
    )
    assert response_envelope("sendRequestXML", '<?qbxml version="13.0"?><QBXML/>') == golden(
        '<sendRequestXMLResponse xmlns="http://developer.intuit.com/"><sendRequestXMLResult>'
        '&lt;?qbxml version="13.0"?&gt;&lt;QBXML/&gt;</sendRequestXMLResult>'
        "</sendRequestXMLResponse>"
    )


def test_golden_through_the_endpoint(endpoint: SoapEndpoint) -> None:
    reply = endpoint.handle(call("serverVersion"))
    assert reply.status == 200
    assert reply.content_type == "text/xml; charset=utf-8"
    assert reply.body == golden(
        '<serverVersionResponse xmlns="http://developer.intuit.com/">'
        "<serverVersionResult>sfqb 0.1.0</serverVersionResult></serverVersionResponse>"
    )
    reply = endpoint.handle(call("closeConnection", "<ticket>nope</ticket>"))
    assert reply.body == golden(
        '<closeConnectionResponse xmlns="http://developer.intuit.com/">'
        "<closeConnectionResult>OK</closeConnectionResult></closeConnectionResponse>"
    )
    reply = endpoint.handle(
        call("authenticate", "<strUserName>acme</strUserName><strPassword>x</strPassword>")
    )
    strings = etree.fromstring(reply.body).findall(".//{http://developer.intuit.com/}string")
    assert [s.text for s in strings][1] == "nvu"
    assert len(strings) == 2


def test_empty_parameters_count_as_empty_strings(endpoint: SoapEndpoint) -> None:
    reply = endpoint.handle(call("authenticate", "<strUserName/><strPassword></strPassword>"))
    assert b"<string>nvu</string>" in reply.body
    reply = endpoint.handle(call("clientVersion"))
    assert b"<clientVersionResult></clientVersionResult>" in reply.body


def fault_of(body: bytes) -> tuple[str, str]:
    root = etree.fromstring(body)
    fault = root.find(f"{{{ENV}}}Body/{{{ENV}}}Fault")
    assert fault is not None, body
    return fault.findtext("faultcode"), fault.findtext("faultstring")


@pytest.mark.parametrize(
    ("body", "code", "reason"),
    [
        (b"", "soap:Client", "empty request body"),
        (b"not xml", "soap:Client", "malformed XML"),
        (call("deleteEverything"), "soap:Client", "unknown operation 'deleteEverything'"),
        (call("authenticate", ns="urn:other"), "soap:Client", "namespace"),
        (call("sendRequestXML", "<qbXMLMajorVers>x</qbXMLMajorVers>"), "soap:Client", "integer"),
        (b"<Envelope/>", "soap:VersionMismatch", "not SOAP 1.1"),
        (
            b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>',
            "soap:VersionMismatch",
            "SOAP 1.2",
        ),
        (f'<s:Envelope xmlns:s="{ENV}"/>'.encode(), "soap:Client", "exactly one soap:Body"),
        (
            f'<s:Envelope xmlns:s="{ENV}"><s:Body/></s:Envelope>'.encode(),
            "soap:Client",
            "exactly one operation",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>' + call("serverVersion")[21:],
            "soap:Client",
            "DTD",
        ),
        (b"<a>" * 5 + b"\x00", "soap:Client", "malformed"),
    ],
)
def test_malformed_calls_get_a_fault(
    endpoint: SoapEndpoint, body: bytes, code: str, reason: str
) -> None:
    reply = endpoint.handle(body)
    assert reply.status == 500
    got_code, got_reason = fault_of(reply.body)
    assert got_code == code
    assert reason in got_reason


def test_oversized_body_is_413(service: WebConnectorService) -> None:
    small = SoapEndpoint(service, max_body_bytes=100)
    reply = small.handle(call("serverVersion", "<pad>" + "x" * 200 + "</pad>"))
    assert reply.status == 413
    assert fault_of(reply.body)[0] == "soap:Client"


def test_a_failing_service_gives_a_server_fault(endpoint: SoapEndpoint, store) -> None:
    store.engine.dispose()
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE qbwc_sessions")
    ticket = "0f8fad5b-d9cb-469f-a165-70867728950e"  # the shape of a ticket: the store is asked
    reply = endpoint.handle(call("getLastError", f"<ticket>{ticket}</ticket>"))
    assert reply.status == 500
    assert fault_of(reply.body) == ("soap:Server", "sfqb could not process the call; see its log")


_OPS = st.sampled_from(
    ["serverVersion", "clientVersion", "authenticate", "sendRequestXML", "receiveResponseXML",
     "connectionError", "getLastError", "closeConnection", "bogus"]
)  # fmt: skip
_NAMESPACES = st.sampled_from(
    [ENV, "http://www.w3.org/2003/05/soap-envelope", "urn:x", ""]
)  # fmt: skip


@st.composite
def envelopes(draw: st.DrawFn) -> bytes:
    env_ns = draw(_NAMESPACES)
    op_ns = draw(st.sampled_from(["http://developer.intuit.com/", "urn:y", ""]))
    op = draw(_OPS)
    params = "".join(
        f"<{name}>{draw(st.text(max_size=20)).replace('<', '&lt;').replace('&', '&amp;')}</{name}>"
        for name in draw(
            st.lists(st.sampled_from(["ticket", "hresult", "qbXMLMajorVers", "response"]))
        )
    )
    xml = (
        f'<soap:Envelope xmlns:soap="{env_ns}"><soap:Body><{op} xmlns="{op_ns}">{params}'
        f"</{op}></soap:Body></soap:Envelope>"
    )
    cut = draw(st.integers(min_value=0, max_value=len(xml)))
    prefix = draw(st.sampled_from(["", '<!DOCTYPE soap:Envelope [<!ENTITY x "y">]>']))
    raw = (prefix + xml[: cut or len(xml)]).encode("utf-8", "surrogatepass")
    return raw


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.one_of(st.binary(max_size=300), envelopes()))
def test_fuzz_never_a_traceback(endpoint: SoapEndpoint, body: bytes) -> None:
    reply = endpoint.handle(body)
    assert reply.status in (200, 413, 500)
    root = etree.fromstring(reply.body)
    assert root.tag == f"{{{ENV}}}Envelope"
    if reply.status != 200:
        fault_of(reply.body)
