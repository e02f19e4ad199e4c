"""Sales transactions (Invoice, SalesReceipt, Estimate, CreditMemo, SalesOrder), with lines.

Field order follows the qbXML 12.0 schema. In a Mod, `lines=()` leaves the lines alone; when
lines are given they replace the transaction's lines: existing ones keep their TxnLineID, new
ones use TxnLineID "-1", and lines not sent are removed by QuickBooks.
"""

# qb() and required() return dataclasses.field(...) objects, which ruff cannot see.
# ruff: noqa: RUF009

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import ClassVar

from sfqb.connectors.qbd.qbxml.errors import QbxmlRequestError
from sfqb.connectors.qbd.qbxml.model import Address, Kind, Ref, Request, qb, required

NEW_LINE_ID = "-1"


@dataclass(frozen=True, slots=True, kw_only=True)
class LineAdd:
    """A new transaction line: item, description, quantity, rate and/or amount."""

    item: Ref | None = qb("ItemRef")
    desc: str | None = qb("Desc")
    quantity: Decimal | None = qb("Quantity", Kind.QUANTITY)
    rate: Decimal | None = qb("Rate", Kind.PRICE)
    class_ref: Ref | None = qb("ClassRef")
    amount: Decimal | None = qb("Amount", Kind.AMOUNT)
    sales_tax_code: Ref | None = qb("SalesTaxCodeRef")


@dataclass(frozen=True, slots=True, kw_only=True)
class LineMod:
    """A line in a Mod: an existing TxnLineID, or NEW_LINE_ID for a line to add."""

    txn_line_id: str = required("TxnLineID", Kind.ID)
    item: Ref | None = qb("ItemRef")
    desc: str | None = qb("Desc")
    quantity: Decimal | None = qb("Quantity", Kind.QUANTITY)
    rate: Decimal | None = qb("Rate", Kind.PRICE)
    class_ref: Ref | None = qb("ClassRef")
    amount: Decimal | None = qb("Amount", Kind.AMOUNT)
    sales_tax_code: Ref | None = qb("SalesTaxCodeRef")


@dataclass(frozen=True, slots=True, kw_only=True)
class _Txn(Request):
    WRAPPED: ClassVar[bool] = True


def _need_lines(name: str, lines: tuple[LineAdd, ...]) -> None:
    if not lines:
        raise QbxmlRequestError(f"{name} needs at least one line")


@dataclass(frozen=True, slots=True, kw_only=True)
class InvoiceAdd(_Txn):
    """Create an invoice."""

    TYPE: ClassVar[str] = "InvoiceAdd"
    customer: Ref = required("CustomerRef")
    class_ref: Ref | None = qb("ClassRef")
    ar_account: Ref | None = qb("ARAccountRef")
    txn_date: date | None = qb("TxnDate")
    ref_number: str | None = qb("RefNumber")
    bill_address: Address | None = qb("BillAddress")
    ship_address: Address | None = qb("ShipAddress")
    po_number: str | None = qb("PONumber")
    terms: Ref | None = qb("TermsRef")
    due_date: date | None = qb("DueDate")
    sales_rep: Ref | None = qb("SalesRepRef")
    item_sales_tax: Ref | None = qb("ItemSalesTaxRef")
    memo: str | None = qb("Memo")
    is_to_be_printed: bool | None = qb("IsToBePrinted")
    lines: tuple[LineAdd, ...] = qb("InvoiceLineAdd", default=())


@dataclass(frozen=True, slots=True, kw_only=True)
class InvoiceMod(_Txn):
    """Change an invoice."""

    TYPE: ClassVar[str] = "InvoiceMod"
    txn_id: str = required("TxnID", Kind.ID)
    edit_sequence: str = required("EditSequence", Kind.ID)
    customer: Ref | None = qb("CustomerRef")
    class_ref: Ref | None = qb("ClassRef")
    ar_account: Ref | None = qb("ARAccountRef")
    txn_date: date | None = qb("TxnDate")
    ref_number: str | None = qb("RefNumber")
    bill_address: Address | None = qb("BillAddress")
    ship_address: Address | None = qb("ShipAddress")
    po_number: str | None = qb("PONumber")
    terms: Ref | None = qb("TermsRef")
    due_date: date | None = qb("DueDate")
    sales_rep: Ref | None = qb("SalesRepRef")
    item_sales_tax: Ref | None = qb("ItemSalesTaxRef")
    memo: str | None = qb("Memo")
    is_to_be_printed: bool | None = qb("IsToBePrinted")
    lines: tuple[LineMod, ...] = qb("InvoiceLineMod", default=())


