"""Custom fields (DataExt): the binding field, private (sfqb's OwnerID) or public (OwnerID 0).

Define sfqb's private field once with `salesforce_id_definition()` (DataExtDefAdd; status 3100
means it exists already), or a public custom field with `public_field_definition()`; set a value
with `set_salesforce_id()` (DataExtAdd for a record without a value, DataExtMod to change it),
clear it with `clear_salesforce_id()` (DataExtDel: DataExtMod cannot clear, per Intuit's OSR),
and read it by adding the OwnerID to a query's `owner_ids`. `custom_field_rules()` gives the
public custom-field slots per edition (data/custom_fields.yaml).
"""

# qb() and required() return dataclasses.field(...) objects, which ruff cannot see.
# ruff: noqa: RUF009

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any, ClassVar

import yaml

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

PUBLIC_OWNER_ID = "0"


@cache
def custom_field_rules() -> dict[str, Any]:
    """data/custom_fields.yaml: the lists, type and slots per edition of public custom fields."""
    raw = resources.files("sfqb.connectors.qbd.qbxml").joinpath("data", "custom_fields.yaml")
    data: dict[str, Any] = yaml.safe_load(raw.read_text(encoding="utf-8"))
    return data


def edition_of(product_name: str | None) -> str:
    """Pro, Premier or Enterprise from HostRet's ProductName; Pro (the fewest slots) if unsure."""
    name = (product_name or "").casefold()
    for edition in ("Enterprise", "Premier"):
        if edition.casefold() in name:
            return edition
    return "Pro"


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
    CREDIT_MEMO = "CreditMemo"
    SALES_ORDER = "SalesOrder"
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
    CREDIT_MEMO = "CreditMemo"
    SALES_ORDER = "SalesOrder"
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
class _DataExtTarget(Request):
    """A custom field on one list object or transaction."""

    WRAPPED: ClassVar[bool] = True
    owner_id: str = required("OwnerID", Kind.GUID)
    name: str = required("DataExtName")
    list_type: ListDataExtType | None = qb("ListDataExtType")
    list_obj: Ref | None = qb("ListObjRef")
    txn_type: TxnDataExtType | None = qb("TxnDataExtType")
    txn_id: str | None = qb("TxnID", Kind.ID)

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
class _DataExtValue(_DataExtTarget):
    """A custom field's value on one list object or transaction."""

    value: str = required("DataExtValue")


@dataclass(frozen=True, slots=True, kw_only=True)
class DataExtAdd(_DataExtValue):
    """Set a custom field on a record that has no value for it yet."""

    TYPE: ClassVar[str] = "DataExtAdd"


@dataclass(frozen=True, slots=True, kw_only=True)
class DataExtMod(_DataExtValue):
    """Change a custom field's value."""

    TYPE: ClassVar[str] = "DataExtMod"


@dataclass(frozen=True, slots=True, kw_only=True)
class DataExtDel(_DataExtTarget):
    """Clear a custom field's value on one list object or transaction."""

    TYPE: ClassVar[str] = "DataExtDel"


def public_field_definition(name: str, assign_to: tuple[AssignToObject, ...]) -> DataExtDefAdd:
    """DataExtDefAdd for a public custom field (OwnerID 0, STR255TYPE) QuickBooks users see."""
    return DataExtDefAdd(
        owner_id=PUBLIC_OWNER_ID, name=name, ext_type=DataExtType.STR255, assign_to=assign_to
    )


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


def _target(target: ListDataExtType | TxnDataExtType, qb_id: str) -> dict[str, Any]:
    if isinstance(target, ListDataExtType):
        return {"list_type": target, "list_obj": Ref(list_id=qb_id)}
    return {"txn_type": target, "txn_id": qb_id}


def _field(field: str | None) -> dict[str, Any]:
    if field is None:
        return {"owner_id": SFQB_OWNER_ID, "name": SALESFORCE_ID_FIELD}
    return {"owner_id": PUBLIC_OWNER_ID, "name": field}


def set_salesforce_id(
    target: ListDataExtType | TxnDataExtType,
    qb_id: str,
    salesforce_id: str,
    *,
    exists: bool,
    field: str | None = None,
) -> DataExtAdd | DataExtMod:
    """Store `salesforce_id` on the QuickBooks record `qb_id` (a ListID or a TxnID).

    `exists` tells whether the record already has a value (DataExtMod) or not (DataExtAdd);
    `field` names a public custom field, else sfqb's private SalesforceID is written.
    """
    kind = DataExtMod if exists else DataExtAdd
    return kind(**_field(field), **_target(target, qb_id), value=salesforce_id)


def clear_salesforce_id(
    target: ListDataExtType | TxnDataExtType, qb_id: str, *, field: str | None = None
) -> DataExtDel:
    """DataExtDel of the binding field's value on `qb_id`."""
    return DataExtDel(**_field(field), **_target(target, qb_id))
