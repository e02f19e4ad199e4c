"""Salesforce Orders with their products (OrderItem), read through a parent-child subquery.

Fields from the Object Reference for the Salesforce Platform ("Order", "OrderItem"). A
reduction order (IsReductionOrder) names the order it reduces (OriginalOrderId) and each of
its products the product it reduces (OriginalOrderItemId); AvailableQuantity is what
activated reduction orders left of a product (always 0 on a reduction order's own products).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Annotated, Any, ClassVar

from sfqb.connectors.salesforce.records import RecordShapeError, Sf, SfRecord

ORDER_ITEMS = "OrderItems"


@dataclass(frozen=True, slots=True, kw_only=True)
class SfOrderItem(SfRecord):
    """An OrderItem (order product): one line of a sales order, invoice or estimate."""

    SOBJECT: ClassVar[str] = "OrderItem"

    order_id: Annotated[str | None, Sf("OrderId")] = None
    pricebook_entry_id: Annotated[str | None, Sf("PricebookEntryId")] = None
    product_id: Annotated[str | None, Sf("Product2Id")] = None
    original_item_id: Annotated[str | None, Sf("OriginalOrderItemId")] = None
    quantity: Annotated[Decimal | None, Sf("Quantity", "decimal")] = None
    available_quantity: Annotated[Decimal | None, Sf("AvailableQuantity", "decimal")] = None
    unit_price: Annotated[Decimal | None, Sf("UnitPrice", "decimal")] = None
    total_price: Annotated[Decimal | None, Sf("TotalPrice", "decimal")] = None
    description: Annotated[str | None, Sf("Description")] = None
    service_date: Annotated[date | None, Sf("ServiceDate", "date")] = None
    item_number: Annotated[str | None, Sf("OrderItemNumber")] = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SfOrder(SfRecord):
    """An Order with its products."""

    SOBJECT: ClassVar[str] = "Order"
    CHILDREN: ClassVar[Mapping[str, type[SfRecord]]] = MappingProxyType({ORDER_ITEMS: SfOrderItem})

    account_id: Annotated[str | None, Sf("AccountId")] = None
    order_number: Annotated[str | None, Sf("OrderNumber")] = None
    effective_date: Annotated[date | None, Sf("EffectiveDate", "date")] = None
    status: Annotated[str | None, Sf("Status")] = None
    status_code: Annotated[str | None, Sf("StatusCode")] = None
    pricebook_id: Annotated[str | None, Sf("Pricebook2Id")] = None
    is_reduction_order: Annotated[bool | None, Sf("IsReductionOrder", "bool")] = None
    original_order_id: Annotated[str | None, Sf("OriginalOrderId")] = None
    po_number: Annotated[str | None, Sf("PoNumber")] = None
    description: Annotated[str | None, Sf("Description")] = None
    total_amount: Annotated[Decimal | None, Sf("TotalAmount", "decimal")] = None
    quickbooks_id: Annotated[str | None, Sf("QuickBooks_ID__c")] = None
    sync_status: Annotated[str | None, Sf("QuickBooks_Sync_Status__c")] = None
    last_modified_by: Annotated[str | None, Sf("LastModifiedById")] = None
    lines: tuple[SfOrderItem, ...] = ()

    def _child_records(self, relationship: str) -> tuple[SfRecord, ...]:
        return self.lines if relationship == ORDER_ITEMS else ()

    @classmethod
    def _children(cls, relationship: str, child_type: type[SfRecord], value: Any) -> dict[str, Any]:
        # The connector replaces the subquery result with the complete list of child records.
        if value is None:
            return {"lines": ()}
        if not isinstance(value, list):
            raise RecordShapeError(f"{relationship} is not a list of records")
        lines = tuple(SfOrderItem.from_json(item) for item in value)
        return {"lines": tuple(sorted(lines, key=lambda x: (x.item_number or "", x.id)))}
