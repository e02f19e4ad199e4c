"""Every status code of the protocol reference is in the catalog, each with usable text."""

from __future__ import annotations

import pytest

from sfqb.codes import load_catalog
from sfqb.codes.catalog import CodeEntry
from sfqb.domain.status import Category, Confidence, Remedy, Severity, System

CATALOG = load_catalog()

# The codes of protocols.md 1.1-1.4 (qbXML, QBXMLRP2 HRESULTs, Web Connector), 4.2 (QuickBooks
# Online faults and HTTP statuses) and 5.1 (Salesforce errorCodes and HTTP statuses).
PROTOCOL_CODES: dict[System, tuple[str, ...]] = {
    System.QBXML: (
        *("0", "1", "500", "501", "510", "530", "531", "540", "550", "560", "570", "600"),
        *("1000", "1010", "1030", "1060", "2000", "2010", "2020", "2030", "2040"),
        *("3000", "3010", "3020", "3030", "3031", "3035", "3040", "3070"),
        *("3100", "3120", "3140", "3150", "3170", "3171", "3175", "3176", "3180", "3200"),
        *("3210", "3220", "3231", "3250", "3260", "3261", "3262", "3263", "3264", "3270"),
        *("3290", "3500"),
    ),
    System.HRESULT: (
        *("0x80040400", "0x80040401", "0x80040402", "0x80040406", "0x80040408"),
        *("0x8004040A", "0x8004040D", "0x80040410", "0x80040414", "0x80040416"),
        *("0x80040417", "0x80040418", "0x8004041A", "0x8004041B", "0x8004041C"),
        *("0x8004041D", "0x8004041E", "0x8004041F", "0x80040420", "0x80040422"),
        *("0x80040423", "0x80040424", "0x80040427", "0x8004042A", "0x8004042C"),
    ),
    System.QBWC: ("QBWC1039", "QBWC1012", "QBWC1013", "QBWC1085"),
    System.QBO: (
        *("120", "500", "610", "2010", "2020", "2500", "3100", "3200", "5010"),
        *("6000", "6190", "6210", "6240"),
        *("http-400", "http-401", "http-403", "http-404", "http-429", "http-500", "http-503"),
    ),
    System.SALESFORCE: (
        *("DUPLICATE_VALUE", "DUPLICATES_DETECTED", "ENTITY_IS_DELETED", "UNABLE_TO_LOCK_ROW"),
        *("INVALID_CROSS_REFERENCE_KEY", "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY"),
        *("REQUIRED_FIELD_MISSING", "FIELD_CUSTOM_VALIDATION_EXCEPTION"),
        *("REQUEST_LIMIT_EXCEEDED", "INVALID_SESSION_ID", "EXCEEDED_ID_LIMIT"),
        *("STRING_TOO_LONG", "INVALID_FIELD", "MALFORMED_ID", "NOT_FOUND"),
        *("http-300", "http-400", "http-401", "http-403", "http-404", "http-405", "http-500"),
    ),
}

# Meanings protocols.md marks as not confirmed ([M], or no public meaning at all).
UNCONFIRMED: dict[System, tuple[str, ...]] = {
    System.QBXML: ("2000", "2010", "2020", "2030", "2040", "3175", "3176", "3210", "3231", "3270"),
    System.QBWC: ("QBWC1085",),
    System.QBO: ("2020",),
}

# The automatic actions that make sense for a code worth trying again.
RETRY_REMEDIES = {
    Remedy.RETRY_NEXT_CYCLE,
    Remedy.RESEND,
    Remedy.REFRESH_AUTH,
    Remedy.REREAD_AND_REAPPLY,
    Remedy.SHRINK_WINDOW,
    Remedy.OPEN_CIRCUIT,
}

