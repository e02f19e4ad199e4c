"""HTTP-shape tests: Salesforce's documented JSON payloads, served by `responses`, no sandbox."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from responses import matchers

from sfqb.codes import load_catalog
from sfqb.connectors.salesforce import (
    ApiSettings,
    ExistingSession,
    RecordUpdate,
    RefreshTokenAuth,
    SalesforceAuthError,
    SalesforceConnector,
    SalesforceLimitError,
    SalesforceTransportError,
    SalesforceWindowError,
    SfAccount,
    SfOpportunity,
)
from sfqb.domain.status import Category, System

CATALOG = load_catalog()
HOST = "na1.example.com"
BASE = f"https://{HOST}/services/data/v59.0"
SINCE = datetime(2024, 3, 1, 12, 0, 0, tzinfo=UTC)
NOW = datetime(2024, 3, 10, 12, 0, 0, tzinfo=UTC)


def acct(n: int, stamp: str, **fields: object) -> dict[str, object]:
    return {
        "attributes": {"type": "Account", "url": f"/services/data/v59.0/sobjects/Account/{n}"},
        "Id": f"001{n:012d}AAA",
        "SystemModstamp": stamp,
        "Name": f"Account {n}",
        **fields,
    }


def make(auth: object = None, **settings: object) -> SalesforceConnector:
    return SalesforceConnector(
        auth or ExistingSession(HOST, "SESSION"),  # type: ignore[arg-type]
        requests.Session(),
        CATALOG,
        settings=ApiSettings(**settings),  # type: ignore[arg-type]
        clock=lambda: NOW,
    )


def soql_of(call: responses.Call) -> str:
    return parse_qs(urlsplit(str(call.request.url)).query)["q"][0]


@responses.activate
def test_query_pages_through_next_records_url_and_dedupes_by_id() -> None:
    next_url = "/services/data/v59.0/query/01gD0000002HU6KIAW-2000"
    responses.get(
        f"{BASE}/query/",
        json={
            "totalSize": 3,
            "done": False,
            "nextRecordsUrl": next_url,
            "records": [
                acct(1, "2024-03-01T12:00:01.000+0000", Phone="555", Custom__c="x"),
                acct(2, "2024-03-01T12:00:02.000+0000", BillingCity="Montréal"),
            ],
        },
        headers={"Sforce-Limit-Info": "api-usage=18/5000"},
    )
    responses.get(
        f"https://{HOST}{next_url}",
        json={
            "totalSize": 3,
            "done": True,
            "records": [acct(1, "2024-03-01T12:00:05.250+0000", Name="Renamed")],
        },
        headers={"Sforce-Limit-Info": "api-usage=19/5000; per-app-api-usage=3/250(appName=sfqb)"},
    )
    connector = make()
    batch = connector.read_changes(SfAccount, SINCE, overlap=timedelta(seconds=30))

    assert [r.id for r in batch.records] == ["001000000000002AAA", "001000000000001AAA"]
    renamed = batch.records[1]
    assert isinstance(renamed, SfAccount)
    assert renamed.name == "Renamed"
    assert batch.records[0].billing_address.city == "Montréal"
    assert batch.high_water_mark == datetime(2024, 3, 1, 12, 0, 5, 250000, tzinfo=UTC)
    assert batch.pages == 2
    soql = soql_of(responses.calls[0])
    assert "FROM Account WHERE SystemModstamp > 2024-03-01T11:59:30.000Z" in soql
    assert soql.endswith("ORDER BY SystemModstamp, Id")
    assert "QuickBooks_ID__c" in soql
    assert responses.calls[0].request.headers["Sforce-Query-Options"] == "batchSize=500"
    assert responses.calls[0].request.headers["Authorization"] == "Bearer SESSION"
    usage = connector.api_usage
    assert usage is not None
    assert (usage.used, usage.total, usage.app_name, usage.app_used) == (19, 5000, "sfqb", 3)


@responses.activate
def test_extras_keep_unmapped_fields_read_only() -> None:
    responses.get(
        f"{BASE}/query/",
        json={"totalSize": 1, "done": True, "records": [acct(1, "2024-03-02T00:00:00.000+0000",
                                                             Rating__c={"a": [1]})]},
    )  # fmt: skip
    record = make().read_changes("Account", SINCE).records[0]
    assert record.get("Name") == "Account 1"
    assert record.get("Rating__c")["a"] == (1,)
    with pytest.raises(TypeError):
        record.extras["Rating__c"] = 2  # type: ignore[index]


@responses.activate
def test_no_change_keeps_the_checkpoint() -> None:
    responses.get(f"{BASE}/query/", json={"totalSize": 0, "done": True, "records": []})
    batch = make().read_changes(SfAccount, SINCE)
    assert batch.records == ()
    assert batch.high_water_mark == SINCE


@responses.activate
def test_opportunity_lines_come_through_the_subquery_and_its_pages() -> None:
    more = "/services/data/v59.0/query/01gLINES-2"

    def line(n: int, order: int) -> dict[str, object]:
        return {
            "attributes": {"type": "OpportunityLineItem"},
            "Id": f"00k{n:012d}AAA",
            "SystemModstamp": "2024-03-02T00:00:00.000+0000",
            "OpportunityId": "006000000000001AAA",
            "Quantity": 2,
            "UnitPrice": 19.99,
            "TotalPrice": 39.98,
            "SortOrder": order,
        }

    opp = {
        "attributes": {"type": "Opportunity"},
        "Id": "006000000000001AAA",
        "SystemModstamp": "2024-03-02T00:00:00.000+0000",
        "Name": "Big deal",
        "StageName": "Closed Won",
        "CloseDate": "2024-03-01",
        "Amount": 1234.5,
        "IsWon": True,
        "OpportunityLineItems": {
            "totalSize": 3,
            "done": False,
            "nextRecordsUrl": more,
            "records": [line(1, 2), line(2, 1)],
        },
    }
    responses.get(f"{BASE}/query/", json={"totalSize": 1, "done": True, "records": [opp]})
    responses.get(f"https://{HOST}{more}", json={"totalSize": 3, "done": True,
                                                 "records": [line(3, 3)]})  # fmt: skip
    batch = make().read_changes(SfOpportunity, SINCE)
    (deal,) = batch.records
    assert deal.amount == Decimal("1234.5")
    assert deal.close_date.isoformat() == "2024-03-01"  # type: ignore[union-attr]
    assert [ln.sort_order for ln in deal.lines] == [1, 2, 3]
    assert deal.lines[0].unit_price == Decimal("19.99")
    assert deal.lines[0].quantity == Decimal(2)
    assert "(SELECT Id, SystemModstamp, OpportunityId" in soql_of(responses.calls[0])
    assert "FROM OpportunityLineItems)" in soql_of(responses.calls[0])


@responses.activate
def test_collection_result_with_two_errors_on_one_record_keeps_both() -> None:
    body = [
        {"id": "001000000000001AAA", "success": True, "errors": []},
        {
            "success": False,
            "errors": [
                {
                    "statusCode": "DUPLICATE_VALUE",
                    "message": "duplicate value found: QuickBooks_ID__c duplicates value on "
                    "record with id: 001000000000009AAA",
                    "fields": ["QuickBooks_ID__c"],
                },
                {
                    "statusCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                    "message": "Phone must have 10 digits",
                    "fields": [],
                },
            ],
        },
    ]
    responses.patch(f"{BASE}/composite/sobjects", json=body)
    updates = [
        RecordUpdate("Account", "001000000000001AAA", {"QuickBooks_ID__c": "80000001-1"}),
        RecordUpdate("Account", "001000000000002AAA", {"QuickBooks_ID__c": "80000001-1"}),
    ]
    ok, failed = make().write_back(updates)

    assert ok.success and ok.statuses == ()
    assert not failed.success
    assert failed.record_id == "001000000000002AAA"
    assert [s.code for s in failed.statuses] == [
        "DUPLICATE_VALUE",
        "FIELD_CUSTOM_VALIDATION_EXCEPTION",
    ]
    duplicate = failed.statuses[0]
    assert duplicate.known and duplicate.category is Category.DUPLICATE
    assert "001000000000009AAA" in duplicate.meaning
    assert duplicate.details["fields"] == "QuickBooks_ID__c"
    sent = responses.calls[0].request
    assert sent.headers["Sforce-Call-Options"] == "client=sfqb"
    payload = json.loads(sent.body)  # type: ignore[arg-type]
    assert payload["allOrNone"] is False
    assert payload["records"][0] == {
        "attributes": {"type": "Account"},
        "Id": "001000000000001AAA",
        "QuickBooks_ID__c": "80000001-1",
    }


def _echo_success(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
    records = json.loads(request.body)["records"]  # type: ignore[arg-type]
    result = [{"id": r["Id"], "success": True, "errors": []} for r in records]
    return 200, {}, json.dumps(result)


@responses.activate
def test_450_updates_take_three_collection_calls() -> None:
    responses.add_callback(responses.PATCH, f"{BASE}/composite/sobjects", callback=_echo_success)
    updates = [
        RecordUpdate("Opportunity", f"006{n:012d}AAA", {"QuickBooks_Balance__c": Decimal("1.10")})
        for n in range(450)
    ]
    results = make().write_back(updates)
    assert len(responses.calls) == 3
    sizes = [len(json.loads(c.request.body)["records"]) for c in responses.calls]  # type: ignore[arg-type]
    assert sizes == [200, 200, 50]
    assert all(r.success for r in results)
    assert [r.index for r in results] == list(range(450))
    assert json.loads(responses.calls[0].request.body)["records"][0]["QuickBooks_Balance__c"] == 1.1  # type: ignore[arg-type]


@responses.activate
def test_a_failed_chunk_fails_its_records_and_the_rest_are_not_sent() -> None:
    responses.add_callback(responses.PATCH, f"{BASE}/composite/sobjects", callback=_echo_success)
    responses.patch(
        f"{BASE}/composite/sobjects",
        status=403,
        json=[{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "TotalRequests Limit exceeded."}],
    )
    updates = [RecordUpdate("Account", f"001{n:012d}AAA", {"Phone": "1"}) for n in range(5)]
    results = make(collection_size=2).write_back(updates)
    assert len(responses.calls) == 2
    assert [r.success for r in results] == [True, True, False, False, False]
    assert [r.attempted for r in results] == [True, True, True, True, False]
    assert results[4].statuses[0].code == "REQUEST_LIMIT_EXCEEDED"


@responses.activate
def test_upsert_by_external_id_reports_created_flags() -> None:
    url = f"{BASE}/composite/sobjects/Account/QuickBooks_ID__c"
    responses.patch(
        url,
        json=[
            {"id": "001000000000001AAA", "success": True, "errors": [], "created": True},
            {"id": "001000000000002AAA", "success": True, "errors": [], "created": False},
        ],
    )
    results = make().upsert(
        "Account", "QuickBooks_ID__c", [{"QuickBooks_ID__c": "A-1", "Name": "Acme & Co"},
                                        {"QuickBooks_ID__c": "A-2", "Name": "Émile: Ltd"}]
    )  # fmt: skip
    assert [(r.created, r.external_id) for r in results] == [(True, "A-1"), (False, "A-2")]
    body = json.loads(responses.calls[0].request.body)  # type: ignore[arg-type]
    assert body["records"][0]["attributes"] == {"type": "Account"}
    assert responses.calls[0].request.headers["Sforce-Call-Options"] == "client=sfqb"


def test_bad_write_input_is_refused_before_sending() -> None:
    connector = make()
    with pytest.raises(ValueError, match="QuickBooks_ID__c"):
        connector.upsert("Account", "QuickBooks_ID__c", [{"Name": "no key"}])
    with pytest.raises(ValueError, match="Id"):
        RecordUpdate("Account", "not-an-id", {"Phone": "1"})
    with pytest.raises(ValueError, match="field"):
        RecordUpdate("Account", "001000000000001AAA", {"Bad Name": "1"})


@responses.activate
def test_expired_session_is_refreshed_once_then_the_call_is_repeated() -> None:
    token_url = "https://login.example.com/services/oauth2/token"
    responses.post(token_url, json={"access_token": "T1", "instance_url": f"https://{HOST}"})
    responses.post(token_url, json={"access_token": "T2", "instance_url": f"https://{HOST}"})
    expired = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    responses.get(f"{BASE}/query/", status=401, json=expired)
    responses.get(f"{BASE}/query/", json={"totalSize": 0, "done": True, "records": []})
    auth = RefreshTokenAuth("client", "refresh-me", login_url="https://login.example.com")
    make(auth).read_changes(SfAccount, SINCE)

    urls = [(c.request.method, str(c.request.url).split("?")[0]) for c in responses.calls]
    assert urls == [
        ("POST", token_url),
        ("GET", f"{BASE}/query/"),
        ("POST", token_url),
        ("GET", f"{BASE}/query/"),
    ]
    assert responses.calls[3].request.headers["Authorization"] == "Bearer T2"
    assert "grant_type=refresh_token" in str(responses.calls[0].request.body)


@responses.activate
def test_a_second_401_is_reported_decoded_without_looping() -> None:
    token_url = "https://login.example.com/services/oauth2/token"
    responses.post(token_url, json={"access_token": "T", "instance_url": f"https://{HOST}"})
    expired = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    responses.get(f"{BASE}/query/", status=401, json=expired)
    auth = RefreshTokenAuth("client", "refresh-me", login_url="https://login.example.com")
    with pytest.raises(SalesforceAuthError) as caught:
        make(auth).read_changes(SfAccount, SINCE)
    assert len(responses.calls) == 4  # login, query, one refresh, query
    assert caught.value.codes == ("INVALID_SESSION_ID", "http-401")
    assert caught.value.http_status == 401


@responses.activate
def test_a_bare_session_is_not_refreshed() -> None:
    expired = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    responses.get(f"{BASE}/query/", status=401, json=expired)
    with pytest.raises(SalesforceAuthError) as caught:
        make().read_changes(SfAccount, SINCE)
    assert len(responses.calls) == 1
    assert caught.value.status.system is System.SALESFORCE


@responses.activate
def test_request_limit_exceeded_is_a_decoded_limit_error() -> None:
    responses.get(
        f"{BASE}/query/",
        status=403,
        json=[{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}],
    )
    with pytest.raises(SalesforceLimitError) as caught:
        make().read_changes(SfAccount, SINCE)
    error = caught.value
    assert error.codes == ("REQUEST_LIMIT_EXCEEDED", "http-403")
    assert error.statuses[0].message == "TotalRequests Limit exceeded."
    assert error.status.meaning and error.status.fix
    assert "REQUEST_LIMIT_EXCEEDED" in str(error) and "\n" not in str(error)


@responses.activate
def test_malformed_json_is_a_decoded_transport_error() -> None:
    responses.get(f"{BASE}/query/", body="{not json", content_type="application/json")
    with pytest.raises(SalesforceTransportError) as caught:
        make().read_changes(SfAccount, SINCE)
    status = caught.value.status
    assert (status.system, status.code) == (System.TRANSPORT, "MALFORMED_RESPONSE")
    assert status.known and status.meaning and status.fix
    assert HOST in status.message


@responses.activate
def test_json_of_the_wrong_shape_is_a_decoded_transport_error() -> None:
    responses.get(f"{BASE}/query/", json={"records": [{"Name": "no Id"}], "done": True})
    with pytest.raises(SalesforceTransportError) as caught:
        make().read_changes(SfAccount, SINCE)
    assert caught.value.status.code == "MALFORMED_RESPONSE"


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        (418, "I'm a teapot", "UNEXPECTED_STATUS"),
        (502, "<html>Bad gateway</html>", "MALFORMED_RESPONSE"),
    ],
)
@responses.activate
def test_unexpected_status_or_an_html_error_page_is_a_transport_error(
    status: int, body: str, code: str
) -> None:
    responses.get(f"{BASE}/query/", status=status, body=body)
    with pytest.raises(SalesforceTransportError) as caught:
        make().read_changes(SfAccount, SINCE)
    assert caught.value.codes == (code, f"http-{status}")
    assert caught.value.status.system is System.TRANSPORT


@responses.activate
def test_unreachable_salesforce_is_a_decoded_transport_error() -> None:
    responses.get(f"{BASE}/query/", body=requests.exceptions.ConnectionError("refused"))
    with pytest.raises(SalesforceTransportError) as caught:
        make().read_changes(SfAccount, SINCE)
    assert caught.value.status.code == "CONNECTOR_UNREACHABLE"
    assert caught.value.status.category is Category.CONNECTIVITY


@responses.activate
def test_get_deleted_reads_the_window() -> None:
    responses.get(
        f"{BASE}/sobjects/Account/deleted/",
        json={
            "deletedRecords": [
                {"id": "001000000000007AAA", "deletedDate": "2024-03-09T10:00:00.000+0000"}
            ],
            "earliestDateAvailable": "2024-02-24T00:00:00.000+0000",
            "latestDateCovered": "2024-03-10T11:59:00.000+0000",
        },
        match=[
            matchers.query_param_matcher(
                {"start": "2024-03-05T00:00:00+00:00", "end": "2024-03-10T12:00:00+00:00"}
            )
        ],
    )
    batch = make().read_deletions("Account", datetime(2024, 3, 5, tzinfo=UTC))
    assert [d.id for d in batch.deleted] == ["001000000000007AAA"]
    assert batch.latest_covered == datetime(2024, 3, 10, 11, 59, tzinfo=UTC)
    assert batch.clamped_from is None


def test_get_deleted_beyond_15_days_is_a_clear_error() -> None:
    with pytest.raises(SalesforceWindowError, match="15 days") as caught:
        make().read_deletions("Account", NOW - timedelta(days=20))
    assert caught.value.status.code == "INVALID_REPLICATION_DATE"


@responses.activate
def test_get_deleted_clamps_when_asked() -> None:
    responses.get(
        f"{BASE}/sobjects/Account/deleted/",
        json={"deletedRecords": [], "latestDateCovered": "2024-03-10T11:59:00.000+0000"},
    )
    start = NOW - timedelta(days=20)
    batch = make().read_deletions("Account", start, clamp=True)
    assert batch.clamped_from == start
    assert batch.start == NOW - timedelta(days=15)
    sent = parse_qs(urlsplit(str(responses.calls[0].request.url)).query)
    assert sent["start"] == ["2024-02-24T12:00:00+00:00"]


@responses.activate
def test_server_side_window_errors_are_decoded() -> None:
    responses.get(
        f"{BASE}/sobjects/Account/deleted/",
        status=400,
        json=[{"errorCode": "INVALID_REPLICATION_DATE", "message": "start date too old"}],
    )
    with pytest.raises(SalesforceWindowError) as caught:
        make().read_deletions("Account", NOW - timedelta(days=1))
    assert caught.value.codes == ("INVALID_REPLICATION_DATE", "http-400")
