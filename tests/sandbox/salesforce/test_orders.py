"""Orders in the Salesforce sandbox: activation, what an activated order's products allow, and
reduction orders (sources: sandbox/salesforce/orders.py's docstring; Salesforce Help "Editing
and Deletion Considerations for Order Products", Object Reference "Order" and "OrderItem")."""

from __future__ import annotations

import pytest
from simple_salesforce import Salesforce

from sfqb.sandbox.salesforce import SalesforceSandbox
from sfqb.sandbox.salesforce.errors import OrgError
from sfqb.sandbox.salesforce.org import Org


def _order(org: Org, quantity: float = 5.0) -> tuple[str, str, str]:
    account = org.create("Account", {"Name": "Harbor Supply"})
    product = org.create("Product2", {"Name": "Installation", "IsActive": True})
    entry = org.create(
        "PricebookEntry",
        {"Pricebook2Id": org.standard_pricebook_id, "Product2Id": product, "UnitPrice": 40.0},
    )
    order = org.create(
        "Order", {"AccountId": account, "EffectiveDate": "2026-01-15", "Status": "Draft"}
    )
    item = org.create(
        "OrderItem", {"OrderId": order, "PricebookEntryId": entry, "Quantity": quantity}
    )
    return order, item, entry


def _reduce(org: Org, order: str, item: str, quantity: float, *, activate: bool = True) -> str:
    reduction = org.create(
        "Order",
        {
            "AccountId": org.get("Order", order)["AccountId"],
            "EffectiveDate": "2026-01-20",
            "Status": "Draft",
            "IsReductionOrder": True,
            "OriginalOrderId": order,
        },
    )
    org.create(
        "OrderItem", {"OrderId": reduction, "OriginalOrderItemId": item, "Quantity": quantity}
    )
    if activate:
        org.update("Order", reduction, {"Status": "Activated"})
    return reduction


def _code(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(OrgError) as error:
        call()
    return error.value.error_code


def test_order_numbers_status_code_and_total_object_reference_order(
    sandbox: SalesforceSandbox,
) -> None:
    org = sandbox.org
    order, item, _ = _order(org)
    record = org.get("Order", order)
    assert record["StatusCode"] == "Draft"
    assert record["OrderNumber"] == "00000100"
    assert record["TotalAmount"] == 200.0
    assert org.get("OrderItem", item)["AvailableQuantity"] == 5.0
    org.update("Order", order, {"Status": "Activated"})
    assert org.get("Order", order)["StatusCode"] == "Activated"


def test_activated_order_products_cannot_be_deleted_help_orderproduct_edit(
    sandbox: SalesforceSandbox,
) -> None:
    org = sandbox.org
    order, item, entry = _order(org)
    org.update("Order", order, {"Status": "Activated"})
    assert _code(lambda: org.delete("OrderItem", item)) == "FIELD_INTEGRITY_EXCEPTION"
    assert _code(lambda: org.delete("Order", order)) == "FIELD_INTEGRITY_EXCEPTION"
    add = {"OrderId": order, "PricebookEntryId": entry, "Quantity": 1.0}
    assert _code(lambda: org.create("OrderItem", add)) == "FIELD_INTEGRITY_EXCEPTION"
    account = org.create("Account", {"Name": "Other"})
    moved = lambda: org.update("Order", order, {"AccountId": account})  # noqa: E731
    assert _code(moved) == "FIELD_INTEGRITY_EXCEPTION"
    org.update("OrderItem", item, {"Description": "Fields stay editable"})


def test_reduction_order_lowers_available_quantity_when_activated_orderitem_reference(
    sandbox: SalesforceSandbox,
) -> None:
    org = sandbox.org
    order, item, _ = _order(org)
    org.update("Order", order, {"Status": "Activated"})
    draft = _reduce(org, order, item, -2.0, activate=False)
    assert org.get("OrderItem", item)["AvailableQuantity"] == 5.0
    org.update("Order", draft, {"Status": "Activated"})
    assert org.get("OrderItem", item)["AvailableQuantity"] == 3.0
    reduction_item = next(r for r in org.records("OrderItem") if r["OrderId"] == draft)
    assert reduction_item["AvailableQuantity"] == 0.0
    assert reduction_item["UnitPrice"] == 40.0
    reduced = lambda: org.update("OrderItem", item, {"Quantity": 9.0})  # noqa: E731
    assert _code(reduced) == "FIELD_INTEGRITY_EXCEPTION"


def test_reduction_rules_need_original_item_negative_quantity_within_available(
    sandbox: SalesforceSandbox,
) -> None:
    org = sandbox.org
    order, item, _ = _order(org)
    with pytest.raises(OrgError):  # the original is still a draft (stricter)
        _reduce(org, order, item, -1.0)
    org.update("Order", order, {"Status": "Activated"})
    assert _code(lambda: _reduce(org, order, item, 1.0)) == "FIELD_INTEGRITY_EXCEPTION"
    assert _code(lambda: _reduce(org, order, item, -6.0)) == "FIELD_INTEGRITY_EXCEPTION"
    reduction = org.create(
        "Order",
        {
            "AccountId": org.get("Order", order)["AccountId"],
            "EffectiveDate": "2026-01-20",
            "Status": "Draft",
            "IsReductionOrder": True,
            "OriginalOrderId": order,
        },
    )
    missing = lambda: org.create("OrderItem", {"OrderId": reduction, "Quantity": -1.0})  # noqa: E731
    assert _code(missing) == "REQUIRED_FIELD_MISSING"
    empty = lambda: org.update("Order", reduction, {"Status": "Activated"})  # noqa: E731
    assert _code(empty) == "FIELD_INTEGRITY_EXCEPTION"


def test_orders_read_with_their_products_through_soql(
    sandbox: SalesforceSandbox, sf: Salesforce
) -> None:
    order, _, _ = _order(sandbox.org, 2.0)
    rows = sf.query(
        "SELECT Id, OrderNumber, StatusCode, IsReductionOrder, "
        "(SELECT Id, Product2Id, Quantity, AvailableQuantity, UnitPrice FROM OrderItems) "
        "FROM Order"
    )["records"]
    assert [r["Id"] for r in rows] == [order]
    (line,) = rows[0]["OrderItems"]["records"]
    assert line["Quantity"] == 2.0
    assert line["AvailableQuantity"] == 2.0
    assert rows[0]["IsReductionOrder"] is False