# Remedies the design names for specific codes (DESIGN.md, issue 2).
DESIGNED_REMEDIES: dict[tuple[System, str], Remedy] = {
    (System.QBXML, "3170"): Remedy.RETRY_NEXT_CYCLE,
    (System.QBXML, "3175"): Remedy.RETRY_NEXT_CYCLE,
    (System.QBXML, "3176"): Remedy.RETRY_NEXT_CYCLE,
    (System.QBXML, "1010"): Remedy.RETRY_NEXT_CYCLE,
    (System.QBO, "http-429"): Remedy.RETRY_NEXT_CYCLE,
    (System.QBO, "http-500"): Remedy.RETRY_NEXT_CYCLE,
    (System.QBO, "http-503"): Remedy.RETRY_NEXT_CYCLE,
    (System.SALESFORCE, "UNABLE_TO_LOCK_ROW"): Remedy.RETRY_NEXT_CYCLE,
    (System.QBXML, "3140"): Remedy.SYNC_PARENT_FIRST,
    (System.QBO, "2500"): Remedy.SYNC_PARENT_FIRST,
    (System.QBXML, "3100"): Remedy.BIND_EXISTING,
    (System.QBO, "6240"): Remedy.BIND_EXISTING,
    (System.SALESFORCE, "DUPLICATE_VALUE"): Remedy.BIND_EXISTING,
    (System.QBXML, "3120"): Remedy.RECREATE_UNBOUND,
    (System.QBO, "610"): Remedy.RECREATE_UNBOUND,
    (System.SALESFORCE, "ENTITY_IS_DELETED"): Remedy.RECREATE_UNBOUND,
    (System.QBXML, "3200"): Remedy.REREAD_AND_REAPPLY,
    (System.QBO, "5010"): Remedy.REREAD_AND_REAPPLY,
    (System.HRESULT, "0x80040408"): Remedy.OPEN_CIRCUIT,
    (System.HRESULT, "0x80040414"): Remedy.OPEN_CIRCUIT,
    (System.HRESULT, "0x80040401"): Remedy.OPEN_CIRCUIT,
    (System.HRESULT, "0x80040416"): Remedy.OPEN_CIRCUIT,
    (System.HRESULT, "0x80040417"): Remedy.OPEN_CIRCUIT,
    (System.HRESULT, "0x80040424"): Remedy.OPEN_CIRCUIT,
    (System.QBO, "http-401"): Remedy.REFRESH_AUTH,
    (System.QBO, "3200"): Remedy.REFRESH_AUTH,
    (System.SALESFORCE, "http-401"): Remedy.REFRESH_AUTH,
    (System.SALESFORCE, "INVALID_SESSION_ID"): Remedy.REFRESH_AUTH,
    (System.SALESFORCE, "EXCEEDED_ID_LIMIT"): Remedy.SHRINK_WINDOW,
    (System.QBXML, "3231"): Remedy.RESEND,
}

ALL_CODES = [(system, code) for system, codes in PROTOCOL_CODES.items() for code in codes]
ENTRIES = sorted(CATALOG, key=lambda e: (e.system.value, e.code))


def _id(entry: CodeEntry) -> str:
    return f"{entry.system.value}:{entry.code}"


@pytest.mark.parametrize(("system", "code"), ALL_CODES, ids=[f"{s}:{c}" for s, c in ALL_CODES])
def test_every_protocol_code_is_known(system: System, code: str) -> None:
    status = CATALOG.decode(system, code)
    assert status.known, f"{system.value} {code} is not in the catalog"
    assert status.system is system


@pytest.mark.parametrize(
    ("system", "code"),
    [(s, c) for s, codes in UNCONFIRMED.items() for c in codes],
)
def test_unconfirmed_meanings_say_so(system: System, code: str) -> None:
    assert CATALOG.decode(system, code).confidence is Confidence.UNCONFIRMED


def test_3270_admits_its_meaning_is_unknown() -> None:
    meaning = CATALOG.decode(System.QBXML, "3270").meaning.lower()
    assert "no public source" in meaning


@pytest.mark.parametrize("entry", ENTRIES, ids=_id)
def test_retryable_codes_have_a_retry_remedy(entry: CodeEntry) -> None:
    if entry.retryable:
        assert entry.remedy in RETRY_REMEDIES
    if entry.remedy in (Remedy.RETRY_NEXT_CYCLE, Remedy.RESEND):
        assert entry.retryable


