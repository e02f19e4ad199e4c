"""Custom fields (DataExt): the `SalesforceID` binding field under sfqb's own OwnerID.

Define the field once with `salesforce_id_definition()` (DataExtDefAdd; status 3100 means it
exists already), set it with `set_salesforce_id()` (DataExtAdd for a record without a value,
DataExtMod to change it), and read it by adding `SFQB_OWNER_ID` to a query's `owner_ids`.
"""

# qb() and required() return dataclasses.field(...) objects, which ruff cannot see.
# ruff: noqa: RUF009

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from sfqb.connectors.qbd.qbxml.errors import QbxmlRequestError
from sfqb.connectors.qbd.qbxml.model import (
    SALESFORCE_ID_FIELD,
    SFQB_OWNER_ID,
    Kind,
    Ref,
    Request,
    qb,
    required,
)


class DataExtType(StrEnum):
    """The value types of a custom field."""

    STR255 = "STR255TYPE"
    STR1024 = "STR1024TYPE"
    INT = "INTTYPE"
    AMOUNT = "AMTTYPE"


class AssignToObject(StrEnum):
    """Objects a custom field can be attached to (those sfqb syncs)."""

    CUSTOMER = "Customer"
    VENDOR = "Vendor"
    ITEM = "Item"
    INVOICE = "Invoice"
    SALES_RECEIPT = "SalesReceipt"
    ESTIMATE = "Estimate"
    RECEIVE_PAYMENT = "ReceivePayment"


class ListDataExtType(StrEnum):
    """List objects a DataExt value can be set on."""

    CUSTOMER = "Customer"
    VENDOR = "Vendor"
    ITEM = "Item"


class TxnDataExtType(StrEnum):
    """Transactions a DataExt value can be set on."""

    INVOICE = "Invoice"
    SALES_RECEIPT = "SalesReceipt"
    ESTIMATE = "Estimate"
    RECEIVE_PAYMENT = "ReceivePayment"


@dataclass(frozen=True, slots=True, kw_only=True)
class DataExtDefAdd(Request):
    """Define a custom field."""

    TYPE: ClassVar[str] = "DataExtDefAdd"
    WRAPPED: ClassVar[bool] = True
    owner_id: str = required("OwnerID", Kind.GUID)
    name: str = required("DataExtName")
    ext_type: DataExtType = required("DataExtType")
    assign_to: tuple[AssignToObject, ...] = qb("AssignToObject", default=())


@dataclass(frozen=True, slots=True, kw_only=True)
class DataExtDefQuery(Request):
    """List custom-field definitions, by owner or by object they are assigned to."""

    TYPE: ClassVar[str] = "DataExtDefQuery"
    owner_ids: tuple[str, ...] = qb("OwnerID", Kind.GUID, default=())
    assign_to: tuple[AssignToObject, ...] = qb("AssignToObject", default=())

    def __post_init__(self) -> None:
        if self.owner_ids and self.assign_to:
            raise QbxmlRequestError(
                "DataExtDefQuery: filter by OwnerID or AssignToObject, not both"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class _DataExtValue(Request):
    """A custom field's value on one list object or transaction."""

    WRAPPED: ClassVar[bool] = True
    owner_id: str = required("OwnerID", Kind.GUID)
    name: str = required("DataExtName")
    list_type: ListDataExtType | None = qb("ListDataExtType")
    list_obj: Ref | None = qb("ListObjRef")
    txn_type: TxnDataExtType | None = qb("TxnDataExtType")
    txn_id: str | None = qb("TxnID", Kind.ID)
    value: str = required("DataExtValue")

    def __post_init__(self) -> None:
        on_list = self.list_type is not None and self.list_obj is not None
        on_txn = self.txn_type is not None and self.txn_id is not None
        partial = (self.list_type is None) != (self.list_obj is None) or (
            (self.txn_type is None) != (self.txn_id is None)
        )
        if partial or on_list == on_txn:
            raise QbxmlRequestError(
                f"{self.TYPE}: give list_type with list_obj, or txn_type with txn_id (one pair)"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class DataExtAdd(_DataExtValue):
    """Set a custom field on a record that has no value for it yet."""

    TYPE: ClassVar[str] = "DataExtAdd"


@dataclass(frozen=True, slots=True, kw_only=True)
class DataExtMod(_DataExtValue):
    """Change a custom field's value."""

    TYPE: ClassVar[str] = "DataExtMod"


def salesforce_id_definition(
    assign_to: tuple[AssignToObject, ...] = tuple(AssignToObject),
) -> DataExtDefAdd:
    """DataExtDefAdd for sfqb's private `SalesforceID` field (STR255TYPE)."""
    return DataExtDefAdd(
        owner_id=SFQB_OWNER_ID,
        name=SALESFORCE_ID_FIELD,
        ext_type=DataExtType.STR255,
        assign_to=assign_to,
    )


def set_salesforce_id(
    target: ListDataExtType | TxnDataExtType, qb_id: str, salesforce_id: str, *, exists: bool
) -> DataExtAdd | DataExtMod:
    """Store `salesforce_id` on the QuickBooks record `qb_id` (a ListID or a TxnID).

    `exists` tells whether the record already has a value (DataExtMod) or not (DataExtAdd).
    """
    kind = DataExtMod if exists else DataExtAdd
    if isinstance(target, ListDataExtType):
        return kind(
            owner_id=SFQB_OWNER_ID,
            name=SALESFORCE_ID_FIELD,
            list_type=target,
            list_obj=Ref(list_id=qb_id),
            value=salesforce_id,
        )
    return kind(
        owner_id=SFQB_OWNER_ID,
        name=SALESFORCE_ID_FIELD,
        txn_type=target,
        txn_id=qb_id,
        value=salesforce_id,
    )
