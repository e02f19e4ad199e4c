"""The shared XML parser refuses a DTD or entity declaration whatever the document's encoding."""

from __future__ import annotations

import pytest
from tests.hostile_xml import DTD, IDS, PARAMS, encoded

from sfqb.codes import load_catalog
from sfqb.codes.findings import FindingsError, find_statuses
from sfqb.codes.safexml import UnsafeXMLError, parse_xml

CATALOG = load_catalog()
QBXML_STATUS = (
    '<QBXML><QBXMLMsgsRs><CustomerQueryRs requestID="1" statusCode="3100" '
    'statusSeverity="Error" statusMessage="The name is in use."/></QBXMLMsgsRs></QBXML>'
)


@pytest.mark.parametrize(("codec", "bom"), PARAMS, ids=IDS)
def test_parse_xml_refuses_a_dtd_in_any_encoding(codec: str, bom: bytes) -> None:
    with pytest.raises(UnsafeXMLError, match="DTD"):
        parse_xml(encoded(f"{DTD}<r>&x;</r>", codec, bom))


@pytest.mark.parametrize(("codec", "bom"), PARAMS, ids=IDS)
def test_parse_xml_reads_the_same_document_without_a_dtd(codec: str, bom: bytes) -> None:
    root = parse_xml(encoded("<r>caf\u00e9</r>", codec, bom))
    assert root.text == "caf\u00e9"


def test_a_declared_single_byte_encoding_is_honoured() -> None:
    root = parse_xml('<?xml version="1.0" encoding="ISO-8859-1"?><r>caf\xe9</r>'.encode("latin-1"))
    assert root.text == "caf\u00e9"


def test_an_unknown_declared_encoding_is_refused() -> None:
    with pytest.raises(UnsafeXMLError, match="unknown encoding"):
        parse_xml(b'<?xml version="1.0" encoding="x-nothing"?><r/>')


@pytest.mark.parametrize(("codec", "bom"), PARAMS, ids=IDS)
def test_find_statuses_refuses_a_dtd_in_any_encoding(codec: str, bom: bytes) -> None:
    document = encoded(DTD + QBXML_STATUS, codec, bom)
    with pytest.raises(FindingsError, match="DTD"):
        find_statuses(document, CATALOG)


@pytest.mark.parametrize(("codec", "bom"), PARAMS, ids=IDS)
def test_find_statuses_reads_qbxml_in_any_encoding(codec: str, bom: bytes) -> None:
    findings = find_statuses(encoded(QBXML_STATUS, codec, bom), CATALOG)
    assert [f.status.code for f in findings] == ["3100"]
