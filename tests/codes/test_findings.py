"""find_statuses finds and decodes every status in qbXML, QBO, Salesforce and QWCLog documents."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfqb.codes import load_catalog
from sfqb.codes.findings import (
    MAX_INPUT_BYTES,
    Finding,
    FindingsError,
    find_statuses,
    find_statuses_in_file,
)
from sfqb.domain.status import Category, Remedy, Severity, System

CATALOG = load_catalog()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

NAME_IN_USE = "The name &quot;Ridgeline Tool &amp; Die&quot; of the list element is already in use."
BAD_REFERENCE = (
    "There is an invalid reference to QuickBooks Customer &quot;Ridgeline Tool &amp; Die&quot;"
    " in the Invoice."
)
ACCEPTANCE = f"""<?xml version="1.0" ?>
<QBXML>
  <QBXMLMsgsRs>
    <CustomerAddRs requestID="7" statusCode="3100" statusSeverity="Error"
        statusMessage="{NAME_IN_USE}" />
    <InvoiceAddRs requestID="8" statusCode="3140" statusSeverity="Error"
        statusMessage="{BAD_REFERENCE}" />
  </QBXMLMsgsRs>
</QBXML>
"""


def find(data: str | bytes) -> list[Finding]:
    return find_statuses(data, CATALOG, source="doc")


def codes(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.status.system.value, f.status.code) for f in findings]


# -- qbXML -------------------------------------------------------------------------------------


def test_acceptance_two_findings_name_the_customer_and_the_missing_reference() -> None:
    added, invoiced = find(ACCEPTANCE)
    assert codes([added, invoiced]) == [("qbxml", "3100"), ("qbxml", "3140")]
    assert added.status.details == {"name": "Ridgeline Tool & Die"}
    assert "Ridgeline Tool & Die" in added.status.meaning
    assert added.location.startswith("CustomerAddRs requestID=7")
    assert invoiced.status.details["ref_type"] == "Customer"
    assert invoiced.status.details["ref_name"] == "Ridgeline Tool & Die"
    assert invoiced.status.details["txn_type"] == "Invoice"
    assert 'Customer "Ridgeline Tool & Die"' in invoiced.status.meaning
    assert invoiced.status.category is Category.BAD_REFERENCE
    assert invoiced.status.remedy is Remedy.SYNC_PARENT_FIRST
    assert "InvoiceAddRs requestID=8" in invoiced.location
    assert invoiced.location == "InvoiceAddRs requestID=8, line 7"  # where the tag ends


def test_example_response_set_decodes_every_rs_in_order() -> None:
    findings = find_statuses_in_file(EXAMPLES / "qbxml-response.xml", CATALOG)
    assert [f.status.code for f in findings] == ["3100", "3140", "3200", "1", "3170", "0"]
    assert all(f.status.system is System.QBXML for f in findings)
    assert all("requestID=sfqb-" in f.location and ", line " in f.location for f in findings)
    no_match = findings[3]
    assert no_match.status.severity is Severity.INFO and not no_match.status.is_failure


def test_text_quickbooks_appends_does_not_leak_into_a_placeholder() -> None:
    message = (
        'There is an invalid reference to QuickBooks Item "Freight" in the SalesReceipt.  '
        "QuickBooks error message: Invalid argument.  The specified record does not exist."
    )
    attribute = html.escape(message)
    doc = f'<QBXML><QBXMLMsgsRs><SalesReceiptAddRs statusCode="3140" statusMessage="{attribute}"/>'
    (found,) = find(doc + "</QBXMLMsgsRs></QBXML>")
    assert found.status.details == {
        "ref_type": "Item",
        "ref_name": "Freight",
        "txn_type": "SalesReceipt",
    }
    assert found.status.message == message


def test_qbxml_inside_a_soap_receive_response_envelope() -> None:
    findings = find_statuses_in_file(EXAMPLES / "qbwc-receive-response.xml", CATALOG)
    assert codes(findings) == [("qbxml", "3120"), ("qbxml", "0")]
    missing = findings[0]
    assert missing.status.details == {"object_id": "80000097-1702466012"}
    assert missing.location.startswith("receiveResponseXML/response, line 6 > CustomerModRs")


def test_hresult_in_a_soap_call() -> None:
    doc = """<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
      <connectionError xmlns="http://developer.intuit.com/"><ticket>t-1</ticket>
        <hresult>0x80040408</hresult><message>Could not start QuickBooks.</message>
      </connectionError></soap:Body></soap:Envelope>"""
    (found,) = find(doc)
    assert codes([found]) == [("hresult", "0x80040408")]
    assert found.status.message == "Could not start QuickBooks."
    assert found.location == "connectionError/hresult, line 3"


def test_xml_in_a_declared_single_byte_encoding() -> None:
    doc = (
        '<?xml version="1.0" encoding="windows-1252"?><QBXML><QBXMLMsgsRs>'
        '<CustomerAddRs statusCode="3100" statusMessage="The name &quot;Caf\xe9 Nord&quot; '
        'of the list element is already in use."/></QBXMLMsgsRs></QBXML>'
    ).encode("cp1252")
    (found,) = find(doc)
    assert found.status.details == {"name": "Caf\xe9 Nord"}


def test_utf16_with_bom_and_utf8_with_bom() -> None:
    utf16 = ACCEPTANCE.replace('version="1.0" ?', 'version="1.0" encoding="utf-16"?')
    assert codes(find(utf16.encode("utf-16"))) == [("qbxml", "3100"), ("qbxml", "3140")]
    assert len(find(b"\xef\xbb\xbf" + ACCEPTANCE.encode())) == 2


# -- QuickBooks Online ---------------------------------------------------------------------------


def test_qbo_fault_example_with_batch_ids_and_detail() -> None:
    duplicate, reference = find_statuses_in_file(EXAMPLES / "qbo-fault.json", CATALOG)
    assert codes([duplicate, reference]) == [("qbo", "6240"), ("qbo", "2500")]
    assert duplicate.location.startswith("$.BatchItemResponse[0].Fault.Error[0] (bId c-0042")
    assert duplicate.status.category is Category.DUPLICATE
    assert "Another customer, vendor or employee" in duplicate.detail
    assert "element Line.SalesItemLineDetail.ItemRef" in reference.location


def test_qbo_gateway_fault_in_lower_case() -> None:
    (found,) = find_statuses_in_file(EXAMPLES / "qbo-auth-fault.json", CATALOG)
    assert codes([found]) == [("qbo", "3200")]
    assert found.location == "$.fault.error[0] (type AUTHENTICATION)"
    assert "statusCode=401" in found.status.message
    assert found.detail.startswith("Token expired")


def test_qbo_fault_with_numeric_code_and_single_error_object() -> None:
    doc = {"Fault": {"Error": {"Message": "Duplicate Name Exists Error", "code": 6240}}}
    (found,) = find(json.dumps(doc))
    assert found.status.code == "6240" and found.status.known


def test_qbo_xml_fault_form_and_batch() -> None:
    doc = """<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="2024-03-01">
      <BatchItemResponse bId="b7">
        <Fault type="ValidationFault">
          <Error code="6240" element="DisplayName">
            <Message>Duplicate Name Exists Error</Message>
            <Detail>The name supplied already exists.</Detail>
          </Error>
        </Fault>
      </BatchItemResponse>
    </IntuitResponse>"""
    (found,) = find(doc)
    assert codes([found]) == [("qbo", "6240")]
    assert found.location == (
        "BatchItemResponse bId=b7 > Fault/Error type=ValidationFault element=DisplayName, line 4"
    )
    assert found.status.message == "Duplicate Name Exists Error"
    assert found.detail == "The name supplied already exists."


# -- Salesforce ----------------------------------------------------------------------------------


def test_salesforce_collection_results() -> None:
    findings = find_statuses_in_file(EXAMPLES / "salesforce-collection-errors.json", CATALOG)
    assert codes(findings) == [
        ("salesforce", "DUPLICATE_VALUE"),
        ("salesforce", "UNABLE_TO_LOCK_ROW"),
    ]
    duplicate, locked = findings
    assert duplicate.location == "$[0].errors[0]"
    assert duplicate.detail == "fields: QB_ListID__c"
    assert duplicate.status.details["record_id"] == "0015g00000QxR7T"
    assert locked.location == "$[2].errors[0] (id 0015g00000QxT9KAAV)"


def test_salesforce_error_array() -> None:
    doc = [{"message": "Account Name is required", "errorCode": "REQUIRED_FIELD_MISSING"}]
    (found,) = find(json.dumps(doc))
    assert codes([found]) == [("salesforce", "REQUIRED_FIELD_MISSING")]
    assert found.location == "$[0]" and found.status.message == "Account Name is required"


def test_salesforce_composite_response_uses_reference_ids_not_http_statuses() -> None:
    doc = {
        "compositeResponse": [
            {
                "body": [{"errorCode": "DUPLICATE_VALUE", "message": "dup", "fields": ["Id"]}],
                "httpHeaders": {},
                "httpStatusCode": 400,
                "referenceId": "newAccount",
            },
            {"body": {"id": "001x", "success": True}, "httpStatusCode": 201, "referenceId": "ok"},
        ],
        "results": [{"statusCode": 204, "result": None}],
    }
    (found,) = find(json.dumps(doc))
    assert found.location == "$.compositeResponse[0].body[0] (referenceId newAccount)"
    assert found.detail == "fields: Id"


def test_salesforce_soap_errors() -> None:
    doc = """<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
        xmlns="urn:partner.soap.sforce.com"><soapenv:Body><createResponse><result>
        <errors><fields>Name</fields><message>Required fields are missing: [Name]</message>
        <statusCode>REQUIRED_FIELD_MISSING</statusCode></errors><id/><success>false</success>
        </result></createResponse></soapenv:Body></soapenv:Envelope>"""
    (found,) = find(doc)
    assert codes([found]) == [("salesforce", "REQUIRED_FIELD_MISSING")]
    assert found.detail == "fields: Name"


# -- Web Connector log ---------------------------------------------------------------------------


def test_qwclog_example() -> None:
    findings = find_statuses_in_file(EXAMPLES / "QWCLog.txt", CATALOG)
    assert codes(findings) == [
        ("hresult", "0x80040408"),
        ("hresult", "0x80040408"),
        ("qbxml", "3260"),
        ("qbwc", "QBWC1039"),
    ]
    first, second, permission, qbwc = findings
    assert first.location == "line 5" and first.status.message == "Could not start QuickBooks."
    # hresult="..." then Message="..." on the next line
    assert second.location == "line 8" and second.status.message == "Could not start QuickBooks."
    assert permission.location.startswith("line 14, CustomerAddRs requestID=")
    assert permission.status.category is Category.PERMISSION
    assert qbwc.status.message == "Unique OwnerID/FileID pair value required"


def test_log_lines_in_other_shapes() -> None:
    log = "\n".join(
        [
            "[2024-03-01 08:00:00] INFO starting",
            "receiveResponseXML: &lt;ItemAddRs requestID=&quot;9&quot; statusCode=&quot;3100&quot;"
            " statusMessage=&quot;The name &amp;quot;Oar Lock&amp;quot; of the list element is"
            " already in use.&quot;/&gt;",
            "sfqb: request 12 statusCode=3260 statusMessage='Insufficient permission level'",
            "connectionError hresult=-2147220472",
            "nothing here 0x1234 and QBWC",
            "Error QBWC1085: QuickBooks was unable to write to the log file",
        ]
    )
    findings = find(log)
    assert codes(findings) == [
        ("qbxml", "3100"),
        ("qbxml", "3260"),
        ("hresult", "0x80040408"),
        ("qbwc", "QBWC1085"),
    ]
    assert findings[0].status.details == {"name": "Oar Lock"}
    assert findings[0].location == "line 2, ItemAddRs requestID=9"
    assert [f.location for f in findings[1:]] == ["line 3", "line 4", "line 6"]


def test_line_numbers_count_leading_blank_lines() -> None:
    (found,) = find(
        "\n\n" + ACCEPTANCE.split("<InvoiceAddRs", maxsplit=1)[0] + "</QBXMLMsgsRs></QBXML>"
    )
    assert found.location == "CustomerAddRs requestID=7, line 7"
    (logged,) = find("\n\nlater: QBWC1039 Unique OwnerID/FileID pair value required\n")
    assert logged.location == "line 3"


def test_text_without_statuses_gives_no_findings() -> None:
    assert find("just a note\nwith two lines") == []
    assert find('{"Customer": {"Id": "1"}}') == []
    assert find("<QBXML><QBXMLMsgsRq onError='stopOnError'/></QBXML>") == []


def test_finding_json_adds_location_and_detail() -> None:
    (found,) = find(json.dumps({"Fault": {"Error": [{"code": "6240", "Detail": "dup"}]}}))
    data = found.to_json()
    assert data["location"] == "$.Fault.Error[0]" and data["detail"] == "dup"
    assert data["system"] == "qbo" and data["code"] == "6240"


# -- bad input -----------------------------------------------------------------------------------

BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<QBXML><QBXMLMsgsRs><CustomerAddRs statusCode="0" statusMessage="&lol2;"/></QBXMLMsgsRs></QBXML>"""

