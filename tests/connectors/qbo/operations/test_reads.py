"""QboDriver's reads: look-ups, Change Data Capture (and its truncation), deletions, lists."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sfqb.connectors.qbo.api import Fault, FaultError
from sfqb.connectors.qbo.operations import QboDriver
from sfqb.sync.ops import QbAction, QbOp


def changed(op_id: str, qb_type: str, since: datetime) -> QbOp:
    return QbOp(op_id, QbAction.READ_CHANGED, qb_type, since=since, limit=100)


def test_look_ups_by_name_use_each_entitys_name_field(driver: QboDriver, qbo: Any) -> None:
    qbo.add("Customer", DisplayName="O'Neil & Co")
    qbo.add("Item", Name="Widget", Type="Service")
    qbo.add("Invoice", DocNumber="1001")
    results = driver.execute([
        QbOp("c", QbAction.READ, "Customer", names=("O'Neil & Co", "Nobody")),
        QbOp("i", QbAction.READ, "ItemService", names=("Widget",)),
        QbOp("t", QbAction.READ, "Invoice", names=("1001",)),
    ])  # fmt: skip
    assert [[r.name for r in res.records] for res in results] == [
        ["O'Neil & Co"],
        ["Widget"],
        ["1001"],
    ]
    assert all(res.ok for res in results)
    assert (
        "DisplayName IN ('O\\'Neil & Co', 'Nobody') AND Active IN (true, false)" in qbo.queries[0]
    )
    assert "FROM Item WHERE Name IN ('Widget')" in qbo.queries[1]
    assert qbo.queries[2].endswith("FROM Invoice WHERE DocNumber IN ('1001')")


def test_look_ups_by_id_include_inactive_names(driver: QboDriver, qbo: Any) -> None:
    gone = qbo.add("Customer", DisplayName="Old", Active=False)
    [result] = driver.execute([QbOp("r", QbAction.READ, "Customer", ids=(gone["Id"],))])
    assert [r.id for r in result.records] == [gone["Id"]]
    assert result.records[0].fields["Active"] is False


def test_a_query_fault_answers_that_read(driver: QboDriver, qbo: Any) -> None:
    qbo.query_fault = Fault("ValidationFault", (FaultError("4000", "Error parsing query"),))
    [result] = driver.execute([QbOp("r", QbAction.READ, "Customer", names=("A",))])
    assert not result.ok and result.status.code == "4000"


def test_changes_come_from_one_cdc_call_without_deleted_objects(
    driver: QboDriver, qbo: Any, now: datetime
) -> None:
    qbo.add("Customer", DisplayName="Acme")
    qbo.add("Invoice", DocNumber="7", status="Deleted")
    payment = qbo.add("Payment", TotalAmt=5, Line=[
        {"Amount": 5, "LinkedTxn": [{"TxnId": "42", "TxnType": "Invoice"}]}])  # fmt: skip
    since = now - timedelta(days=2)
    ops = [
        changed(str(n), t, since) for n, t in enumerate(("Customer", "Item", "Invoice", "Payment"))
    ]
    results = driver.execute(ops)
    assert len(qbo.cdc_calls) == 1 and set(qbo.cdc_calls[0][0]) == {
        "Customer", "Item", "Invoice", "Payment"
    }  # fmt: skip
    assert [[r.qb_type for r in res.records] for res in results] == [
        ["Customer"],
        [],
        [],
        ["Payment"],
    ]
    record = results[3].records[0]
    assert record.id == payment["Id"] and record.fields["AppliedToTxn"] == [
        {"TxnID": "42", "TxnType": "Invoice", "Amount": 5}
    ]
    assert all(res.ok and res.cursor is None and res.remaining == 0 for res in results)


def test_a_truncated_cdc_answer_is_read_again_by_a_complete_query(
    driver: QboDriver, qbo: Any, now: datetime
) -> None:
    qbo.cdc_cap = 3
    for n in range(4):
        qbo.add("Customer", DisplayName=f"C{n}")
    qbo.add("Invoice", DocNumber="9")
    since = now - timedelta(days=2)
    results = driver.execute([changed("c", "Customer", since), changed("i", "Invoice", since)])
    assert [len(r.records) for r in results] == [4, 1]  # all of them, not the capped three
    assert all(r.ok for r in results)
    assert any("Metadata.LastUpdatedTime >= '2025-05-30T12:00:00Z'" in q for q in qbo.queries)
    assert all("ORDERBY Metadata.LastUpdatedTime" in q for q in qbo.queries)


def test_when_the_narrower_read_fails_the_op_fails_so_the_checkpoint_stays(
    driver: QboDriver, qbo: Any, now: datetime
) -> None:
    qbo.cdc_cap = 1
    qbo.add("Customer", DisplayName="A")
    qbo.add("Customer", DisplayName="B")
    qbo.query_fault = Fault("SystemFault", (FaultError("10000", "An application error"),))
    [result] = driver.execute([changed("c", "Customer", now - timedelta(days=2))])
    assert not result.ok and result.status.retryable


def test_a_since_beyond_30_days_is_read_from_the_window_start(
    driver: QboDriver, qbo: Any, now: datetime
) -> None:
    driver.execute([changed("c", "Customer", (now - timedelta(days=90)).replace(tzinfo=None))])
    [(_, since)] = qbo.cdc_calls
    assert now - timedelta(days=30) < since < now - timedelta(days=29)


def test_deletions_are_cdc_deleted_objects_narrowed_to_the_ops_ids(
    driver: QboDriver, qbo: Any, now: datetime
) -> None:
    gone = qbo.add("Invoice", status="Deleted")
    qbo.add("Invoice", status="Deleted")
    qbo.add("Invoice", DocNumber="live")
    op = QbOp("d", QbAction.READ_DELETED, "Invoice", ids=(gone["Id"],),
              since=now - timedelta(days=3), until=now)  # fmt: skip
    [result] = driver.execute([op])
    assert result.ok and [r.id for r in result.records] == [gone["Id"]]


def test_full_deletions_are_narrowed_by_entity_then_reported(
    driver: QboDriver, qbo: Any, now: datetime
) -> None:
    qbo.cdc_cap = 2
    for _ in range(2):
        qbo.add("Invoice", status="Deleted")
    qbo.add("Estimate", status="Deleted")
    since = now - timedelta(days=3)
    ops = [
        QbOp("i", QbAction.READ_DELETED, "Invoice", ids=("1",), since=since),
        QbOp("e", QbAction.READ_DELETED, "Estimate", ids=("1",), since=since),
    ]
    results = driver.execute(ops)
    assert [c[0] for c in qbo.cdc_calls] == [("Estimate", "Invoice"), ("Estimate",), ("Invoice",)]
    assert results[1].ok
    assert not results[0].ok and results[0].status.code == "CHANGES_TRUNCATED"
    assert results[0].status.remedy.value == "shrink_window"


def test_preferences_are_named_as_the_preflight_reads_them(driver: QboDriver) -> None:
    [result] = driver.execute([QbOp("p", QbAction.READ_PREFERENCES, "Preferences")])
    fields = result.records[0].fields
    assert (fields["IsUsingInventory"], fields["IsMultiCurrencyOn"]) == (False, False)
    assert (fields["AutomatedSalesTax"], fields["Country"]) == (True, "US")


def test_the_chart_of_accounts_reads_as_the_preflight_compares_it(
    driver: QboDriver, qbo: Any
) -> None:
    qbo.add("Account", Name="Interest", FullyQualifiedName="Other:Interest",
            AccountType="Other Income")  # fmt: skip
    qbo.add("Account", Name="Closed", AccountType="Income", Active=False)
    [result] = driver.execute([QbOp("a", QbAction.READ_LIST, "Account")])
    [account] = result.records
    assert (account.fields["FullName"], account.fields["AccountType"]) == (
        "Other:Interest", "OtherIncome"
    )  # fmt: skip
