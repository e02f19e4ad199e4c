"""The lenient reading (issue 12): what a person pastes, read where its context names a system."""

from __future__ import annotations

import json

from sfqb.codes import load_catalog
from sfqb.codes.findings import Finding, find_statuses
from sfqb.domain.status import Category, Remedy, Severity

CATALOG = load_catalog()


def find(text: str) -> list[Finding]:
    return find_statuses(text, CATALOG, source="doc")


def codes(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.status.system.value, f.status.code) for f in findings]


def test_several_root_elements_are_read_not_refused() -> None:
    doc = (
        '<CustomerAddRs requestID="1" statusCode="3100" statusMessage="The name &quot;A&quot;'
        ' of the list element is already in use." />\n'
        '<InvoiceAddRs requestID="2" statusCode="0" statusSeverity="Info"'
        ' statusMessage="Status OK"/>'
    )
    found = find(doc)
    assert codes(found) == [("qbxml", "3100"), ("qbxml", "0")]
    assert found[0].status.details == {"name": "A"}
    assert found[0].location == "line 1, CustomerAddRs requestID=1"


def test_an_http_status_line_and_headers_before_a_json_body() -> None:
    doc = (
        "HTTP/1.1 400 Bad Request\nContent-Type: application/json\n\n"
        '[{"message":"Required fields are missing: [Name]","errorCode":"REQUIRED_FIELD_MISSING",'
        '"fields":["Name"]}]'
    )
    assert codes(find(doc)) == [("salesforce", "REQUIRED_FIELD_MISSING")]


def test_an_http_status_line_before_an_xml_fault() -> None:
    doc = (
        "HTTP/1.1 429 Too Many Requests\r\nintuit_tid: 1-abc\r\n\r\n"
        '<IntuitResponse><Fault type="SERVICE"><Error code="3001"><Message>'
        "message=ThrottleExceeded; errorCode=003001; statusCode=429</Message></Error></Fault>"
        "</IntuitResponse>"
    )
    (found,) = find(doc)
    assert codes([found]) == [("qbo", "3001")]
    assert found.status.category is Category.RATE_LIMIT and found.status.retryable


def test_free_statuscode_text_in_a_ruby_hash_about_qbo_is_not_qbxml() -> None:
    doc = (
        '[{:fault_type=>"AuthorizationFault", :error_code=>"120", :error_message=>"Authorization'
        ' Failure", :error_detail=>"AuthorizationFailure: Unknown Error, statusCode: 500"}]'
    )
    assert codes(find(doc)) == [("qbo", "120")]
    assert find("QBO said: AuthorizationFailure, statusCode: 500") == []


def test_javascript_object_literal_with_curly_quotes() -> None:
    doc = (
        "{ Message: \u2018Stale Object Error\u2019, Detail: \u2018x\u2019, code: \u20185010\u2019 }"
    )
    (found,) = find(doc)
    assert codes([found]) == [("qbo", "5010")]
    assert found.status.remedy is Remedy.REREAD_AND_REAPPLY


def test_soap_with_escaped_qbxml_that_is_cut_short() -> None:
    doc = (
        "<soap:Envelope><soap:Body><receiveResponseXML><response>&lt;?xml version=&quot;1.0&quot;"
        " ?&gt;&lt;QBXML&gt;&lt;QBXMLMsgsRs&gt;&lt;CustomerModRs requestID=&quot;4&quot;"
        " statusCode=&quot;3200&quot; statusMessage=&quot;The provided edit sequence"
    )
    assert codes(find(doc)) == [("qbxml", "3200")]


def test_oauth_error_bodies() -> None:
    (found,) = find('{"error":"invalid_grant","error_description":"expired access/refresh token"}')
    assert codes([found]) == [("salesforce", "INVALID_GRANT")]
    assert "expired access/refresh token" in found.status.meaning
    (client,) = find(
        '{"error":"invalid_client_id","error_description":"client identifier invalid"}'
    )
    assert codes([client]) == [("salesforce", "INVALID_CLIENT")] and client.status.known


def test_3180_in_use_is_a_lock_other_reasons_keep_their_reading() -> None:
    locked = (
        "There was an error when saving a Customer.  QuickBooks error message: This list has been"
        " modified by another user."
    )
    (found,) = find(f'<CustomerModRs statusCode="3180" statusMessage="{locked}"/>')
    assert found.status.category is Category.IN_USE and found.status.retryable
    assert found.status.remedy is Remedy.RETRY_NEXT_CYCLE
    limit = "There was an error when saving a Invoice.  QuickBooks error message: credit limit"
    (kept,) = find(f'<InvoiceAddRs statusCode="3180" statusMessage="{limit}"/>')
    assert not kept.status.retryable and kept.status.category is not Category.IN_USE


def test_a_severity_given_in_the_file_is_reported_as_given() -> None:
    doc = '<QBXML><QBXMLMsgsRs><CustomerQueryRs statusCode="1" statusSeverity="Warn"/>'
    doc += '<ItemQueryRs statusCode="3120" statusSeverity="Warning"/></QBXMLMsgsRs></QBXML>'
    unknown_word, warned = find(doc)
    assert unknown_word.status.severity is Severity.INFO  # "Warn" is no severity: the catalog's
    assert warned.status.severity is Severity.WARNING
    (logged,) = find('x <CustomerAddRs statusCode="0" statusSeverity="Error"/>')
    assert logged.status.severity is Severity.ERROR


def test_a_message_without_a_code_maps_by_its_template() -> None:
    (found,) = find("error: QuickBooks found an error when parsing the provided XML text stream.")
    assert codes([found]) == [("hresult", "0x80040400")]


def test_the_cause_on_the_next_line_is_kept_in_the_message() -> None:
    log = (
        "QBWC1012: Authentication failed due to following error message.\n"
        "The remote name could not be resolved: 'sfqb.example.com'\n"
    )
    (found,) = find(log)
    assert codes([found]) == [("qbwc", "QBWC1012")]
    assert "could not be resolved" in found.status.message
    (bare,) = find("Authentication failed due to following error message.\nThe operation timed out")
    assert codes([bare]) == [("qbwc", "QBWC1012")] and "timed out" in bare.status.message


def test_a_malformed_document_without_a_code_still_says_why() -> None:
    data = json.dumps({"a": 1})[:-1]
    try:
        find(data)
    except ValueError as exc:
        assert "malformed JSON" in str(exc)
    else:  # pragma: no cover - the assertion above is the test
        raise AssertionError("no error")
