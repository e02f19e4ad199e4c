"""The binding-field ops: requests valid against qbxmlops120.xsd, answers from a sandbox company."""

from __future__ import annotations

from collections.abc import Callable

from sfqb.codes import Catalog
from sfqb.connectors.qbd.operations import DirectDriver, compose
from sfqb.sandbox.qbd import CompanyFile
from sfqb.sync.ops import QbAction, QbOp, QbResult

OPS = [
    QbOp("defs", QbAction.READ_FIELD_DEFS, "FieldDefs"),
    QbOp("slots", QbAction.READ_FIELD_SLOTS, "FieldSlots"),
    QbOp(
        "define",
        QbAction.DEFINE_MARKER,
        "SalesforceID",
        binding_field="SalesforceID",
        names=("Customer", "Item"),
    ),
    QbOp("private", QbAction.DEFINE_MARKER, "SalesforceID"),
]


def _one(driver: DirectDriver, op: QbOp) -> QbResult:
    (result,) = driver.execute([op])
    assert result.ok, result.status.message
    return result


def test_every_binding_field_request_validates(
    catalog: Catalog, schema_errors: Callable[[str], list[str]]
) -> None:
    marks = [
        QbOp("add", QbAction.SET_MARKER, "Customer", qb_id="80000001-1", marker="001A",
             binding_field="SalesforceID"),
        QbOp("mod", QbAction.SET_MARKER, "ItemService", qb_id="80000002-1", marker="01tA",
             binding_field="AccountID", exists=True),
        QbOp("del", QbAction.CLEAR_MARKER, "Customer", qb_id="80000001-1",
             binding_field="SalesforceID"),
        QbOp("del-private", QbAction.CLEAR_MARKER, "Invoice", qb_id="1A-1"),
        QbOp("read", QbAction.READ, "Customer", ids=("80000001-1",)),
    ]  # fmt: skip
    composed = compose([*OPS, *marks], "13.0", catalog=catalog)
    assert composed.refused == {}
    assert composed.xml is not None and schema_errors(composed.xml) == []
    assert "<DataExtModRq" in composed.xml and "<DataExtDelRq" in composed.xml
    assert "<OwnerID>0</OwnerID>" in composed.xml


def test_a_transaction_never_takes_a_visible_field(catalog: Catalog) -> None:
    op = QbOp("x", QbAction.SET_MARKER, "Invoice", qb_id="1A-1", marker="006A",
              binding_field="SalesforceID")  # fmt: skip
    composed = compose([op], "13.0", catalog=catalog)
    assert "x" in composed.refused


def test_definitions_slots_and_visible_values_come_back(
    company: CompanyFile, driver: DirectDriver
) -> None:
    company.define_custom_field_as_user("AccountID", "Customer")
    defs = _one(driver, OPS[0])
    assert [(r.id, tuple(r.fields["AssignTo"])) for r in defs.records] == [
        ("AccountID", ("Customer",))
    ]
    (slots,) = _one(driver, OPS[1]).records
    assert slots.id == "Enterprise" and slots.fields["per_list"]["Item"] == 15
    _one(driver, OPS[2])
    customer = company.add_as_user("Customer", "Visible Co")
    company.set_custom_field_as_user(customer.id, "SalesforceID", "001000000000001AAA")
    (read,) = _one(driver, QbOp("r", QbAction.READ, "Customer", ids=(customer.id,))).records
    assert read.custom == {"SalesforceID": "001000000000001AAA"}
    assert read.marker is None


def test_an_invoice_inheriting_the_customer_field_has_no_binding_of_its_own(
    company: CompanyFile, driver: DirectDriver
) -> None:
    """Intuit: customer custom fields propagate to transactions; sfqb never reads them there."""
    company.define_custom_field_as_user("SalesforceID", "Customer", "Item")
    customer = company.add_as_user("Customer", "Parent Co")
    company.set_custom_field_as_user(customer.id, "SalesforceID", "001000000000001AAA")
    item = _one(
        driver,
        QbOp(
            "i",
            QbAction.ADD,
            "ItemService",
            fields={"Name": "Svc", "SalesOrPurchase": {"Price": "5.00"}},
        ),
    ).records[0]
    fields = {
        "CustomerRef": {"ListID": customer.id},
        "Lines": [{"ItemRef": {"ListID": item.id}, "Amount": "5.00"}],
    }
    invoice = _one(driver, QbOp("v", QbAction.ADD, "Invoice", fields=fields)).records[0]
    (read,) = _one(driver, QbOp("r", QbAction.READ, "Invoice", ids=(invoice.id,))).records
    assert read.marker is None and dict(read.custom) == {}