@dataclass(frozen=True, slots=True, kw_only=True)
class SalesReceiptAdd(_Txn):
    """Create a sales receipt (at least one line)."""

    TYPE: ClassVar[str] = "SalesReceiptAdd"
    customer: Ref | None = qb("CustomerRef")
    class_ref: Ref | None = qb("ClassRef")
    txn_date: date | None = qb("TxnDate")
    ref_number: str | None = qb("RefNumber")
    bill_address: Address | None = qb("BillAddress")
    ship_address: Address | None = qb("ShipAddress")
    check_number: str | None = qb("CheckNumber")
    payment_method: Ref | None = qb("PaymentMethodRef")
    due_date: date | None = qb("DueDate")
    sales_rep: Ref | None = qb("SalesRepRef")
    item_sales_tax: Ref | None = qb("ItemSalesTaxRef")
    memo: str | None = qb("Memo")
    is_to_be_printed: bool | None = qb("IsToBePrinted")
    deposit_to_account: Ref | None = qb("DepositToAccountRef")
    lines: tuple[LineAdd, ...] = qb("SalesReceiptLineAdd", default=())

    def __post_init__(self) -> None:
        _need_lines(self.TYPE, self.lines)


@dataclass(frozen=True, slots=True, kw_only=True)
class SalesReceiptMod(_Txn):
    """Change a sales receipt."""

    TYPE: ClassVar[str] = "SalesReceiptMod"
    txn_id: str = required("TxnID", Kind.ID)
    edit_sequence: str = required("EditSequence", Kind.ID)
    customer: Ref | None = qb("CustomerRef")
    class_ref: Ref | None = qb("ClassRef")
    txn_date: date | None = qb("TxnDate")
    ref_number: str | None = qb("RefNumber")
    bill_address: Address | None = qb("BillAddress")
    ship_address: Address | None = qb("ShipAddress")
    check_number: str | None = qb("CheckNumber")
    payment_method: Ref | None = qb("PaymentMethodRef")
    due_date: date | None = qb("DueDate")
    sales_rep: Ref | None = qb("SalesRepRef")
    item_sales_tax: Ref | None = qb("ItemSalesTaxRef")
    memo: str | None = qb("Memo")
    is_to_be_printed: bool | None = qb("IsToBePrinted")
    deposit_to_account: Ref | None = qb("DepositToAccountRef")
    lines: tuple[LineMod, ...] = qb("SalesReceiptLineMod", default=())


@dataclass(frozen=True, slots=True, kw_only=True)
class EstimateAdd(_Txn):
    """Create an estimate (at least one line)."""

    TYPE: ClassVar[str] = "EstimateAdd"
    customer: Ref = required("CustomerRef")
    class_ref: Ref | None = qb("ClassRef")
    txn_date: date | None = qb("TxnDate")
    ref_number: str | None = qb("RefNumber")
    bill_address: Address | None = qb("BillAddress")
    ship_address: Address | None = qb("ShipAddress")
    is_active: bool | None = qb("IsActive")
    po_number: str | None = qb("PONumber")
    terms: Ref | None = qb("TermsRef")
    due_date: date | None = qb("DueDate")
    sales_rep: Ref | None = qb("SalesRepRef")
    item_sales_tax: Ref | None = qb("ItemSalesTaxRef")
    memo: str | None = qb("Memo")
    lines: tuple[LineAdd, ...] = qb("EstimateLineAdd", default=())

    def __post_init__(self) -> None:
        _need_lines(self.TYPE, self.lines)


@dataclass(frozen=True, slots=True, kw_only=True)
class EstimateMod(_Txn):
    """Change an estimate."""

    TYPE: ClassVar[str] = "EstimateMod"
    txn_id: str = required("TxnID", Kind.ID)
    edit_sequence: str = required("EditSequence", Kind.ID)
    customer: Ref | None = qb("CustomerRef")
    class_ref: Ref | None = qb("ClassRef")
    txn_date: date | None = qb("TxnDate")
    ref_number: str | None = qb("RefNumber")
    bill_address: Address | None = qb("BillAddress")
    ship_address: Address | None = qb("ShipAddress")
    is_active: bool | None = qb("IsActive")
    po_number: str | None = qb("PONumber")
    terms: Ref | None = qb("TermsRef")
    due_date: date | None = qb("DueDate")
    sales_rep: Ref | None = qb("SalesRepRef")
    item_sales_tax: Ref | None = qb("ItemSalesTaxRef")
    memo: str | None = qb("Memo")
    lines: tuple[LineMod, ...] = qb("EstimateLineMod", default=())