BAD = {
    "empty": ("", "empty document"),
    "blank": (" \n\t ", "empty document"),
    "malformed xml": ("<QBXML><QBXMLMsgsRs></QBXML>", "malformed XML"),
    "malformed json": ('{"Fault": {"Error": [}', "malformed JSON at line 1"),
    "bomb": (BOMB, "DTD"),
    "undecodable": (b"\xfa\xfb status \x80\x81", "not utf-8 text"),
    "latin-1 log": (b"statusCode=3100 Caf\xe9", "not utf-8 text"),
    "binary": (b"statusCode=3100\x00\x00\x00", "binary data"),
    "lone surrogate": ("statusCode=1 \ud800", "not valid Unicode"),
    "deep json": ("[" * 100_000 + "]" * 100_000, "nested"),
    "nested json": ("[" * 70 + "]" * 70, "nested more than"),
    "deep xml": ("<a>" * 3000 + "</a>" * 3000, "malformed XML"),
    "bad status": ('<QBXML><X statusCode="abc"/></QBXML>', "X, line 1"),
    "fault without code": ('{"Fault": {"Error": [{"Message": "m"}]}}', "without a code"),
    "fault error not object": ('{"Fault": {"Error": ["x"]}}', "must be an object"),
    "bad embedded": ("<r><response>&lt;?xml version='1.0'?&gt;&lt;QBXML&gt;</response></r>", "XML"),
    "unknown encoding": (b'<?xml version="1.0" encoding="klingon"?><a/>', "unknown encoding"),
    "not a text encoding": (b'<?xml version="1.0" encoding="hex"?><a/>', "not a text encoding"),
    "too large": (b" " * (MAX_INPUT_BYTES + 1), "larger than"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_raises_findings_error_with_one_line(name: str) -> None:
    data, expected = BAD[name]
    with pytest.raises(FindingsError) as caught:
        find(data)
    text = str(caught.value)
    assert text.startswith("doc: ")
    assert expected.lower() in text.lower()
    assert "\n" not in text


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(FindingsError, match="no such file"):
        find_statuses_in_file(tmp_path / "absent.xml", CATALOG)
    with pytest.raises(FindingsError, match="is a directory"):
        find_statuses_in_file(tmp_path, CATALOG)


# -- property: anything in, findings or FindingsError out ----------------------------------------

PROPERTY = settings(
    max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
KEYS = st.sampled_from(
    ["Fault", "fault", "Error", "error", "code", "Message", "Detail", "errorCode", "statusCode",
     "message", "fields", "errors", "id", "bId", "referenceId", "type", "element"]
)  # fmt: skip
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=20,
)
FRAGMENTS = st.sampled_from(
    ["<", ">", "<QBXML>", "</QBXML>", '<CustomerAddRs statusCode="', '"/>', "&lt;", "&quot;",
     "<?xml version='1.0'?>", "statusCode=", "0x80040408", "QBWC", "hresult=", "\n", "{", "[",
     "<Error code='", "<hresult>", "</hresult>", "3100", "-2147220472", "<!DOCTYPE", "<![CDATA["]
)  # fmt: skip


def check(data: str | bytes) -> None:
    try:
        result = find(data)
    except FindingsError as exc:
        assert "\n" not in str(exc)
        return
    assert all(isinstance(f, Finding) for f in result)


@PROPERTY
@given(st.text())
def test_any_text_gives_findings_or_findings_error(text: str) -> None:
    check(text)


@PROPERTY
@given(st.binary())
def test_any_bytes_give_findings_or_findings_error(data: bytes) -> None:
    check(data)


@PROPERTY
@given(st.lists(st.one_of(FRAGMENTS, st.text(max_size=8)), max_size=25).map("".join))
def test_document_like_text_gives_findings_or_findings_error(text: str) -> None:
    check(text)


@PROPERTY
@given(JSON_VALUES)
def test_any_json_gives_findings_or_findings_error(value: object) -> None:
    check(json.dumps(value))
