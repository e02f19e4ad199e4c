"""Query, batch, CDC, requestid, minorversion, gateway faults, limits, OAuth and webhooks."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from tests.sandbox.qbo.conftest import REALM, Qbo, invoice_body, service_item

from sfqb.sandbox.qbo import QboSandbox, ReplyLost, sign
from sfqb.sandbox.salesforce.clock import ManualClock

BASIC = "Basic " + base64.b64encode(b"sfqb-demo-client:sfqb-demo-secret").decode()


def test_query_where_orderby_paging_and_count(qbo: Qbo) -> None:
    for name in ("Beta", "Alpha", "Gamma", "Alfred"):
        qbo.create("Customer", {"DisplayName": name})
    page = qbo.query(
        "SELECT * FROM Customer WHERE DisplayName LIKE 'Al%' ORDERBY DisplayName "
        "STARTPOSITION 1 MAXRESULTS 1"
    ).json()["QueryResponse"]
    assert [c["DisplayName"] for c in page["Customer"]] == ["Alfred"]
    assert page["startPosition"] == 1 and page["maxResults"] == 1
    count = qbo.query("select count(*) from Customer where Id in ('1', '2')").json()
    assert count["QueryResponse"]["totalCount"] == 2


def test_query_returns_only_active_names_unless_asked(qbo: Qbo) -> None:
    customer = qbo.create("Customer", {"DisplayName": "Old"})
    qbo.post("customer", {"Id": customer["Id"], "SyncToken": "0", "sparse": True, "Active": False})
    assert qbo.query("select * from Customer").json()["QueryResponse"] == {}
    found = qbo.query("select * from Customer where Active = false").json()["QueryResponse"]
    assert found["Customer"][0]["DisplayName"] == "Old"


def test_4000_query_parser_error_for_unknown_syntax(qbo: Qbo) -> None:
    response = qbo.query("select * from Customer where DisplayName = 'a' or Id = '1'")
    assert response.status_code == 400 and qbo.fault(response)["code"] == "4000"
    assert qbo.fault(qbo.query("delete from Customer"))["code"] == "4000"


def test_maxresults_over_1000_refused(qbo: Qbo) -> None:
    assert qbo.fault(qbo.query("select * from Customer maxresults 1001"))["code"] == "4001"


def test_minorversion_under_75_refused(qbo: Qbo) -> None:
    response = qbo.get("companyinfo/1", minorversion="74")
    assert response.status_code == 400 and qbo.fault(response)["element"] == "minorversion"


def test_batch_items_independent_and_at_most_30(qbo: Qbo) -> None:
    qbo.create("Customer", {"DisplayName": "Taken"})
    answer = qbo.post(
        "batch",
        {
            "BatchItemRequest": [
                {"bId": "a", "operation": "create", "Customer": {"DisplayName": "Fresh"}},
                {"bId": "b", "operation": "create", "Customer": {"DisplayName": "Taken"}},
                {"bId": "c", "Query": "select * from Customer where DisplayName = 'Fresh'"},
            ]
        },
    ).json()["BatchItemResponse"]
    assert answer[0]["Customer"]["DisplayName"] == "Fresh"
    assert answer[1]["Fault"]["Error"][0]["code"] == "6240"
    assert answer[2]["QueryResponse"]["Customer"][0]["DisplayName"] == "Fresh"
    items = [{"bId": str(i), "Query": "select * from Customer"} for i in range(31)]
    assert qbo.post("batch", {"BatchItemRequest": items}).status_code == 400


def test_requestid_replay_returns_original_response_without_redoing(
    qbo: Qbo, sandbox: QboSandbox
) -> None:
    first = qbo.post("customer", {"DisplayName": "Once"}, requestid="r-1")
    again = qbo.post("customer", {"DisplayName": "Different"}, requestid="r-1")
    assert again.status_code == first.status_code and again.content == first.content
    assert [c["DisplayName"] for c in sandbox.records("Customer")] == ["Once"]
    assert sandbox.calls[-1].replayed


def test_lost_reply_does_the_work_and_replay_answers_it(qbo: Qbo, sandbox: QboSandbox) -> None:
    sandbox.faults.lose_next_replies(1)
    with pytest.raises(ReplyLost):
        qbo.post("customer", {"DisplayName": "Lost"}, requestid="r-2")
    assert sandbox.counts()["Customer"] == 1
    replay = qbo.post("customer", {"DisplayName": "Lost"}, requestid="r-2")
    assert replay.status_code == 200 and replay.json()["Customer"]["DisplayName"] == "Lost"
    assert sandbox.counts()["Customer"] == 1


def test_injected_5xx_does_nothing(qbo: Qbo, sandbox: QboSandbox) -> None:
    sandbox.faults.fail_next(1, status=503)
    response = qbo.post("customer", {"DisplayName": "Nope"})
    assert response.status_code == 503 and sandbox.counts()["Customer"] == 0


def test_cdc_reports_changes_and_deletions(qbo: Qbo, clock: ManualClock) -> None:
    since = clock().isoformat()
    customer = qbo.create("Customer", {"DisplayName": "Acme"})
    item = service_item(qbo)
    invoice = qbo.create("Invoice", invoice_body(customer["Id"], item["Id"]))
    qbo.post("invoice", {"Id": invoice["Id"], "SyncToken": "0"}, operation="delete")
    answer = qbo.get("cdc", entities="Customer,Invoice", changedSince=since).json()
    by_entity = answer["CDCResponse"][0]["QueryResponse"]
    assert by_entity[0]["Customer"][0]["DisplayName"] == "Acme"
    assert by_entity[1]["Invoice"] == [
        {
            "domain": "QBO",
            "status": "Deleted",
            "Id": invoice["Id"],
            "MetaData": by_entity[1]["Invoice"][0]["MetaData"],
        }
    ]


def test_cdc_at_most_30_days_back(qbo: Qbo, clock: ManualClock) -> None:
    old = (clock() - timedelta(days=31)).isoformat()
    assert qbo.get("cdc", entities="Customer", changedSince=old).status_code == 400


def test_cdc_at_most_1000_objects_per_response(
    qbo: Qbo, sandbox: QboSandbox, clock: ManualClock
) -> None:
    since = clock().isoformat()
    for n in range(1001):
        sandbox.company.add("Customer", {"DisplayName": f"C{n}", "Active": True})
    answer = qbo.get("cdc", entities="Customer", changedSince=since).json()
    assert len(answer["CDCResponse"][0]["QueryResponse"][0]["Customer"]) == 1000


def test_gateway_401_lower_case_fault_for_expired_token(qbo: Qbo, sandbox: QboSandbox) -> None:
    sandbox.tokens.expire_access_tokens()
    response = qbo.get("companyinfo/1")
    assert response.status_code == 401
    assert response.json()["fault"]["error"][0]["code"] == "3200"
    assert response.json()["fault"]["type"] == "AUTHENTICATION"


def test_fault_in_xml_when_asked(qbo: Qbo) -> None:
    response = qbo.http.get(
        qbo.url("customer/5"), params={"minorversion": "75"}, headers={"Accept": "application/xml"}
    )
    assert response.headers["content-type"].startswith("application/xml")
    assert b'<Error code="610"' in response.content


def test_429_throttle_exceeded_over_10_per_second(qbo: Qbo, sandbox: QboSandbox) -> None:
    statuses = [qbo.get("companyinfo/1").status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
    last = qbo.get("companyinfo/1")
    assert b'<Error code="3001">' in last.content and b"ThrottleExceeded" in last.content
    assert sandbox.call_count(429) == 2


def test_500_per_minute_per_realm_shared_with_another_app(
    qbo: Qbo, sandbox: QboSandbox, clock: ManualClock
) -> None:
    sandbox.limits.share_with_other_app(495)
    statuses = []
    for _ in range(6):
        statuses.append(qbo.get("companyinfo/1").status_code)
        clock.advance(1)
    assert statuses == [200] * 5 + [429]
    clock.advance(61)
    assert qbo.get("companyinfo/1").status_code == 200


def test_at_most_10_concurrent_requests(qbo: Qbo, sandbox: QboSandbox) -> None:
    sandbox.limits.occupy("sfqb-demo-client", 10)
    assert qbo.get("companyinfo/1").status_code == 429


def test_40_batch_requests_per_minute(qbo: Qbo, clock: ManualClock) -> None:
    body = {"BatchItemRequest": [{"bId": "1", "Query": "select * from Account"}]}
    statuses = []
    for _ in range(41):
        statuses.append(qbo.post("batch", body).status_code)
        clock.advance(0.5)
    assert statuses[:40] == [200] * 40 and statuses[40] == 429


def test_oauth_refresh_rotates_and_refuses_the_old_token(http: httpx.Client) -> None:
    first = http.post(
        "/oauth2/v1/tokens/bearer",
        headers={"Authorization": BASIC},
        data={"grant_type": "refresh_token", "refresh_token": "demo-refresh"},
    )
    assert first.status_code == 200
    tokens = first.json()
    assert tokens["expires_in"] == 3600 and tokens["refresh_token"] != "demo-refresh"
    assert "x_refresh_token_expires_in" in tokens
    old = http.post(
        "/oauth2/v1/tokens/bearer",
        headers={"Authorization": BASIC},
        data={"grant_type": "refresh_token", "refresh_token": "demo-refresh"},
    )
    assert old.status_code == 400 and old.json() == {"error": "invalid_grant"}
    fresh = http.get(
        f"/v3/company/{REALM}/companyinfo/1",
        params={"minorversion": 75},
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert fresh.status_code == 200


def test_oauth_authorization_code_flow_end_to_end(http: httpx.Client) -> None:
    redirect = http.get(
        "/connect/oauth2",
        follow_redirects=False,
        params={
            "client_id": "sfqb-demo-client",
            "response_type": "code",
            "scope": "com.intuit.quickbooks.accounting",
            "redirect_uri": "https://sfqb.test/qbo/callback",
            "state": "xyz",
        },
    )
    assert redirect.status_code == 302
    query = parse_qs(urlsplit(redirect.headers["location"]).query)
    assert query["state"] == ["xyz"] and query["realmId"] == [REALM]
    tokens = http.post(
        "/oauth2/v1/tokens/bearer",
        headers={"Authorization": BASIC},
        data={
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "redirect_uri": "https://sfqb.test/qbo/callback",
        },
    )
    assert tokens.status_code == 200 and tokens.json()["access_token"]


def test_revoked_refresh_token_answers_invalid_grant(
    http: httpx.Client, sandbox: QboSandbox
) -> None:
    sandbox.tokens.revoke_refresh_tokens()
    answer = http.post(
        "/oauth2/v1/tokens/bearer",
        headers={"Authorization": BASIC},
        data={"grant_type": "refresh_token", "refresh_token": "demo-refresh"},
    )
    assert answer.json() == {"error": "invalid_grant"}


def test_webhook_legacy_payload_signed_with_verifier_token(qbo: Qbo, sandbox: QboSandbox) -> None:
    qbo.create("Customer", {"DisplayName": "Hooked"})
    assert sandbox.webhooks.flush() == 1
    _, body, headers = sandbox.sent[-1]  # type: ignore[attr-defined]
    assert headers["intuit-signature"] == sign("verifier", body)
    event = json.loads(body)["eventNotifications"][0]
    assert event["realmId"] == REALM
    assert event["dataChangeEvent"]["entities"][0]["operation"] == "Create"


def test_webhook_cloudevents_payload_and_merge(clock: ManualClock) -> None:
    from sfqb.sandbox.qbo import QboConfig

    sent: list[bytes] = []
    sandbox = QboSandbox(
        QboConfig(
            clock=clock,
            webhook_url="https://r.test/h",
            verifier_token="v",
            webhook_cloudevents=True,
        ),
        sender=lambda url, body, headers: sent.append(body) or 200,
    )
    books = sandbox.api.books
    keep = books.create("Customer", {"DisplayName": "Keep"})
    drop = books.create("Customer", {"DisplayName": "Drop"})
    sandbox.merge_customers(drop["Id"], keep["Id"])
    sandbox.webhooks.flush()
    events = json.loads(sent[-1])
    assert events[0]["type"] == "qbo.customer.created.v1"
    assert events[-1]["type"] == "qbo.customer.merged.v1"
    assert events[-1]["data"] == {"deletedId": drop["Id"]}
    assert events[-1]["intuitaccountid"] == sandbox.realm


def test_webhooks_switched_off_are_lost(qbo: Qbo, sandbox: QboSandbox) -> None:
    sandbox.admin({"action": "webhooks", "enabled": False})
    qbo.create("Customer", {"DisplayName": "Silent"})
    assert sandbox.webhooks.flush() == 0 and len(sandbox.webhooks.lost) == 1


def test_admin_endpoint_injects_faults(http: httpx.Client, qbo: Qbo) -> None:
    state = http.post("/admin", json={"action": "throttle", "count": 1}).json()
    assert state["counts"]["Account"] == 7
    assert qbo.get("companyinfo/1").status_code == 429
    assert http.post("/admin", json={"action": "nonsense"}).status_code == 400
