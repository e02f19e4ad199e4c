"""READ_DELETED and READ_PREFERENCES: the requests composed, and answers from a sandbox company."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from lxml import etree

from sfqb.codes import Catalog
from sfqb.connectors.qbd.operations import DirectDriver, compose
from sfqb.domain.status import System
from sfqb.sandbox.qbd import CompanyFile, SandboxSettings
from sfqb.sync.ops import QbAction, QbOp, QbRecord, QbResult


def rq(xml: str | None, request_id: str) -> etree._Element:
    assert xml is not None
    root = etree.fromstring(xml.encode())
    (found,) = [e for e in root.iter() if e.get("requestID") == request_id]
    return found


def one(driver: DirectDriver, op: QbOp) -> QbResult:
    (result,) = driver.execute([op])
    assert result.ok, result.status.message
    return result


def add(driver: DirectDriver, qb_type: str, fields: dict[str, Any]) -> QbRecord:
    (record,) = one(driver, QbOp("add", QbAction.ADD, qb_type, fields=fields)).records
    return record


def test_composed_requests(catalog: Catalog, schema_errors: Callable[[str], list[str]]) -> None:
    since = datetime(2024, 3, 1, 8, 30, tzinfo=UTC)
    ops = [
        QbOp("c", QbAction.READ_DELETED, "Customer", since=since),
        QbOp("i", QbAction.READ_DELETED, "Item"),
        QbOp("s", QbAction.READ_DELETED, "ItemService", ids=("80000001-1",)),
        QbOp("v", QbAction.READ_DELETED, "Invoice", since=since, ids=("1-1",)),
        QbOp("e", QbAction.READ_DELETED, "Estimate"),
        QbOp("p", QbAction.READ_PREFERENCES, "Preferences"),
        QbOp("a", QbAction.READ_LIST, "Account"),
    ]
    composed = compose(ops, "13.0", catalog=catalog)
    assert composed.refused == {}
    xml = composed.xml
    customer = rq(xml, "c")
    assert customer.tag == "ListDeletedQueryRq"
    assert [e.text for e in customer.findall("ListDelType")] == ["Customer"]
    assert customer.findtext("DeletedDateRangeFilter/FromDeletedDate") == (
        "2024-03-01T08:30:00+00:00"
    )
    items = rq(xml, "i")
    assert [e.text for e in items.findall("ListDelType")] == [
        "ItemService",
        "ItemNonInventory",
        "ItemInventory",
    ]
    assert items.find("DeletedDateRangeFilter") is None
    assert [e.text for e in rq(xml, "s").findall("ListDelType")] == ["ItemService"]
    assert rq(xml, "s").find("ListID") is None  # ids are applied to the answer, not sent
    invoice = rq(xml, "v")
    assert invoice.tag == "TxnDeletedQueryRq"
    assert [e.text for e in invoice.findall("TxnDelType")] == ["Invoice"]
    assert invoice.findtext("DeletedDateRangeFilter/FromDeletedDate") is not None
    assert rq(xml, "e").findtext("TxnDelType") == "Estimate"
    prefs = rq(xml, "p")
    assert prefs.tag == "PreferencesQueryRq" and len(prefs) == 0
    accounts = rq(xml, "a")
    assert accounts.tag == "AccountQueryRq" and accounts.findtext("ActiveStatus") == "ActiveOnly"
    assert xml is not None and schema_errors(xml) == []


def test_read_list_reads_the_chart_of_accounts(catalog: Catalog) -> None:
    company = CompanyFile(
        SandboxSettings(), lambda: datetime(2024, 3, 1, tzinfo=UTC), random.Random(0)
    )
    driver = DirectDriver(company.process, catalog)
    result = one(driver, QbOp("a", QbAction.READ_LIST, "Account"))
    accounts = {r.name: r.fields.get("AccountType") for r in result.records}
    assert accounts["Sales"] == "Income" and all(r.qb_type == "Account" for r in result.records)
    refused = compose([QbOp("x", QbAction.READ_LIST, "Vendor")], "13.0", catalog=catalog)
    assert refused.xml is None and "x" in refused.refused


@pytest.mark.parametrize("qb_type", ["Employee", "Account", "Preferences"])
def test_read_deleted_of_an_unsupported_type_is_refused(catalog: Catalog, qb_type: str) -> None:
    composed = compose([QbOp("x", QbAction.READ_DELETED, qb_type)], "13.0", catalog=catalog)
    assert composed.xml is None
    status = composed.refused["x"]
    assert (status.system, status.code) == (System.HRESULT, "0x80040400")
    assert qb_type in status.message and status.is_failure


def test_nothing_deleted_is_ok_with_no_records(driver: DirectDriver) -> None:
    listed, txns = driver.execute(
        [
            QbOp("l", QbAction.READ_DELETED, "Customer"),
            QbOp("t", QbAction.READ_DELETED, "Invoice"),
        ]
    )
    for result in (listed, txns):
        assert result.ok
        assert result.status.code == "1"
        assert result.records == ()


def test_deleted_customer_and_invoice_are_found(
    driver: DirectDriver,
    company: CompanyFile,
    clock: Any,
    sent: list[str],
    schema_errors: Callable[[str], list[str]],
) -> None:
    start = clock.now
    kept = add(driver, "Customer", {"Name": "Kept Ltd"})
    gone = add(driver, "Customer", {"Name": "Gone & Co"})
    item = add(driver, "ItemService", {"Name": "Hour", "SalesOrPurchase": {"Price": "10"}})
    line = {"ItemRef": {"ListID": item.id}, "Quantity": "1", "Rate": "10"}
    invoice_fields = {"CustomerRef": {"ListID": gone.id}, "RefNumber": "INV-9", "Lines": [line]}
    invoice = add(driver, "Invoice", invoice_fields)
    other = add(driver, "Invoice", {**invoice_fields, "CustomerRef": {"ListID": kept.id}})

    clock.advance(minutes=5)
    deleted_at = clock.now
    company.delete_as_user(invoice.id)  # first, so the customer is no longer used
    company.delete_as_user(gone.id)
    clock.advance(minutes=5)
    company.delete_as_user(other.id)

    customers = one(driver, QbOp("c", QbAction.READ_DELETED, "Customer", since=start))
    (customer,) = customers.records
    assert customer == QbRecord(
        qb_type="Customer",
        id=gone.id,
        time_modified=deleted_at,
        name="Gone & Co",
        fields={
            "ListDelType": "Customer",
            "ListID": gone.id,
            "TimeCreated": customer.fields["TimeCreated"],
            "TimeDeleted": deleted_at,
            "FullName": "Gone & Co",
        },
    )
    assert customer.fields["TimeCreated"] <= deleted_at

    invoices = one(driver, QbOp("i", QbAction.READ_DELETED, "Invoice"))
    assert [(r.id, r.qb_type) for r in invoices.records] == [
        (invoice.id, "Invoice"),
        (other.id, "Invoice"),
    ]
    first = invoices.records[0]
    assert first.name == "INV-9" and first.fields["RefNumber"] == "INV-9"
    assert first.fields["TxnID"] == invoice.id and first.fields["TxnDelType"] == "Invoice"
    assert first.time_modified == first.fields["TimeDeleted"] == deleted_at

    by_id, later, by_item = driver.execute(
        [
            QbOp("b", QbAction.READ_DELETED, "Invoice", ids=(other.id.lower(), "99-99")),
            QbOp("s", QbAction.READ_DELETED, "Invoice", since=deleted_at + timedelta(minutes=1)),
            QbOp("n", QbAction.READ_DELETED, "Item"),
        ]
    )
    assert [r.id for r in by_id.records] == [other.id]
    assert [r.id for r in later.records] == [other.id]
    assert by_item.ok and by_item.records == ()

    missed = one(driver, QbOp("m", QbAction.READ_DELETED, "Customer", ids=(kept.id,)))
    assert missed.records == ()  # deletions exist, none of them the one asked about
    assert sent and all(schema_errors(xml) == [] for xml in sent)


def test_deleted_item_keeps_its_own_type(driver: DirectDriver, company: CompanyFile) -> None:
    price = {"SalesOrPurchase": {"Price": "1"}}
    service = add(driver, "ItemService", {"Name": "Hour", **price})
    goods = add(driver, "ItemNonInventory", {"Name": "Widget", **price})
    company.delete_as_user(service.id)
    company.delete_as_user(goods.id)
    every, services = driver.execute(
        [
            QbOp("a", QbAction.READ_DELETED, "Item"),
            QbOp("s", QbAction.READ_DELETED, "ItemService"),
        ]
    )
    assert sorted((r.qb_type, r.name) for r in every.records) == [
        ("ItemNonInventory", "Widget"),
        ("ItemService", "Hour"),
    ]
    assert [(r.qb_type, r.id) for r in services.records] == [("ItemService", service.id)]


@pytest.mark.parametrize(
    ("multi_currency", "inventory", "home"),
    [(True, False, {"FullName": "US Dollar"}), (False, True, None)],
)
def test_preferences(
    catalog: Catalog,
    clock: Any,
    schema_errors: Callable[[str], list[str]],
    multi_currency: bool,
    inventory: bool,
    home: dict[str, str] | None,
) -> None:
    settings = SandboxSettings(multi_currency=multi_currency, inventory=inventory)
    company = CompanyFile(settings, clock, random.Random(0))
    sent: list[str] = []

    def process(xml: str) -> str:
        sent.append(xml)
        return company.process(xml)

    driver = DirectDriver(process, catalog)
    result = one(driver, QbOp("p", QbAction.READ_PREFERENCES, "Preferences"))
    assert result.records == (
        QbRecord(
            qb_type="Preferences",
            id="preferences",
            fields={
                "IsMultiCurrencyOn": multi_currency,
                "HomeCurrencyRef": home,
                "IsUsingInventory": inventory,
                "IsUsingEstimates": None,
                "IsUsingClassTracking": None,
                "ClosingDate": None,
            },
        ),
    )
    assert schema_errors(sent[0]) == []
