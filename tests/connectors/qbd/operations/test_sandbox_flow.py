"""QbOps against a real sandbox company: add, read, modify, markers, invoices and payments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sfqb.connectors.qbd.operations import DirectDriver
from sfqb.domain.entities import SfObject, SfRef
from sfqb.sandbox.qbd import CompanyFile
from sfqb.sync.ops import QbAction, QbOp, QbRecord, QbResult

AWKWARD = "Müller & Söhne <Café>"
ACCOUNT = SfRef(SfObject.ACCOUNT, "001000000000001AAA")
OPPORTUNITY = SfRef(SfObject.OPPORTUNITY, "006000000000001AAA")
ADDRESS = {
    "Addr1": "Königstraße 12",
    "Addr2": "Hinterhaus",
    "City": "München",
    "State": "BY",
    "PostalCode": "80331",
    "Country": "Germany",
}


def one(driver: DirectDriver, op: QbOp) -> QbResult:
    (result,) = driver.execute([op])
    assert result.op_id == op.op_id
    return result


def only(result: QbResult) -> QbRecord:
    assert result.ok, result.status.message
    (record,) = result.records
    return record


def add_customer(driver: DirectDriver, name: str = AWKWARD) -> QbRecord:
    fields = {
        "Name": name,
        "CompanyName": "Müller & Söhne GmbH",
        "AccountNumber": "A-100",
        "Phone": "+49 89 123456",
        "Fax": "+49 89 123457",
        "Email": "info@mueller.example",
        "BillAddress": ADDRESS,
        "ShipAddress": {**ADDRESS, "Addr2": None},
    }
    op = QbOp("c1", QbAction.ADD, "Customer", sf=ACCOUNT, fields=fields)
    return only(one(driver, op))


def add_items(driver: DirectDriver) -> tuple[QbRecord, QbRecord]:
    service = QbOp(
        "i1",
        QbAction.ADD,
        "ItemService",
        fields={
            "Name": "Consulting & Design",
            "IsActive": True,
            "SalesOrPurchase": {
                "Desc": "Hourly consulting",
                "Price": Decimal("150.00"),
                "AccountRef": {"FullName": "Sales"},
            },
        },
    )
    goods = QbOp(
        "i2",
        QbAction.ADD,
        "ItemNonInventory",
        fields={
            "Name": "Widget",
            "ManufacturerPartNumber": "W-1",
            "SalesOrPurchase": {"Desc": "A widget", "Price": "12.5"},
        },
    )
    a, b = driver.execute([service, goods])
    return only(a), only(b)


def invoice_fields(customer: QbRecord, items: tuple[QbRecord, QbRecord]) -> dict[str, Any]:
    return {
        "CustomerRef": {"ListID": customer.id},
        "TxnDate": "2024-03-01",
        "Memo": "Big deal – phase 1",
        "PONumber": "PO-7",
        "Lines": [
            {
                "ItemRef": {"ListID": items[0].id},
                "Desc": "Design work",
                "Quantity": Decimal("10"),
                "Rate": Decimal("150"),
            },
            {"ItemRef": {"ListID": items[1].id}, "Quantity": "4", "Rate": "12.5"},
        ],
    }


def test_customer_add_read_by_id_and_name_then_mod(driver: DirectDriver) -> None:
    added = add_customer(driver)
    assert added.qb_type == "Customer"
    assert added.name == AWKWARD
    assert added.version
    assert added.fields["CompanyName"] == "Müller & Söhne GmbH"
    assert added.fields["AccountNumber"] == "A-100"

    by_id = only(one(driver, QbOp("r1", QbAction.READ, "Customer", ids=(added.id,))))
    by_name = only(one(driver, QbOp("r2", QbAction.READ, "Customer", names=(AWKWARD,))))
    assert by_id.id == by_name.id == added.id
    assert by_name.fields["Name"] == AWKWARD

    mod = QbOp(
        "m1",
        QbAction.MOD,
        "Customer",
        qb_id=added.id,
        version=added.version,
        fields={"Phone": "555-0100", "BillAddress": {"City": "Berlin"}},
    )
    changed = only(one(driver, mod))
    assert changed.fields["Phone"] == "555-0100"
    assert changed.version != added.version

    stale = one(driver, mod)  # the old EditSequence again
    assert not stale.ok
    assert stale.status.code == "3200"


def test_read_changed_returns_marker_after_set_marker(driver: DirectDriver, clock: Any) -> None:
    since = clock.now - timedelta(seconds=1)
    added = add_customer(driver)
    clock.advance(minutes=1)
    define, mark = driver.execute(
        [
            QbOp("d", QbAction.DEFINE_MARKER, "Customer"),
            QbOp("s", QbAction.SET_MARKER, "Customer", qb_id=added.id, marker=ACCOUNT.id),
        ]
    )
    assert define.ok and mark.ok
    assert mark.records == ()

    changed = one(driver, QbOp("rc", QbAction.READ_CHANGED, "Customer", since=since))
    (record,) = [r for r in changed.records if r.id == added.id]
    assert record.marker == ACCOUNT.id
    assert record.time_modified is not None

    again = one(driver, QbOp("d2", QbAction.DEFINE_MARKER, "Customer"))
    assert not again.ok
    assert again.status.code == "3100"  # already defined: the engine treats it as done

    later = one(driver, QbOp("rc2", QbAction.READ_CHANGED, "Customer", since=clock.advance(days=1)))
    assert later.ok
    assert later.records == ()


def test_items_invoice_mod_lines_and_payment(
    driver: DirectDriver, company: CompanyFile, clock: Any
) -> None:
    since = clock.now - timedelta(seconds=1)
    customer = add_customer(driver)
    items = add_items(driver)
    assert items[0].qb_type == "ItemService"
    assert items[1].qb_type == "ItemNonInventory"
    assert items[0].fields["SalesOrPurchase"]["Price"] == Decimal("150")

    add = QbOp(
        "inv", QbAction.ADD, "Invoice", sf=OPPORTUNITY, fields=invoice_fields(customer, items)
    )
    invoice = only(one(driver, add))
    assert invoice.qb_type == "Invoice"
    assert invoice.marker == OPPORTUNITY.id
    assert invoice.fields["Memo"] == "Big deal - phase 1"
    assert invoice.fields["TxnDate"] == date(2024, 3, 1)
    assert invoice.fields["CustomerRef"]["ListID"] == customer.id
    assert invoice.fields["Subtotal"] == Decimal("1550")
    lines = invoice.fields["Lines"]
    assert [line["ItemRef"]["ListID"] for line in lines] == [items[0].id, items[1].id]
    assert lines[1]["Amount"] == Decimal("50")

    new_lines = [{"ItemRef": {"ListID": items[1].id}, "Quantity": 2, "Rate": "12.5"}]
    mod = QbOp(
        "inv-mod",
        QbAction.MOD,
        "Invoice",
        sf=OPPORTUNITY,
        qb_id=invoice.id,
        version=invoice.version,
        fields={"Memo": "Big deal", "Lines": new_lines},
    )
    modded = only(one(driver, mod))
    assert len(modded.fields["Lines"]) == 1
    assert modded.fields["Subtotal"] == Decimal("25")
    assert modded.fields["Memo"] == "Big deal"
    assert modded.marker == OPPORTUNITY.id

    clock.advance(minutes=5)
    company.receive_payment(customer.id, Decimal("10"), invoice.id)
    read_inv, read_pay = driver.execute(
        [
            QbOp("ri", QbAction.READ_CHANGED, "Invoice", since=since),
            QbOp("rp", QbAction.READ_CHANGED, "ReceivePayment", since=since),
        ]
    )
    (inv,) = read_inv.records
    assert inv.fields["BalanceRemaining"] == Decimal("15")
    assert inv.fields["AppliedAmount"] == Decimal("-10")
    payment = only(read_pay)
    assert payment.qb_type == "ReceivePayment"
    assert payment.fields["TotalAmount"] == Decimal("10")
    assert payment.fields["CustomerRef"]["ListID"] == customer.id
    assert payment.fields["AppliedToTxn"][0]["TxnID"] == invoice.id
    assert payment.fields["AppliedToTxn"][0]["PaymentAmount"] == Decimal("10")

    by_ref = one(driver, QbOp("rr", QbAction.READ, "Invoice", names=(invoice.name or "",)))
    assert [r.id for r in by_ref.records] == [invoice.id]


def test_errors_land_on_their_own_op(driver: DirectDriver, company: CompanyFile) -> None:
    customer = add_customer(driver)
    company.open_record_by_user(customer.id)
    ops = [
        QbOp("dup", QbAction.ADD, "Customer", fields={"Name": AWKWARD}),
        QbOp("ok", QbAction.ADD, "Customer", fields={"Name": "Fresh Customer"}),
        QbOp(
            "locked",
            QbAction.MOD,
            "Customer",
            qb_id=customer.id,
            version=customer.version,
            fields={"Phone": "1"},
        ),
        QbOp("gone", QbAction.READ, "Customer", ids=("80000999-1234567890",)),
        QbOp(
            "too-long",
            QbAction.ADD,
            "ItemService",
            fields={"Name": "X" * 50, "SalesOrPurchase": {"Price": 1}},
        ),
    ]
    results = driver.execute(ops)
    assert [r.op_id for r in results] == [op.op_id for op in ops]
    status = {r.op_id: r.status.code for r in results}
    assert status["dup"] == "3100"
    assert status["ok"] == "0" and results[1].records[0].name == "Fresh Customer"
    assert status["locked"] in ("3170", "3175")
    assert status["too-long"] == "3070"
    assert "31" in results[4].status.message
    assert not results[3].ok or status["gone"] in ("1", "500")
    company.close_record_by_user(customer.id)

    stale = driver.execute(
        [
            QbOp(
                "stale",
                QbAction.MOD,
                "Customer",
                qb_id=customer.id,
                version="1",
                fields={"Phone": "2"},
            ),
            QbOp("fine", QbAction.READ, "Customer", ids=(customer.id,)),
        ]
    )
    assert stale[0].status.code == "3200"
    assert stale[1].ok and stale[1].records[0].id == customer.id


def test_bad_reference_is_3140(driver: DirectDriver) -> None:
    customer = add_customer(driver)
    fields = {
        "CustomerRef": {"ListID": customer.id},
        "Lines": [{"ItemRef": {"ListID": "80000999-1234567890"}, "Quantity": 1, "Rate": 1}],
    }
    bad, good = driver.execute(
        [
            QbOp("bad", QbAction.ADD, "Invoice", fields=fields),
            QbOp("good", QbAction.READ, "Customer", ids=(customer.id,)),
        ]
    )
    assert bad.status.code == "3140"
    assert good.ok


def test_every_set_sent_is_schema_valid(
    driver: DirectDriver, sent: list[str], schema_errors: Callable[[str], list[str]]
) -> None:
    customer = add_customer(driver)
    items = add_items(driver)
    driver.execute(
        [
            QbOp(
                "inv",
                QbAction.ADD,
                "Invoice",
                sf=OPPORTUNITY,
                fields=invoice_fields(customer, items),
            ),
            QbOp("sr", QbAction.ADD, "SalesReceipt", fields=invoice_fields(customer, items)),
            QbOp("est", QbAction.ADD, "Estimate", fields=invoice_fields(customer, items)),
            QbOp("d", QbAction.DEFINE_MARKER, "Customer"),
            QbOp("m", QbAction.SET_MARKER, "ItemService", qb_id=items[0].id, marker="01t1"),
            QbOp("rc", QbAction.READ_CHANGED, "Item", since=None),
            QbOp("rc2", QbAction.READ_CHANGED, "Estimate", since=None),
            QbOp("rp", QbAction.READ_CHANGED, "ReceivePayment", since=None),
        ]
    )
    assert sent
    for xml in sent:
        assert schema_errors(xml) == [], xml
