"""QboClient's calls against respx: paths, paging, minorversion, requestids, batch and CDC."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import respx

from sfqb.connectors.qbo.api import BatchItem, BatchOperation, Environment, QboApi, QboFault
from sfqb.connectors.qbo.client import QboClient, QboSettings, request_id
from sfqb.connectors.qbo.limits import Limits, RealmLimiter
from sfqb.sync.ops import ReplyLost

from .conftest import (
    BASE,
    CATALOG,
    NOW,
    PREFIX,
    REALM,
    FakeMeter,
    FakeTokens,
    Rig,
    SimClock,
    fixture,
    ok,
    sent_json,
)


def params(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(str(request.url)).query).items()}


def customers(first: int, count: int) -> dict[str, object]:
    rows = [{"Id": str(i), "DisplayName": f"C{i}"} for i in range(first, first + count)]
    return {"QueryResponse": {"Customer": rows, "startPosition": first, "maxResults": count}}


def test_query_pages_by_1000_until_a_short_page(rig: Rig) -> None:
    route = rig.mock.get("/query").mock(
        side_effect=[ok(customers(1, 1000)), ok(customers(1001, 1000)), ok(customers(2001, 3))]
    )
    found = rig.client.query("select * from Customer where Active = true")
    assert len(found) == 2003 and found[-1]["Id"] == "2003"
    queries = [params(call.request)["query"] for call in route.calls]
    assert queries == [
        f"select * from Customer where Active = true STARTPOSITION {start} MAXRESULTS 1000"
        for start in (1, 1001, 2001)
    ]
    assert rig.meter.reads == 3 and rig.meter.writes == 0


def test_query_with_its_own_paging_is_refused(rig: Rig) -> None:
    with pytest.raises(ValueError, match="STARTPOSITION"):
        rig.client.query("select * from Customer maxresults 10")


def test_an_empty_query_answer_is_an_empty_list(rig: Rig) -> None:
    rig.mock.get("/query").mock(return_value=ok({"QueryResponse": {}}))
    assert rig.client.query("select * from Customer") == []


def test_every_request_carries_minorversion_accept_and_the_token(rig: Rig) -> None:
    rig.mock.get("/query").mock(return_value=ok(customers(1, 1)))
    rig.mock.get("/customer/1").mock(return_value=ok({"Customer": {"Id": "1"}}))
    rig.mock.get("/preferences").mock(return_value=ok({"Preferences": {"Id": "1"}}))
    rig.mock.get(f"/companyinfo/{REALM}").mock(return_value=ok({"CompanyInfo": {"Id": "1"}}))
    rig.mock.post("/customer").mock(return_value=ok({"Customer": {"Id": "9"}}))
    rig.mock.post("/batch").mock(return_value=ok({"BatchItemResponse": [{"bId": "1"}]}))
    rig.mock.get("/cdc").mock(return_value=ok({"CDCResponse": []}))
    rig.client.query("select * from Customer")
    assert rig.client.read("Customer", "1") == {"Id": "1"}
    assert rig.client.preferences() == {"Id": "1"}
    assert rig.client.company_info() == {"Id": "1"}
    rig.client.create("Customer", {"DisplayName": "A"}, "r-1")
    rig.client.batch([BatchItem("1", query="select * from Item")], "r-2")
    rig.client.changes(["Customer"], NOW - timedelta(days=1))
    requests = [call.request for call in rig.mock.calls]
    assert len(requests) == 7
    for request in requests:
        assert params(request)["minorversion"] == "75"
        assert request.headers["Accept"] == "application/json"
        assert request.headers["Authorization"] == "Bearer token-1"
        assert request.url.path.startswith(PREFIX)


def test_the_client_is_a_qbo_api(rig: Rig) -> None:
    api: QboApi = rig.client  # checked by mypy: QboClient meets the driver's contract
    assert api is rig.client


def test_minor_versions_before_75_are_refused() -> None:
    with pytest.raises(ValueError, match="75 or later"):
        QboSettings(realm_id=REALM, minor_version=70)
    assert QboSettings(realm_id=REALM, minor_version=76).minor_version == 76


def test_explicit_base_url_for_sfqbs_own_sandbox() -> None:
    settings = QboSettings(realm_id=REALM, base_url="https://127.0.0.1:8443/", ca_file="ca.pem")
    assert settings.url == "https://127.0.0.1:8443"
    assert QboSettings(realm_id=REALM).url == "https://quickbooks.api.intuit.com"


def test_read_of_a_missing_record_raises_the_fault(rig: Rig) -> None:
    body = {"Fault": {"Error": [{"Message": "Object Not Found", "code": "610"}], "type": "x"}}
    rig.mock.get("/customer/404").mock(return_value=ok(body, 400))
    with pytest.raises(QboFault) as caught:
        rig.client.read("Customer", "404")
    assert caught.value.fault.errors[0].code == "610"
    assert caught.value.fault.http_status == 400


def test_a_fault_in_a_200_answer_is_still_a_fault(rig: Rig) -> None:
    rig.mock.post("/customer").mock(return_value=fixture("stale-object-5010.json", 200))
    with pytest.raises(QboFault) as caught:
        rig.client.update("Customer", {"Id": "1", "SyncToken": "0"}, "r-1")
    assert caught.value.fault.errors[0].code == "5010"


def test_writes_send_their_requestid_and_the_right_operation(rig: Rig) -> None:
    route = rig.mock.post("/customer").mock(return_value=ok({"Customer": {"Id": "1"}}))
    invoice = rig.mock.post("/invoice").mock(return_value=ok({"Invoice": {"Id": "5"}}))
    payment = rig.mock.post("/payment").mock(return_value=ok({"Payment": {"Id": "6"}}))
    rig.client.create("Customer", {"DisplayName": "A"}, "r-create")
    rig.client.update("Customer", {"Id": "1", "SyncToken": "3", "DisplayName": "B"}, "r-update")
    rig.client.delete("Invoice", {"Id": "5", "SyncToken": "1", "Line": []}, "r-delete")
    rig.client.void("Invoice", {"Id": "5", "SyncToken": "2"}, "r-void")
    rig.client.void("Payment", {"Id": "6", "SyncToken": "0"}, "r-void-2")
    create, update = (call.request for call in route.calls)
    assert params(create) == {"minorversion": "75", "requestid": "r-create"}
    assert sent_json(update) == {"Id": "1", "SyncToken": "3", "DisplayName": "B", "sparse": True}
    delete, void = (call.request for call in invoice.calls)
    assert params(delete)["operation"] == "delete" and params(delete)["requestid"] == "r-delete"
    assert sent_json(delete) == {"Id": "5", "SyncToken": "1"}
    assert params(void)["operation"] == "void"
    (void_payment,) = (call.request for call in payment.calls)
    assert params(void_payment)["operation"] == "update"
    assert params(void_payment)["include"] == "void"
    assert rig.meter.writes == 5 and rig.meter.reads == 0


def test_with_custom_fields_every_call_asks_for_their_values() -> None:
    # Intuit, "Get started with the Custom Fields API": values are read and written at
    # ...?include=enhancedAllCustomFields. A payment's void keeps its own include=void.
    clock, tokens, meter = SimClock(), FakeTokens(), FakeMeter()
    settings = QboSettings(realm_id=REALM, environment=Environment.SANDBOX, custom_fields=True)
    with respx.mock(base_url=BASE + PREFIX, assert_all_called=False) as mock:
        client = QboClient(
            settings, tokens=tokens, meter=meter, catalog=CATALOG,
            limiter=RealmLimiter(Limits(), clock=clock, sleep=clock.sleep), sleep=clock.sleep,
        )  # fmt: skip
        mock.get("/query").mock(return_value=ok(customers(1, 1)))
        mock.post("/batch").mock(return_value=ok({"BatchItemResponse": [{"bId": "1"}]}))
        payment = mock.post("/payment").mock(return_value=ok({"Payment": {"Id": "6"}}))
        client.query("select * from Customer")
        client.batch([BatchItem("1", query="select * from Item")], "r-2")
        client.void("Payment", {"Id": "6", "SyncToken": "0"}, "r-void")
        client.close()
        query, batch, void = (params(call.request) for call in mock.calls)
        assert payment.called
    assert query["include"] == batch["include"] == "enhancedAllCustomFields"
    assert void["include"] == "void"


def test_updates_need_id_and_synctoken(rig: Rig) -> None:
    with pytest.raises(ValueError, match="SyncToken"):
        rig.client.update("Customer", {"Id": "1"}, "r-1")
    with pytest.raises(ValueError, match="requestid"):
        rig.client.create("Customer", {"DisplayName": "A"}, "")
    assert not rig.mock.calls


def test_request_id_is_stable_for_one_attempt_and_body() -> None:
    body = {"DisplayName": "Acme", "BillAddr": {"City": "Oslo"}}
    same = {"BillAddr": {"City": "Oslo"}, "DisplayName": "Acme"}
    first = request_id("op-7:attempt-1", body)
    assert first == request_id("op-7:attempt-1", same)
    assert first != request_id("op-7:attempt-1", {**body, "DisplayName": "Acme (2)"})
    assert first != request_id("op-7:attempt-2", body)
    assert len(first) == 36


def test_batch_sends_items_and_matches_answers_by_bid(rig: Rig) -> None:
    answer = {
        "BatchItemResponse": [
            {"bId": "b", "Fault": {"Error": [{"Message": "Dup", "code": "6240"}]}},
            {"bId": "a", "Customer": {"Id": "9", "SyncToken": "0"}},
        ]
    }
    route = rig.mock.post("/batch").mock(return_value=ok(answer))
    items = [
        BatchItem("a", "Customer", BatchOperation.CREATE, {"DisplayName": "A"}),
        BatchItem("b", "Customer", BatchOperation.CREATE, {"DisplayName": "B"}),
    ]
    first, second = rig.client.batch(items, "batch-1")
    assert first.bid == "a" and first.entity == {"Id": "9", "SyncToken": "0"}
    assert second.bid == "b" and second.fault is not None
    assert second.fault.errors[0].code == "6240"
    request = route.calls.last.request
    assert params(request)["requestid"] == "batch-1"
    assert sent_json(request) == {
        "BatchItemRequest": [
            {"bId": "a", "operation": "create", "Customer": {"DisplayName": "A"}},
            {"bId": "b", "operation": "create", "Customer": {"DisplayName": "B"}},
        ]
    }
    assert rig.meter.writes == 1


def test_batch_of_more_than_30_items_is_refused(rig: Rig) -> None:
    items = [BatchItem(str(i), query="select * from Item") for i in range(31)]
    with pytest.raises(ValueError, match="at most 30"):
        rig.client.batch(items, "batch-1")
    with pytest.raises(ValueError, match="own bId"):
        rig.client.batch([BatchItem("1", query="q"), BatchItem("1", query="q")], "batch-1")
    assert not rig.mock.calls


def test_batch_answer_missing_an_item_is_a_lost_reply(rig: Rig) -> None:
    rig.mock.post("/batch").mock(return_value=ok({"BatchItemResponse": [{"bId": "a"}]}))
    items = [BatchItem("a", query="q1"), BatchItem("b", query="q2")]
    with pytest.raises(ReplyLost, match="bId b"):
        rig.client.batch(items, "batch-1")


def cdc(**entities: int) -> dict[str, object]:
    responses = [
        {name: [{"Id": str(i)} for i in range(count)], "startPosition": 1}
        for name, count in entities.items()
    ]
    return {"CDCResponse": [{"QueryResponse": responses}], "time": "2026-03-01T12:00:00Z"}


def test_changes_reads_cdc_per_entity(rig: Rig) -> None:
    route = rig.mock.get("/cdc").mock(return_value=ok(cdc(Customer=2, Invoice=1)))
    since = NOW - timedelta(days=3)
    changes = rig.client.changes(["Customer", "Invoice", "Item"], since)
    assert [len(changes.entities[n]) for n in ("Customer", "Invoice", "Item")] == [2, 1, 0]
    assert not changes.truncated
    sent = params(route.calls.last.request)
    assert sent["entities"] == "Customer,Invoice,Item"
    assert sent["changedSince"] == since.isoformat()


def test_changes_at_the_1000_cap_are_truncated(rig: Rig) -> None:
    rig.mock.get("/cdc").mock(side_effect=[ok(cdc(Customer=1000)), ok(cdc(Customer=600, Item=400))])
    assert rig.client.changes(["Customer"], NOW - timedelta(days=1)).truncated
    assert rig.client.changes(["Customer", "Item"], NOW - timedelta(days=1)).truncated


def test_changes_older_than_30_days_are_refused(rig: Rig) -> None:
    with pytest.raises(ValueError, match="30 days"):
        rig.client.changes(["Customer"], NOW - timedelta(days=30, seconds=1))
    with pytest.raises(ValueError, match="time zone"):
        rig.client.changes(["Customer"], NOW.replace(tzinfo=None))
    assert not rig.mock.calls
    rig.mock.get("/cdc").mock(return_value=ok(cdc(Customer=1)))
    assert not rig.client.changes(["Customer"], NOW - timedelta(days=30)).truncated


def test_when_the_minutes_batches_are_spent_items_go_one_by_one(rig: Rig) -> None:
    # Intuit: 40 batch requests a minute, 500 requests: the rest of the budget is not wasted.
    assert rig.limiter is not None
    for _ in range(40):
        rig.limiter.acquire(batch=True)

    def answer(request: httpx.Request) -> httpx.Response:
        # Items go at once, in any order: answer by what was sent.
        if "Id" in sent_json(request):
            return fixture("stale-object-5010.json", 400)
        return ok({"Customer": {"Id": "9", "SyncToken": "0", "DisplayName": "A"}})

    route = rig.mock.post("/customer").mock(side_effect=answer)
    batch = rig.mock.post("/batch")
    items = [
        BatchItem("a", "Customer", BatchOperation.CREATE, {"DisplayName": "A"}),
        BatchItem("b", "Customer", BatchOperation.UPDATE, {"Id": "7", "SyncToken": "1"}),
    ]
    first, second = rig.client.batch(items, "batch-1")
    assert not batch.called
    assert first.bid == "a" and first.entity is not None and first.entity["Id"] == "9"
    assert second.bid == "b" and second.fault is not None
    assert second.fault.errors[0].code == "5010"
    sent = {params(c.request)["requestid"]: sent_json(c.request) for c in route.calls}
    assert sent == {"batch-1-a": {"DisplayName": "A"}, "batch-1-b": {"Id": "7", "SyncToken": "1"}}
    assert rig.meter.writes == 2
