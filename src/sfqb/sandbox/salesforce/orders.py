"""Order and OrderItem rules: activation, what an activated order's products allow, reductions.

Sources (Salesforce):
- "Order", Object Reference for the Salesforce Platform (developer.salesforce.com/docs/
  platform/object-reference/references/standard-objects/object-order.html): AccountId "only
  updated when the order's StatusCode value is Draft"; StatusCode is Draft or Activated.
- "OrderItem", Object Reference (atlas object_reference sforce_api_objects_orderitem):
  OriginalOrderItemId is "required if isReductionOrder on the parent order is true";
  AvailableQuantity is the quantity "available for reduction", 0 or more, always 0 on a
  reduction order's products; PricebookEntryId cannot be changed on update.
- "Editing and Deletion Considerations for Order Products", Salesforce Help
  (help.salesforce.com sales.orderproduct_edit.htm): "After an order or reduction order is
  activated, you can't delete its order products"; "After an order product has been reduced,
  you can no longer edit or delete the order product in that order."

Where these pages are silent the sandbox is stricter and says so: an order is created in Draft;
an order (or reduction order) without products cannot be activated; products are not added to
an activated order; a reduction order reduces an activated original only, each product by at
most what is still available.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sfqb.sandbox.salesforce.errors import OrgError

if TYPE_CHECKING:
    from sfqb.sandbox.salesforce.org import Org

Record = dict[str, Any]
DRAFT, ACTIVATED = "Draft", "Activated"


def check_order(org: Org, record: Record, before: Record | None) -> None:
    """Status -> StatusCode, the auto-number, and what an order may change (module docstring)."""
    code = org.schema.order_statuses.get(record.get("Status") or "")
    if code is None:
        raise OrgError(
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            f"Status: bad value for restricted picklist field: {record.get('Status')}",
            ["Status"],
        )
    record["StatusCode"] = code
    if before is None:
        if code != DRAFT:  # stricter: the pages read do not allow creating an active order
            raise OrgError("FIELD_INTEGRITY_EXCEPTION", "An order must be created in Draft.")
        count = len(org._raw("Order")) + 100
        record["OrderNumber"] = f"{count:08d}"
        record["IsReductionOrder"] = bool(record.get("IsReductionOrder"))
        _check_original(org, record)
        return
    for fixed in ("IsReductionOrder", "OriginalOrderId"):
        if record.get(fixed) != before.get(fixed):
            raise OrgError("FIELD_INTEGRITY_EXCEPTION", f"{fixed} cannot be changed", [fixed])
    if before["StatusCode"] != DRAFT and record.get("AccountId") != before.get("AccountId"):
        raise OrgError(
            "FIELD_INTEGRITY_EXCEPTION",
            "AccountId can be changed only while the order is in Draft",
            ["AccountId"],
        )
    if code == ACTIVATED and before["StatusCode"] == DRAFT and not _items(org, record["Id"]):
        raise OrgError(  # stricter: an order is activated with its products
            "FIELD_INTEGRITY_EXCEPTION", "You can't activate an order without order products."
        )


def _check_original(org: Org, record: Record) -> None:
    if not record["IsReductionOrder"]:
        if record.get("OriginalOrderId"):
            raise OrgError(
                "FIELD_INTEGRITY_EXCEPTION",
                "OriginalOrderId is for reduction orders only",
                ["OriginalOrderId"],
            )
        return
    original = org.peek("Order", record.get("OriginalOrderId") or "")
    if original is None:
        raise OrgError(
            "REQUIRED_FIELD_MISSING",
            "Required fields are missing: [OriginalOrderId]",
            ["OriginalOrderId"],
        )
    if original["StatusCode"] != ACTIVATED or original["IsReductionOrder"]:
        raise OrgError(  # stricter: a reduction order reduces an activated original
            "FIELD_INTEGRITY_EXCEPTION",
            "A reduction order reduces an activated order",
            ["OriginalOrderId"],
        )
    record["AccountId"] = original["AccountId"]
    record["Pricebook2Id"] = original["Pricebook2Id"]


def check_item(org: Org, record: Record, before: Record | None) -> None:
    """What an order product may be, given its order (module docstring)."""
    order = org.peek("Order", record["OrderId"]) or {}
    if before is None and order.get("StatusCode") == ACTIVATED:
        raise OrgError(  # stricter: products are added while the order is in Draft
            "FIELD_INTEGRITY_EXCEPTION", "You can't add products to an activated order."
        )
    if before is not None:
        if record.get("PricebookEntryId") != before.get("PricebookEntryId"):
            raise OrgError(
                "FIELD_INTEGRITY_EXCEPTION",
                "PricebookEntryId cannot be changed",
                ["PricebookEntryId"],
            )
        if reduced(org, before) and record.get("Quantity") != before.get("Quantity"):
            raise OrgError(
                "FIELD_INTEGRITY_EXCEPTION",
                "You can't update Quantity because the order product has been reduced.",
                ["Quantity"],
            )
    if not order.get("IsReductionOrder"):
        if record.get("OriginalOrderItemId"):
            raise OrgError(
                "FIELD_INTEGRITY_EXCEPTION",
                "OriginalOrderItemId is for reduction orders only",
                ["OriginalOrderItemId"],
            )
        return
    original = org.peek("OrderItem", record.get("OriginalOrderItemId") or "")
    if original is None or original["OrderId"] != order.get("OriginalOrderId"):
        raise OrgError(
            "REQUIRED_FIELD_MISSING",
            "Required fields are missing: [OriginalOrderItemId]",
            ["OriginalOrderItemId"],
        )
    quantity = float(record.get("Quantity") or 0)
    if quantity >= 0 or -quantity > float(original["AvailableQuantity"] or 0):
        raise OrgError(
            "FIELD_INTEGRITY_EXCEPTION",
            "A reduction order product's Quantity is negative and at most the original's "
            f"AvailableQuantity ({original['AvailableQuantity']})",
            ["Quantity"],
        )
    record["PricebookEntryId"] = original["PricebookEntryId"]
    record["UnitPrice"] = original["UnitPrice"]


def check_item_delete(org: Org, record: Record) -> None:
    """An activated order's products, and reduced ones, are not deleted (Salesforce Help)."""
    order = org.peek("Order", record["OrderId"]) or {}
    if order.get("StatusCode") == ACTIVATED and not order.get("IsDeleted"):
        raise OrgError(
            "FIELD_INTEGRITY_EXCEPTION",
            "You can't delete order products from an activated order.",
        )
    if reduced(org, record):
        raise OrgError(
            "FIELD_INTEGRITY_EXCEPTION", "You can't delete an order product that has been reduced."
        )


