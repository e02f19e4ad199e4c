"""The SOAP endpoint refuses an envelope with a DTD whatever its encoding (a soap:Client fault)."""

from __future__ import annotations

import pytest
from tests.hostile_xml import DTD, IDS, PARAMS, encoded

from sfqb.connectors.qbd.webconnector import SoapEndpoint, WebConnectorService

ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SERVER_VERSION = (
    f'<soap:Envelope xmlns:soap="{ENV}"><soap:Body>'
    '<serverVersion xmlns="http://developer.intuit.com/"/></soap:Body></soap:Envelope>'
)
encodings = pytest.mark.parametrize(("codec", "bom"), PARAMS, ids=IDS)


@encodings
def test_soap_refuses_a_dtd(codec: str, bom: bytes, service: WebConnectorService) -> None:
    reply = SoapEndpoint(service).handle(encoded(DTD + SERVER_VERSION, codec, bom))
    assert reply.status == 500
    assert b"soap:Client" in reply.body and b"DTD" in reply.body


@encodings
def test_soap_answers_the_same_call_without_a_dtd(
    codec: str, bom: bytes, service: WebConnectorService
) -> None:
    assert SoapEndpoint(service).handle(encoded(SERVER_VERSION, codec, bom)).status == 200