@pytest.mark.parametrize(("key", "remedy"), sorted(DESIGNED_REMEDIES.items()))
def test_designed_remedies(key: tuple[System, str], remedy: Remedy) -> None:
    status = CATALOG.decode(*key)
    assert status.remedy is remedy
    if remedy is Remedy.RETRY_NEXT_CYCLE:
        assert status.retryable


@pytest.mark.parametrize("entry", ENTRIES, ids=_id)
def test_every_entry_reads_well_without_a_message(entry: CodeEntry) -> None:
    status = entry.decode()
    assert status.meaning.strip()
    assert status.fix and all(step.strip() for step in status.fix)
    assert status.title.strip()
    for text in (status.title, status.meaning, *status.fix):
        assert "{" not in text and "}" not in text, f"unfilled placeholder in {text!r}"


@pytest.mark.parametrize("entry", ENTRIES, ids=_id)
def test_severity_matches_qbxml_ranges(entry: CodeEntry) -> None:
    if entry.system is not System.QBXML:
        return
    number = int(entry.code)
    if number < 500 or number == 600:
        assert entry.severity is Severity.INFO
    elif number < 1000:
        assert entry.severity is Severity.WARNING
    else:
        assert entry.severity is Severity.ERROR


def test_in_use_family_is_there() -> None:
    for code in ("3170", "3175", "3176"):
        status = CATALOG.decode(System.QBXML, code)
        assert status.category is Category.IN_USE
        assert status.retryable


def test_explain_3140_json_says_to_sync_the_parent_first() -> None:
    readings = [status.to_json() for status in CATALOG.interpret("3140")]
    assert len(readings) == 1
    reading = readings[0]
    assert reading["category"] == "bad_reference"
    assert reading["remedy"] == "sync_parent_first"
    fix = " ".join(reading["fix"]).lower()
    assert "sends the parent" in fix and "first" in fix
    assert "customer" in fix and "item" in fix
    assert "deleted" in fix and "inactive" in fix  # not only "not synced yet"


def test_qbo_gateway_codes_are_not_qbxml_codes() -> None:
    readings = {r.system: r for r in CATALOG.interpret("3200")}
    assert readings[System.QBXML].category is Category.CONFLICT
    assert readings[System.QBO].category is Category.AUTH
    assert readings[System.QBO].remedy is Remedy.REFRESH_AUTH
    assert all(r.applies_when for r in readings.values())
    assert CATALOG.decode(System.QBO, "3100").remedy is not Remedy.BIND_EXISTING


@pytest.mark.parametrize(
    ("code", "title"),
    [
        ("101", "Authorization error"),
        ("550", "Unsupported operation"),
        ("1500", "General error"),
        ("4000", "Validation error"),
        ("7000", "Business rule error"),
        ("10001", "Severe QuickBooks Online error"),
        ("http-418", "Request refused"),
        ("http-502", "QuickBooks Online server error"),
    ],
)
def test_unknown_qbo_codes_get_their_range(code: str, title: str) -> None:
    status = CATALOG.decode(System.QBO, code)
    assert not status.known
    assert status.title == title


def test_http_statuses_do_not_fall_into_fault_code_ranges() -> None:
    # HTTP 502 must not read as QBO's 500-599 "unsupported operation" fault range.
    status = CATALOG.decode(System.QBO, "http-502")
    assert status.retryable and status.remedy is Remedy.RETRY_NEXT_CYCLE
    salesforce = CATALOG.decode(System.SALESFORCE, "http-503")
    assert not salesforce.known and salesforce.remedy is Remedy.RETRY_NEXT_CYCLE
    assert not CATALOG.decode(System.QBXML, "http-500").known


def test_placeholders_fill_from_qbxml_messages() -> None:
    status = CATALOG.decode(
        System.QBXML, "3100", 'The name "Acme Corp" of the list element is already in use.'
    )
    assert "Acme Corp" in status.meaning
    assert any("Acme Corp" in step for step in status.fix)
    missing = CATALOG.decode(
        System.QBXML,
        "500",
        "The query request has not been fully completed. There was a required element "
        '("Keith Palmer") that could not be found in QuickBooks.',
    )
    assert missing.details == {"value": "Keith Palmer"}
    assert "Keith Palmer does not exist" in missing.meaning
