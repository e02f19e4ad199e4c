"""Typed records read from qbXML responses: only the fields sfqb uses.

Amounts, prices and quantities are Decimal; TimeCreated/TimeModified are datetimes (with the
offset QuickBooks sends); references are `Ref`s; custom fields are `DataExtValue`s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sfqb.connectors.qbd.qbxml.model import Ref


@dataclass(frozen=True, slots=True)
class DataExtValue:
    """A custom field's value (DataExtRet), on a record or alone after DataExtAdd/Mod."""

    owner_id: str | None
    name: str
    ext_type: str
    value: str


@dataclass(frozen=True, slots=True)
class ListCore:
    """Identity and modification stamp of a list object."""

    list_id: str
    edit_sequence: str | None
    time_created: datetime | None
    time_modified: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressRecord:
    """An address aggregate as read (BillAddress, ShipAddress); absent parts are None."""

    addr1: str | None = None
    addr2: str | None = None
    addr3: str | None = None
    addr4: str | None = None
    addr5: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """CustomerRet."""

    core: ListCore
    name: str
    full_name: str | None
    is_active: bool | None
    parent: Ref | None
    sublevel: int | None
    company_name: str | None
    first_name: str | None
    last_name: str | None
    bill_address: AddressRecord | None
    ship_address: AddressRecord | None
    phone: str | None
    fax: str | None
    email: str | None
    account_number: str | None
    balance: Decimal | None
    total_balance: Decimal | None
    currency: Ref | None
    data_ext: tuple[DataExtValue, ...]


@dataclass(frozen=True, slots=True)
class VendorRecord:
    """VendorRet."""

    core: ListCore
    name: str
    is_active: bool | None
    company_name: str | None
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    account_number: str | None
    balance: Decimal | None
    currency: Ref | None
    data_ext: tuple[DataExtValue, ...]


@dataclass(frozen=True, slots=True)
class ItemRecord:
    """Any Item...Ret (`item_type` is e.g. "ItemService", "ItemInventory")."""

    item_type: str
    core: ListCore
    name: str
    full_name: str | None
    is_active: bool | None
    parent: Ref | None
    description: str | None
    price: Decimal | None
    purchase_cost: Decimal | None
    quantity_on_hand: Decimal | None
    data_ext: tuple[DataExtValue, ...]


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """AccountRet: an account of the chart of accounts (`account_type` e.g. "Income")."""

    core: ListCore
    name: str
    full_name: str | None
    is_active: bool | None
    account_type: str | None


@dataclass(frozen=True, slots=True)
class LineRecord:
    """A transaction line (InvoiceLineRet, SalesReceiptLineRet, EstimateLineRet)."""

    txn_line_id: str
    item: Ref | None
    desc: str | None
    quantity: Decimal | None
    rate: Decimal | None
    amount: Decimal | None


@dataclass(frozen=True, slots=True)
class TxnCore:
    """Identity and modification stamp of a transaction."""

    txn_id: str
    edit_sequence: str | None
    time_created: datetime | None
    time_modified: datetime | None
    txn_number: int | None


@dataclass(frozen=True, slots=True)
class SalesTxnRecord:
    """InvoiceRet, SalesReceiptRet, EstimateRet, CreditMemoRet or SalesOrderRet (`txn_type`).

    `total` is TotalAmount (receipts, estimates) or Subtotal + SalesTaxTotal (invoices);
    `balance_remaining` and `is_paid` exist on invoices only.
    """

    txn_type: str
    core: TxnCore
    customer: Ref | None
    txn_date: date | None
    ref_number: str | None
    due_date: date | None
    memo: str | None
    subtotal: Decimal | None
    total: Decimal | None
    balance_remaining: Decimal | None
    is_paid: bool | None
    currency: Ref | None
    lines: tuple[LineRecord, ...]
    data_ext: tuple[DataExtValue, ...]
    credit_remaining: Decimal | None = None  # a credit memo's credit not yet applied
    # Sales orders: closed by hand, fully invoiced (SalesOrderRet); every kind: LinkedTxn's
    # TxnIDs (an invoice made from a sales order or estimate links both ways).
    is_manually_closed: bool | None = None
    is_fully_invoiced: bool | None = None
    linked_txns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AppliedPayment:
    """AppliedToTxnRet: the part of a payment applied to one invoice."""

    txn_id: str
    txn_type: str | None
    ref_number: str | None
    amount: Decimal | None


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    """ReceivePaymentRet."""

    core: TxnCore
    customer: Ref | None
    txn_date: date | None
    ref_number: str | None
    total_amount: Decimal | None
    unused_payment: Decimal | None
    memo: str | None
    applied: tuple[AppliedPayment, ...]
    data_ext: tuple[DataExtValue, ...]


@dataclass(frozen=True, slots=True)
class DataExtDefRecord:
    """DataExtDefRet: a custom-field definition."""

    owner_id: str | None
    ext_id: int | None
    name: str | None
    ext_type: str | None
    assign_to: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ListDeletedRecord:
    """ListDeletedRet."""

    list_del_type: str | None
    list_id: str | None
    time_created: datetime | None
    time_deleted: datetime | None
    full_name: str | None


@dataclass(frozen=True, slots=True)
class TxnDeletedRecord:
    """TxnDeletedRet."""

    txn_del_type: str | None
    txn_id: str | None
    time_created: datetime | None
    time_deleted: datetime | None
    ref_number: str | None


@dataclass(frozen=True, slots=True)
class HostRecord:
    """HostRet: the QuickBooks product and the qbXML versions it speaks."""

    product_name: str | None
    major_version: str | None
    minor_version: str | None
    country: str | None
    supported_versions: tuple[str, ...]
    is_automatic_login: bool | None
    file_mode: str | None


@dataclass(frozen=True, slots=True)
class CompanyRecord:
    """CompanyRet."""

    company_name: str | None
    legal_company_name: str | None
    email: str | None
    phone: str | None
    data_ext: tuple[DataExtValue, ...]


@dataclass(frozen=True, slots=True)
class PreferencesRecord:
    """PreferencesRet: the preferences that decide which requests QuickBooks accepts."""

    is_multi_currency_on: bool | None
    home_currency: Ref | None
    is_using_inventory: bool | None
    is_using_estimates: bool | None
    is_using_class_tracking: bool | None
    closing_date: date | None


Record = (
    AccountRecord
    | CustomerRecord
    | VendorRecord
    | ItemRecord
    | SalesTxnRecord
    | PaymentRecord
    | DataExtDefRecord
    | DataExtValue
    | ListDeletedRecord
    | TxnDeletedRecord
    | HostRecord
    | CompanyRecord
    | PreferencesRecord
)
