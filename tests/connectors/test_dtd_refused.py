"""Every XML reader in the connectors refuses a DTD whatever the document's encoding."""

from __future__ import annotations

import pytest
from tests.hostile_xml import DTD, IDS, PARAMS, encoded

from sfqb.codes import load_catalog
from sfqb.connectors.qbd.qbxml.incoming import QbxmlRequestError, read_message_set
from sfqb.connectors.qbd.qbxml.parse import QbxmlParseError, parse_response
from sfqb.connectors.qbd.webconnector.versions import VersionError, parse_host_response
from sfqb.connectors.qbo.faults import parse_fault

CATALOG = load_catalog()
QBXML_RS = (
    '<QBXML><QBXMLMsgsRs><CustomerQueryRs requestID="1" statusCode="0" '
    'statusSeverity="Info" statusMessage="Status OK"/></QBXMLMsgsRs></QBXML>'
)
QBXML_RQ = '<QBXML><QBXMLMsgsRq onError="stopOnError"><HostQueryRq/></QBXMLMsgsRq></QBXML>'
HOST_RS = (
    "<QBXML><QBXMLMsgsRs><HostQueryRs><HostRet><SupportedQBXMLVersion>13.0"
    "</SupportedQBXMLVersion></HostRet></HostQueryRs></QBXMLMsgsRs></QBXML>"
)
QBO_FAULT = (
    '<IntuitResponse xmlns="http://schema.intuit.com/finance/v3"><Fault type="ValidationFault">'
    '<Error code="6240"><Message>Duplicate Name Exists Error</Message></Error></Fault>'
    "</IntuitResponse>"
)
encodings = pytest.mark.parametrize(("codec", "bom"), PARAMS, ids=IDS)


@encodings
def test_qbxml_response_refuses_a_dtd(codec: str, bom: bytes) -> None:
    with pytest.raises(QbxmlParseError, match="DTD"):
        parse_response(encoded(DTD + QBXML_RS, codec, bom), CATALOG)
    assert parse_response(encoded(QBXML_RS, codec, bom), CATALOG).results


@encodings
def test_qbxml_request_refuses_a_dtd(codec: str, bom: bytes) -> None:
    with pytest.raises(QbxmlRequestError, match="DTD"):
        read_message_set(encoded(DTD + QBXML_RQ, codec, bom))
    assert read_message_set(encoded(QBXML_RQ, codec, bom)).requests


@encodings
def test_host_response_refuses_a_dtd(codec: str, bom: bytes) -> None:
    text = encoded(DTD + HOST_RS, codec, bom).decode(codec)  # the Web Connector hands us text
    with pytest.raises(VersionError, match="DTD"):
        parse_host_response(text)


@encodings
def test_qbo_xml_fault_with_a_dtd_is_not_read(codec: str, bom: bytes) -> None:
    assert parse_fault(encoded(DTD + QBO_FAULT, codec, bom), 400) is None
    fault = parse_fault(encoded(QBO_FAULT, codec, bom), 400)
    assert fault is not None and fault.errors[0].code == "6240"
