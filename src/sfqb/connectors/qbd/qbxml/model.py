"""Typed qbXML request records: building blocks, queries, custom fields (DataExt), deletions.

Each record is a frozen dataclass whose fields are declared in the order of the qbXML 12.0
schema's xsd:sequence; a field's metadata names its element (`qb`) and how a value is written
(`kind`). `build.py` turns a record into elements in declaration order, skipping None and ().
"""

# qb() and required() return dataclasses.field(...) objects, which ruff cannot see.
# ruff: noqa: RUF009

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar, TypeVar

from sfqb.connectors.qbd.qbxml.errors import QbxmlRequestError

# sfqb's own OwnerID: custom fields under it are private to sfqb (not shown in QuickBooks' UI).
SFQB_OWNER_ID = "{6F1B2C9E-4D3A-4E8B-9C71-2A5D8E0F3B47}"
# The custom field that holds the Salesforce Id on a bound QuickBooks record.
SALESFORCE_ID_FIELD = "SalesforceID"


class Kind(StrEnum):
    """How a field's value is written."""

    TEXT = "text"  # sanitized and checked against the field rules
    ID = "id"  # ListID, TxnID, EditSequence: sent verbatim, printable ASCII only
    GUID = "guid"  # OwnerID: "0" or a braced GUID
    AMOUNT = "amount"  # AMTTYPE: exactly two decimals
    PRICE = "price"  # PRICETYPE: up to five decimals
    QUANTITY = "quantity"  # QUANTYPE: up to five decimals


def qb(name: str, kind: Kind = Kind.TEXT, *, default: Any = None) -> Any:
    """An optional field written as element `name` (omitted when None or empty)."""
    return dataclasses.field(default=default, metadata={"qb": name, "kind": kind})


def required(name: str, kind: Kind = Kind.TEXT) -> Any:
    """A field the schema requires, written as element `name`."""
    return dataclasses.field(metadata={"qb": name, "kind": kind})


class Request:
    """Base of every request record: the qbXML request type and whether fields are wrapped.

    Add/Mod requests wrap their fields (`<CustomerAddRq><CustomerAdd>...`); queries do not.
    """

    TYPE: ClassVar[str] = ""
    WRAPPED: ClassVar[bool] = False

    @property
    def request_type(self) -> str:
        """The request's qbXML name without "Rq", e.g. "CustomerAdd"."""
        return self.TYPE

    def attributes(self) -> dict[str, str]:
        """Attributes of the `...Rq` element besides requestID."""
        return {}


# --- building blocks -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Ref:
    """A reference to a list object: ListID wins over FullName when both are given."""

    list_id: str | None = qb("ListID", Kind.ID)
    full_name: str | None = qb("FullName")

    def __post_init__(self) -> None:
        if self.list_id is None and self.full_name is None:
            raise QbxmlRequestError("a reference needs a ListID or a FullName")


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    """A postal address (BillAddress, ShipAddress, VendorAddress)."""

    addr1: str | None = qb("Addr1")
    addr2: str | None = qb("Addr2")
    addr3: str | None = qb("Addr3")
    city: str | None = qb("City")
    state: str | None = qb("State")
    postal_code: str | None = qb("PostalCode")
    country: str | None = qb("Country")


class ActiveStatus(StrEnum):
    """Which list records a query returns; incremental syncs need ALL."""

    ACTIVE_ONLY = "ActiveOnly"
    INACTIVE_ONLY = "InactiveOnly"
    ALL = "All"


class IteratorAction(StrEnum):
    """The `iterator` attribute of a query."""

    START = "Start"
    CONTINUE = "Continue"
    STOP = "Stop"


@dataclass(frozen=True, slots=True)
class Iterator:
    """A query iterator: Start (no id), then Continue or Stop with QuickBooks' iteratorID."""

    action: IteratorAction
    iterator_id: str | None = None

    def __post_init__(self) -> None:
        if (self.action is IteratorAction.START) != (self.iterator_id is None):
            raise QbxmlRequestError(
                "iterator Start takes no iteratorID; Continue and Stop need the one QuickBooks sent"
            )

    def attributes(self) -> dict[str, str]:
        """The iterator and iteratorID attributes."""
        attrs = {"iterator": self.action.value}
        if self.iterator_id is not None:
            attrs["iteratorID"] = self.iterator_id
        return attrs


class _Iterable(Request):
    """A query that can run under an iterator."""

    iterator: Iterator | None

    def attributes(self) -> dict[str, str]:
        return self.iterator.attributes() if self.iterator is not None else {}


