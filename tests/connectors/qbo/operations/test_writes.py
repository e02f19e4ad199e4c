"""QboDriver's Adds and Mods: batches of at most 30, request ids, whole Line arrays, Faults."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from sfqb.connectors.qbo.api import BatchOperation, Fault, FaultError, QboFault
from sfqb.connectors.qbo.operations import QboDriver, request_id
from sfqb.domain.entities import QbKind, QbRef
from sfqb.sync.ops import QbAction, QbOp, QuickBooksUnavailable, ReplyLost


def add(n: int, name: str, attempt: str = "", **fields: Any) -> QbOp:
    return QbOp(
        f"op{n}", QbAction.ADD, "Customer", fields={"DisplayName": name, **fields}, attempt=attempt
    )


def line(qty: str, price: str, item: Any) -> dict[str, Any]:
    return {
        "DetailType": "SalesItemLineDetail",
        "Amount": Decimal(qty) * Decimal(price),
        "SalesItemLineDetail": {"ItemRef": item, "Qty": Decimal(qty), "UnitPrice": Decimal(price)},
    }


def test_an_add_is_a_batch_create_answered_with_its_record(driver: QboDriver, qbo: Any) -> None:
    [result] = driver.execute([add(1, "Acme", PrimaryPhone={"FreeFormNumber": "555"})])
    assert result.ok and result.op_id == "op1"
    [record] = result.records
    assert (record.qb_type, record.name, record.version) == ("Customer", "Acme", "0")
    assert record.time_modified is not None and record.time_modified.tzinfo is not None
    [(_, [item])] = qbo.batches
    assert item.operation is BatchOperation.CREATE and item.entity == "Customer"


def test_batches_carry_at_most_30_items_and_answers_keep_op_order(
    driver: QboDriver, qbo: Any
) -> None:
    ops = [add(n, f"Customer {n}") for n in range(65)]
    results = driver.execute(ops)
    assert [len(items) for _, items in qbo.batches] == [30, 30, 5]
    assert [r.op_id for r in results] == [op.op_id for op in ops]
    assert [r.records[0].name for r in results] == [f"Customer {n}" for n in range(65)]


def test_the_batch_size_cannot_pass_intuits_30(qbo: Any, catalog: Any) -> None:
    with pytest.raises(ValueError, match="1 to 30"):
        QboDriver(qbo, catalog, max_batch=31)


def test_a_retried_attempt_reuses_its_requestid_and_gets_the_original_answer(
    driver: QboDriver, qbo: Any
) -> None:
    ops = [add(1, "Acme", attempt="a1"), add(2, "Bolt", attempt="a2")]
    first = driver.execute(ops)
    again = driver.execute(list(reversed(ops)))  # same attempt, same request
    assert qbo.batches[0][0] == qbo.batches[1][0]
    assert [i.bid for i in qbo.batches[0][1]] == [i.bid for i in qbo.batches[1][1]]
    assert len(qbo.entities["Customer"]) == 2  # replayed, not created twice
    assert {r.records[0].id for r in first} == {r.records[0].id for r in again}


def test_a_changed_body_or_attempt_gets_a_new_requestid(driver: QboDriver, qbo: Any) -> None:
    driver.execute([add(1, "Acme", attempt="a1")])
    driver.execute([add(1, "Acme Ltd", attempt="a1")])
    driver.execute([add(1, "Acme Ltd", attempt="a2")])
    ids = [rid for rid, _ in qbo.batches]
    assert len(set(ids)) == 3 and all(len(rid) <= 36 for rid in ids)
    assert request_id(["x", "y"]) == request_id(["y", "x"])


def test_a_fault_answers_its_own_item_only(driver: QboDriver, qbo: Any) -> None:
    qbo.add("Customer", DisplayName="Taken")
    results = driver.execute([add(1, "Acme"), add(2, "Taken"), add(3, "Bolt")])
    assert [r.ok for r in results] == [True, False, True]
    assert results[1].status.code == "6240" and results[1].status.remedy.value == "bind_existing"


def test_a_fault_for_the_whole_batch_answers_every_op(catalog: Any, qbo: Any) -> None:
    def refuse(items: Any, rid: str, **_: Any) -> Any:
        raise QboFault(Fault("ValidationFault", (FaultError("6000", "Business Validation"),)))

    qbo.batch = refuse
    results = QboDriver(qbo, catalog).execute([add(1, "Acme"), add(2, "Bolt")])
    assert [r.status.code for r in results] == ["6000", "6000"]


def test_transport_trouble_propagates_to_the_runner(catalog: Any, qbo: Any) -> None:
    def lost(items: Any, rid: str, **_: Any) -> Any:
        raise ReplyLost("sent, no answer")

    qbo.batch = lost
    with pytest.raises(ReplyLost):
        QboDriver(qbo, catalog).execute([add(1, "Acme")])


def test_a_mod_is_a_sparse_update_with_the_sync_token(driver: QboDriver, qbo: Any) -> None:
    customer = qbo.add("Customer", DisplayName="Acme")
    op = QbOp(
        "m1", QbAction.MOD, "Customer", qb_id=customer["Id"], version="0",
        fields={"CompanyName": "Acme Inc"},
    )  # fmt: skip
    [result] = driver.execute([op])
    [(_, [item])] = qbo.batches
    assert item.operation is BatchOperation.UPDATE
    assert item.body == {"CompanyName": "Acme Inc", "Id": customer["Id"], "SyncToken": "0",
                         "sparse": True}  # fmt: skip
    assert result.ok and result.records[0].version == "1"
    [replayed] = driver.execute([op])  # the same attempt again: Intuit's original answer
    assert replayed.ok and replayed.records[0].version == "1"
    [stale] = driver.execute([replace(op, attempt="again")])  # a new attempt, old token: 5010
    assert stale.status.code == "5010" and stale.status.remedy.value == "reread_and_reapply"


def test_transaction_lines_go_whole_or_not_at_all(driver: QboDriver, qbo: Any) -> None:
    invoice = qbo.add("Invoice", DocNumber="1001")
    whole = [line("2", "10.5", {"ListID": "7"}), line("1", "3", QbRef(QbKind.ITEM, "8"))]
    ok = QbOp("m1", QbAction.MOD, "Invoice", qb_id=invoice["Id"], version="0",
              fields={"Line": whole})  # fmt: skip
    partial = QbOp("m2", QbAction.MOD, "Invoice", qb_id=invoice["Id"], version="0",
                   fields={"Line": [{"Amount": 3}]})  # fmt: skip
    results = driver.execute([ok, partial])
    assert results[0].ok
    assert not results[1].ok and results[1].status.code == "MAPPING_REFUSED"
    assert "whole" in results[1].status.message
    [(_, [item])] = qbo.batches  # the partial one was never sent
    sent = item.body["Line"]
    assert [entry["SalesItemLineDetail"]["ItemRef"] for entry in sent] == [
        {"value": "7"},
        {"value": "8"},
    ]
    assert sent[0]["Amount"] == 21 and sent[0]["SalesItemLineDetail"]["UnitPrice"] == 10.5


def test_named_references_are_looked_up_once(driver: QboDriver, qbo: Any) -> None:
    account = qbo.add("Account", Name="Sales", FullyQualifiedName="Sales", AccountType="Income")
    ops = [
        QbOp(f"i{n}", QbAction.ADD, "Item", fields={
            "Name": f"Widget {n}", "Type": "Service", "IncomeAccountRef": {"FullName": "Sales"}})
        for n in range(2)
    ]  # fmt: skip
    results = driver.execute(ops)
    assert all(r.ok for r in results)
    assert results[0].records[0].fields["IncomeAccountRef"]["value"] == account["Id"]
    assert sum("FROM Account" in q for q in qbo.queries) == 1
    missing = QbOp("i9", QbAction.ADD, "Item", fields={
        "Name": "Gadget", "IncomeAccountRef": {"FullName": "Nowhere"}})  # fmt: skip
    [refused] = driver.execute([missing])
    assert refused.status.code == "2500" and "Nowhere" in refused.status.message


def test_us_tax_codes_pass_as_they_are(driver: QboDriver, qbo: Any) -> None:
    entry = line("1", "5", {"value": "3"})
    entry["SalesItemLineDetail"]["TaxCodeRef"] = {"FullName": "Tax"}
    op = QbOp("a", QbAction.ADD, "Invoice", fields={"CustomerRef": {"ListID": "1"},
                                                     "Line": [entry]})  # fmt: skip
    [result] = driver.execute([op])
    detail = result.records[0].fields["Line"][0]["SalesItemLineDetail"]
    assert detail["TaxCodeRef"] == {"value": "TAX"}
    assert result.records[0].fields["CustomerRef"] == {"value": "1"}


def test_marker_ops_fail_clearly_and_are_never_sent(driver: QboDriver, qbo: Any) -> None:
    op = QbOp("k", QbAction.SET_MARKER, "Customer", qb_id="1", marker="001xx")
    [result] = driver.execute([op])
    assert not result.ok and result.status.code == "UNSUPPORTED_OPERATION"
    assert "no marker" in result.status.message and not qbo.batches


def test_a_subscription_that_ended_stops_the_company_not_one_record(
    driver: QboDriver, qbo: Any
) -> None:
    """6190 (the company's subscription ended; Intuit's error-code page): the catalog's remedy
    opens the connector circuit, so the driver answers as QuickBooks Online unavailable and
    the runner pauses the company with one alert, instead of failing every record."""
    qbo.faults["Acme"] = Fault("SystemFault", (FaultError("6190", "Invalid Company Status"),))
    with pytest.raises(QuickBooksUnavailable) as raised:
        driver.execute([add(1, "Acme"), add(2, "Bolt")])
    assert raised.value.status.code == "6190"
    qbo.faults.clear()
    assert all(r.ok for r in driver.execute([add(3, "Cole")]))


def test_6000_for_inventory_without_quantity_tracking_reads_as_a_feature_off(
    catalog: Any, qbo: Any
) -> None:
    """The Detail quoted in intuit/QuickBooks-V3-DotNET-SDK issue #10 decides 6000's reading:
    QuickBooks Desktop's 3250 (a feature off, held for the company); other 6000s stay generic."""
    detail = (
        "Business Validation Error: When you create an item, if Track quantity on hand is "
        "turned off, the item cannot be of type Inventory."
    )
    message = "A business validation error has occurred while processing your request"

    def refuse(items: Any, rid: str, **_: Any) -> Any:
        raise QboFault(Fault("ValidationFault", (FaultError("6000", message, detail, "Type"),)))

    qbo.batch = refuse
    item = QbOp("op1", QbAction.ADD, "Item", fields={"Name": "Bolts", "Type": "Inventory"})
    (result,) = QboDriver(qbo, catalog).execute([item])
    status = result.status
    assert (status.system.value, status.code) == ("qbo", "6000")
    assert (status.category.value, status.remedy.value) == ("feature_off", "preflight_block")
    assert status.actor.value == "quickbooks_admin" and "Track quantity on hand" in status.message
    other = catalog.decode(status.system, "6000", f"{message}: Business Validation Error: x")
    assert other.category.value == "validation"