@dataclass(frozen=True, slots=True, kw_only=True)
class CreditMemoAdd(_Txn):
    """Create a credit memo: a credit to the customer, its lines as an invoice's (qbXML 12.0
    CreditMemoAdd; QuickBooks computes TotalAmount and CreditRemaining)."""

    TYPE: ClassVar[str] = "CreditMemoAdd"
    customer: Ref = required("CustomerRef")
    class_ref: Ref | None = qb("ClassRef")
    ar_account: Ref | None = qb("ARAccountRef")
    txn_date: date | None = qb("TxnDate")
    ref_number: str | None = qb("RefNumber")
    bill_address: Address | None = qb("BillAddress")
    ship_address: Address | None = qb("ShipAddress")
    po_number: str | None = qb("PONumber")
    terms: Ref | None = qb("TermsRef")
    due_date: date | None = qb("DueDate")
    sales_rep: Ref | None = qb("SalesRepRef")
    item_sales_tax: Ref | None = qb("ItemSalesTaxRef")
    memo: str | None = qb("Memo")
    is_to_be_printed: bool | None = qb("IsToBePrinted")
    lines: tuple[LineAdd, ...] = qb("CreditMemoLineAdd", default=())


@dataclass(frozen=True, slots=True, kw_only=True)
class CreditMemoMod(_Txn):
    """Change a credit memo."""

    TYPE: ClassVar[str] = "CreditMemoMod"
    txn_id: str = required("TxnID", Kind.ID)
    edit_sequence: str = required("EditSequence", Kind.ID)
    customer: Ref | None = qb("CustomerRef")
    class_ref: Ref | None = qb("ClassRef")
    ar_account: Ref | None = qb("ARAccountRef")
    txn_date: date | None = qb("TxnDate")
    ref_number: str | None = qb("RefNumber")
    bill_address: Address | None = qb("BillAddress")
    ship_address: Address | None = qb("ShipAddress")
    po_number: str | None = qb("PONumber")
    terms: Ref | None = qb("TermsRef")
    due_date: date | None = qb("DueDate")
    sales_rep: Ref | None = qb("SalesRepRef")
    item_sales_tax: Ref | None = qb("ItemSalesTaxRef")
    memo: str | None = qb("Memo")
    is_to_be_printed: bool | None = qb("IsToBePrinted")
    lines: tuple[LineMod, ...] = qb("CreditMemoLineMod", default=())


@dataclass(frozen=True, slots=True, kw_only=True)
class SalesOrderAdd(_Txn):
    """Create a sales order (at least one line; QuickBooks Desktop Premier and Enterprise)."""

    TYPE: ClassVar[str] = "SalesOrderAdd"
    customer: Ref = required("CustomerRef")
    class_ref: Ref | None = qb("ClassRef")
    txn_date: date | None = qb("TxnDate")
    ref_number: str | None = qb("RefNumber")
    bill_address: Address | None = qb("BillAddress")
    ship_address: Address | None = qb("ShipAddress")
    po_number: str | None = qb("PONumber")
    terms: Ref | None = qb("TermsRef")
    due_date: date | None = qb("DueDate")
    sales_rep: Ref | None = qb("SalesRepRef")
    item_sales_tax: Ref | None = qb("ItemSalesTaxRef")
    is_manually_closed: bool | None = qb("IsManuallyClosed")
    memo: str | None = qb("Memo")
    is_to_be_printed: bool | None = qb("IsToBePrinted")
    lines: tuple[LineAdd, ...] = qb("SalesOrderLineAdd", default=())

    def __post_init__(self) -> None:
        _need_lines(self.TYPE, self.lines)


@dataclass(frozen=True, slots=True, kw_only=True)
class SalesOrderMod(_Txn):
    """Change a sales order."""

    TYPE: ClassVar[str] = "SalesOrderMod"
    txn_id: str = required("TxnID", Kind.ID)
    edit_sequence: str = required("EditSequence", Kind.ID)
    customer: Ref | None = qb("CustomerRef")
    class_ref: Ref | None = qb("ClassRef")
    txn_date: date | None = qb("TxnDate")
    ref_number: str | None = qb("RefNumber")
    bill_address: Address | None = qb("BillAddress")
    ship_address: Address | None = qb("ShipAddress")
    po_number: str | None = qb("PONumber")
    terms: Ref | None = qb("TermsRef")
    due_date: date | None = qb("DueDate")
    sales_rep: Ref | None = qb("SalesRepRef")
    item_sales_tax: Ref | None = qb("ItemSalesTaxRef")
    is_manually_closed: bool | None = qb("IsManuallyClosed")
    memo: str | None = qb("Memo")
    is_to_be_printed: bool | None = qb("IsToBePrinted")
    lines: tuple[LineMod, ...] = qb("SalesOrderLineMod", default=())