# --- host, company, preferences --------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class HostQuery(Request):
    """Which QuickBooks product runs and which qbXML versions it supports."""

    TYPE: ClassVar[str] = "HostQuery"


@dataclass(frozen=True, slots=True, kw_only=True)
class CompanyQuery(Request):
    """The company file's name and details (and its DataExt values for `owner_ids`)."""

    TYPE: ClassVar[str] = "CompanyQuery"
    owner_ids: tuple[str, ...] = qb("OwnerID", Kind.GUID, default=())


@dataclass(frozen=True, slots=True, kw_only=True)
class PreferencesQuery(Request):
    """The company preferences (multi-currency, inventory, estimates, class tracking)."""

    TYPE: ClassVar[str] = "PreferencesQuery"


# --- queries ---------------------------------------------------------------------------------


class ListType(StrEnum):
    """The list queries sfqb sends."""

    CUSTOMER = "Customer"
    VENDOR = "Vendor"
    ITEM = "Item"
    ACCOUNT = "Account"


@dataclass(frozen=True, slots=True, kw_only=True)
class ListQuery(_Iterable):
    """CustomerQuery, VendorQuery, ItemQuery or AccountQuery: by ListID, FullName or filter."""

    list_type: ListType
    list_ids: tuple[str, ...] = qb("ListID", Kind.ID, default=())
    full_names: tuple[str, ...] = qb("FullName", default=())
    max_returned: int | None = qb("MaxReturned")
    active_status: ActiveStatus | None = qb("ActiveStatus")
    from_modified_date: datetime | None = qb("FromModifiedDate")
    to_modified_date: datetime | None = qb("ToModifiedDate")
    include_ret_elements: tuple[str, ...] = qb("IncludeRetElement", default=())
    owner_ids: tuple[str, ...] = qb("OwnerID", Kind.GUID, default=())
    iterator: Iterator | None = None

    def __post_init__(self) -> None:
        filtered: tuple[object, ...] = (self.max_returned, self.active_status)
        filtered += (self.from_modified_date, self.to_modified_date)
        _one_selection(self.request_type, self.list_ids, self.full_names, filtered)
        _check_max_returned(self.request_type, self.max_returned)

    @property
    def request_type(self) -> str:
        return f"{self.list_type.value}Query"


@dataclass(frozen=True, slots=True, kw_only=True)
class ModifiedDateRange:
    """ModifiedDateRangeFilter of a transaction query."""

    from_modified_date: datetime | None = qb("FromModifiedDate")
    to_modified_date: datetime | None = qb("ToModifiedDate")


@dataclass(frozen=True, slots=True, kw_only=True)
class TxnDateRange:
    """TxnDateRangeFilter of a transaction query."""

    from_txn_date: date | None = qb("FromTxnDate")
    to_txn_date: date | None = qb("ToTxnDate")


class TxnType(StrEnum):
    """The transaction queries sfqb sends."""

    INVOICE = "Invoice"
    SALES_RECEIPT = "SalesReceipt"
    ESTIMATE = "Estimate"
    CREDIT_MEMO = "CreditMemo"
    SALES_ORDER = "SalesOrder"
    RECEIVE_PAYMENT = "ReceivePayment"


class PaidStatus(StrEnum):
    """PaidStatus filter of an InvoiceQuery."""

    ALL = "All"
    PAID_ONLY = "PaidOnly"
    NOT_PAID_ONLY = "NotPaidOnly"