def reduced(org: Org, item: Record) -> bool:
    """True when an activated reduction order's product reduces `item`."""
    return any(r["OriginalOrderItemId"] == item["Id"] for r in _activated_reductions(org))


def after_item(org: Org, record: Record) -> None:
    """Roll the products up: their order's TotalAmount, and every AvailableQuantity."""
    order = org.peek("Order", record["OrderId"])
    if order is None:
        return
    refresh(org, order)
    org.touch("Order", order["Id"])


def refresh(org: Org, order: Record) -> None:
    """An order's TotalAmount and its products' AvailableQuantity, from the reductions."""
    reductions = _activated_reductions(org)
    items = _items(org, order["Id"])
    for item in items:
        if order["IsReductionOrder"]:
            item["AvailableQuantity"] = 0.0
            continue
        less = sum(r["Quantity"] for r in reductions if r["OriginalOrderItemId"] == item["Id"])
        item["AvailableQuantity"] = float(item["Quantity"]) + float(less)
    order["TotalAmount"] = round(sum(i["TotalPrice"] or 0.0 for i in items), 2)


def after_order(org: Org, record: Record) -> None:
    """An activated reduction order lowers its original's AvailableQuantity."""
    if record["IsReductionOrder"] and record["StatusCode"] == ACTIVATED:
        original = org.peek("Order", record["OriginalOrderId"])
        if original is not None:
            refresh(org, original)
    refresh(org, record)


def _items(org: Org, order_id: str) -> list[Record]:
    return [
        r for r in org._raw("OrderItem").values() if r["OrderId"] == order_id and not r["IsDeleted"]
    ]


def _activated_reductions(org: Org) -> list[Record]:
    active = {
        o["Id"]
        for o in org._raw("Order").values()
        if o["IsReductionOrder"] and o["StatusCode"] == ACTIVATED and not o["IsDeleted"]
    }
    return [r for r in org._raw("OrderItem").values() if r["OrderId"] in active]