@dataclass(frozen=True, slots=True, kw_only=True)
class TxnQuery(_Iterable):
    """InvoiceQuery, SalesReceiptQuery, EstimateQuery or ReceivePaymentQuery.

    `entity` filters by customer (a Ref with exactly one of ListID or FullName).
    """

    txn_type: TxnType
    txn_ids: tuple[str, ...] = qb("TxnID", Kind.ID, default=())
    ref_numbers: tuple[str, ...] = qb("RefNumber", default=())
    max_returned: int | None = qb("MaxReturned")
    modified_date_range: ModifiedDateRange | None = qb("ModifiedDateRangeFilter")
    txn_date_range: TxnDateRange | None = qb("TxnDateRangeFilter")
    entity: Ref | None = qb("EntityFilter")
    paid_status: PaidStatus | None = qb("PaidStatus")
    include_line_items: bool | None = qb("IncludeLineItems")
    include_linked_txns: bool | None = qb("IncludeLinkedTxns")
    include_ret_elements: tuple[str, ...] = qb("IncludeRetElement", default=())
    owner_ids: tuple[str, ...] = qb("OwnerID", Kind.GUID, default=())
    iterator: Iterator | None = None

    def __post_init__(self) -> None:
        name = self.request_type
        filtered: tuple[object, ...] = (self.max_returned, self.modified_date_range)
        filtered += (self.txn_date_range, self.entity, self.paid_status)
        _one_selection(name, self.txn_ids, self.ref_numbers, filtered)
        _check_max_returned(name, self.max_returned)
        if self.modified_date_range is not None and self.txn_date_range is not None:
            raise QbxmlRequestError(f"{name}: filter by modified date or by txn date, not both")
        if self.entity is not None and None not in (self.entity.list_id, self.entity.full_name):
            raise QbxmlRequestError(f"{name}: EntityFilter takes a ListID or a FullName, not both")
        if self.paid_status is not None and self.txn_type is not TxnType.INVOICE:
            raise QbxmlRequestError(f"{name}: PaidStatus exists only on InvoiceQuery")
        linked = (TxnType.INVOICE, TxnType.ESTIMATE, TxnType.CREDIT_MEMO, TxnType.SALES_ORDER)
        if self.include_linked_txns is not None and self.txn_type not in linked:
            raise QbxmlRequestError(
                f"{name}: IncludeLinkedTxns exists only for invoices, estimates and sales orders"
            )

    @property
    def request_type(self) -> str:
        return f"{self.txn_type.value}Query"


def _one_selection(
    name: str, ids: tuple[str, ...], names: tuple[str, ...], filters: tuple[object, ...]
) -> None:
    chosen = sum(1 for group in (ids, names, [f for f in filters if f is not None]) if group)
    if chosen > 1:
        raise QbxmlRequestError(f"{name}: select by IDs, by names or by filters - only one of them")


def _check_max_returned(name: str, value: int | None) -> None:
    if value is not None and value < 1:
        raise QbxmlRequestError(f"{name}: MaxReturned must be at least 1, not {value}")


Q = TypeVar("Q", ListQuery, TxnQuery)


def continue_query(query: Q, iterator_id: str) -> Q:
    """The same query, continuing the iterator QuickBooks opened."""
    return dataclasses.replace(query, iterator=Iterator(IteratorAction.CONTINUE, iterator_id))


def stop_query(query: Q, iterator_id: str) -> Q:
    """The same query, releasing the iterator before it is exhausted."""
    return dataclasses.replace(query, iterator=Iterator(IteratorAction.STOP, iterator_id))


# --- deletions -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class DeletedDateRange:
    """DeletedDateRangeFilter of ListDeletedQuery / TxnDeletedQuery."""

    from_deleted_date: datetime | None = qb("FromDeletedDate")
    to_deleted_date: datetime | None = qb("ToDeletedDate")


class ListDelType(StrEnum):
    """List types whose deletions sfqb asks for."""

    CUSTOMER = "Customer"
    VENDOR = "Vendor"
    ITEM_SERVICE = "ItemService"
    ITEM_NON_INVENTORY = "ItemNonInventory"
    ITEM_INVENTORY = "ItemInventory"


class TxnDelType(StrEnum):
    """Transaction types whose deletions sfqb asks for."""

    INVOICE = "Invoice"
    SALES_RECEIPT = "SalesReceipt"
    ESTIMATE = "Estimate"
    CREDIT_MEMO = "CreditMemo"
    SALES_ORDER = "SalesOrder"
    RECEIVE_PAYMENT = "ReceivePayment"


@dataclass(frozen=True, slots=True, kw_only=True)
class ListDeletedQuery(Request):
    """List records deleted in QuickBooks."""

    TYPE: ClassVar[str] = "ListDeletedQuery"
    list_del_types: tuple[ListDelType, ...] = required("ListDelType")
    deleted_range: DeletedDateRange | None = qb("DeletedDateRangeFilter")

    def __post_init__(self) -> None:
        if not self.list_del_types:
            raise QbxmlRequestError("ListDeletedQuery needs at least one ListDelType")


@dataclass(frozen=True, slots=True, kw_only=True)
class TxnDeletedQuery(Request):
    """Transactions deleted in QuickBooks."""

    TYPE: ClassVar[str] = "TxnDeletedQuery"
    txn_del_types: tuple[TxnDelType, ...] = required("TxnDelType")
    deleted_range: DeletedDateRange | None = qb("DeletedDateRangeFilter")

    def __post_init__(self) -> None:
        if not self.txn_del_types:
            raise QbxmlRequestError("TxnDeletedQuery needs at least one TxnDelType")
