"""One QbOp -> one request of the qbXML codec (plus the text changes made on the way)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from sfqb.connectors.qbd.operations.errors import OpRefused
from sfqb.connectors.qbd.operations.fields import build
from sfqb.connectors.qbd.operations.marker import with_marker
from sfqb.connectors.qbd.qbxml import (
    PUBLIC_OWNER_ID,
    SFQB_OWNER_ID,
    ActiveStatus,
    AssignToObject,
    CreditMemoAdd,
    CreditMemoMod,
    CustomerAdd,
    CustomerMod,
    DataExtDefQuery,
    DeletedDateRange,
    EstimateAdd,
    EstimateMod,
    HostQuery,
    InvoiceAdd,
    InvoiceMod,
    ItemInventoryAdd,
    ItemInventoryMod,
    ItemNonInventoryAdd,
    ItemNonInventoryMod,
    ItemServiceAdd,
    ItemServiceMod,
    Iterator,
    IteratorAction,
    ListDataExtType,
    ListDeletedQuery,
    ListDelType,
    ListQuery,
    ListType,
    ModifiedDateRange,
    PreferencesQuery,
    Request,
    SalesOrderAdd,
    SalesOrderMod,
    SalesReceiptAdd,
    SalesReceiptMod,
    TextChange,
    TxnDataExtType,
    TxnDeletedQuery,
    TxnDelType,
    TxnQuery,
    TxnType,
    VendorAdd,
    VendorMod,
    clear_salesforce_id,
    public_field_definition,
    salesforce_id_definition,
    set_salesforce_id,
)
from sfqb.domain.entities import QbRef
from sfqb.mapping.result import SCALARS
from sfqb.sync.ops import QbAction, QbOp

MEMO = "Memo"


@dataclass(frozen=True, slots=True)
class _Writer:
    """The Add and Mod request classes of one QuickBooks type, and its id attribute."""

    add: type[Request]
    mod: type[Request]
    id_attr: str

    @property
    def is_txn(self) -> bool:
        return self.id_attr == "txn_id"


_WRITERS: Mapping[str, _Writer] = MappingProxyType(
    {
        "Customer": _Writer(CustomerAdd, CustomerMod, "list_id"),
        "Vendor": _Writer(VendorAdd, VendorMod, "list_id"),
        "ItemService": _Writer(ItemServiceAdd, ItemServiceMod, "list_id"),
        "ItemNonInventory": _Writer(ItemNonInventoryAdd, ItemNonInventoryMod, "list_id"),
        "ItemInventory": _Writer(ItemInventoryAdd, ItemInventoryMod, "list_id"),
        "Invoice": _Writer(InvoiceAdd, InvoiceMod, "txn_id"),
        "SalesReceipt": _Writer(SalesReceiptAdd, SalesReceiptMod, "txn_id"),
        "Estimate": _Writer(EstimateAdd, EstimateMod, "txn_id"),
        "CreditMemo": _Writer(CreditMemoAdd, CreditMemoMod, "txn_id"),
        "SalesOrder": _Writer(SalesOrderAdd, SalesOrderMod, "txn_id"),
    }
)
_ITEM_TYPES = ("Item", "ItemService", "ItemNonInventory", "ItemInventory")
_LIST_TYPES: Mapping[str, ListType] = MappingProxyType(
    {
        "Customer": ListType.CUSTOMER,
        "Vendor": ListType.VENDOR,
        **dict.fromkeys(_ITEM_TYPES, ListType.ITEM),
    }
)
_TXN_TYPES: Mapping[str, TxnType] = MappingProxyType({t.value: t for t in TxnType})
_LINKED = frozenset({TxnType.INVOICE, TxnType.ESTIMATE, TxnType.SALES_ORDER})
_MARKER_TARGETS: Mapping[str, ListDataExtType | TxnDataExtType] = MappingProxyType(
    {
        "Customer": ListDataExtType.CUSTOMER,
        "Vendor": ListDataExtType.VENDOR,
        **dict.fromkeys(_ITEM_TYPES, ListDataExtType.ITEM),
        **{t.value: t for t in TxnDataExtType},
    }
)
_ITEM_DEL_TYPES = (
    ListDelType.ITEM_SERVICE,
    ListDelType.ITEM_NON_INVENTORY,
    ListDelType.ITEM_INVENTORY,
)
_LIST_DEL_TYPES: Mapping[str, tuple[ListDelType, ...]] = MappingProxyType(
    {
        "Customer": (ListDelType.CUSTOMER,),
        "Vendor": (ListDelType.VENDOR,),
        "Item": _ITEM_DEL_TYPES,
        **{t.value: (t,) for t in _ITEM_DEL_TYPES},
    }
)
_TXN_DEL_TYPES: Mapping[str, TxnDelType] = MappingProxyType({t.value: t for t in TxnDelType})
_OWNER = (SFQB_OWNER_ID,)
# Lists are read with their public custom fields too (the visible binding field). Transactions
# are not: they inherit their customer's custom fields, which are never their own binding.
_LIST_OWNERS = (SFQB_OWNER_ID, PUBLIC_OWNER_ID)


@dataclass(frozen=True, slots=True)
class OpRequest:
    """The request for one op and the text changes sfqb made before the codec saw it."""

    request: Request
    changes: tuple[TextChange, ...] = ()


def to_request(op: QbOp) -> OpRequest:
    """The codec request for `op`; raises OpRefused (or a codec error) when it cannot be built."""
    return _BY_ACTION[op.action](op)


def _write(op: QbOp) -> OpRequest:
    writer = _WRITERS.get(op.qb_type)
    if writer is None:
        raise OpRefused(f"{op.action} of {op.qb_type!r} is not supported (one of {list(_WRITERS)})")
    cls = writer.add if op.action is QbAction.ADD else writer.mod
    preset: dict[str, Any] = {}
    if op.action is QbAction.MOD:
        if not op.qb_id or not op.version:
            raise OpRefused(f"{cls.TYPE} needs the record's id and EditSequence")
        preset = {writer.id_attr: op.qb_id, "edit_sequence": op.version}
    fields: dict[str, Any] = encode_refs(op.fields)
    changes: tuple[TextChange, ...] = ()
    if writer.is_txn and op.sf is not None and (op.action is QbAction.ADD or MEMO in fields):
        memo = fields.get(MEMO)
        if memo is not None and not isinstance(memo, str):
            raise OpRefused(f"{cls.TYPE}/{MEMO} must be text, not {type(memo).__name__}")
        fields[MEMO], change = with_marker(memo, op.sf.id, f"{cls.TYPE}/{MEMO}")
        changes = (change,) if change is not None else ()
    return OpRequest(build(cls, fields, cls.TYPE, preset), changes)


def encode_refs(value: Any) -> Any:
    """A write's fields with every resolved reference (`QbRef`) as qbXML's {"ListID": id}."""
    if type(value) in SCALARS:  # most values: by type, before the isinstance checks
        return value
    if isinstance(value, QbRef):
        return {"ListID": value.id}
    if isinstance(value, Mapping):
        return {str(k): encode_refs(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode_refs(v) for v in value]
    return value


def _read_changed(op: QbOp) -> OpRequest:
    # A limit reads in pages under an iterator (Start, then Continue with QuickBooks'
    # iteratorID, in the same session), so no answer is unbounded.
    paging: dict[str, Any] = {}
    if op.limit is not None:
        action = IteratorAction.START if op.cursor is None else IteratorAction.CONTINUE
        paging = {"max_returned": op.limit, "iterator": Iterator(action, op.cursor)}
    if op.qb_type in _LIST_TYPES:
        return OpRequest(
            ListQuery(
                list_type=_LIST_TYPES[op.qb_type],
                active_status=ActiveStatus.ALL,
                from_modified_date=op.since,
                owner_ids=_LIST_OWNERS,
                **paging,
            )
        )
    txn_type = _txn_type(op)
    changed = ModifiedDateRange(from_modified_date=op.since) if op.since is not None else None
    return OpRequest(_txn_query(txn_type, modified_date_range=changed, **paging))


def _read(op: QbOp) -> OpRequest:
    if not op.ids and not op.names:
        raise OpRefused(f"a read of {op.qb_type} needs ids or names (else it reads everything)")
    if op.qb_type in _LIST_TYPES:
        query = ListQuery(
            list_type=_LIST_TYPES[op.qb_type],
            list_ids=op.ids,
            full_names=op.names,
            owner_ids=_LIST_OWNERS,
        )
        return OpRequest(query)
    txn_type = _txn_type(op)
    # A read by id also asks for LinkedTxn: whether a sales order or estimate was invoiced.
    linked = True if txn_type in _LINKED else None
    return OpRequest(
        _txn_query(txn_type, txn_ids=op.ids, ref_numbers=op.names, include_linked_txns=linked)
    )


def _txn_type(op: QbOp) -> TxnType:
    txn_type = _TXN_TYPES.get(op.qb_type)
    if txn_type is None:
        known = [*_LIST_TYPES, *_TXN_TYPES]
        raise OpRefused(f"{op.action} of {op.qb_type!r} is not supported (one of {known})")
    return txn_type


def _txn_query(txn_type: TxnType, **selection: Any) -> TxnQuery:
    lines = None if txn_type is TxnType.RECEIVE_PAYMENT else True
    return TxnQuery(txn_type=txn_type, include_line_items=lines, owner_ids=_OWNER, **selection)


def _read_deleted(op: QbOp) -> OpRequest:
    # op.ids are not part of the query (qbXML has no such filter): results() applies them.
    # The deleted queries have no iterator: a window (since..until) bounds the answer.
    deleted = None
    if op.since is not None or op.until is not None:
        deleted = DeletedDateRange(from_deleted_date=op.since, to_deleted_date=op.until)
    list_types = _LIST_DEL_TYPES.get(op.qb_type)
    if list_types is not None:
        return OpRequest(ListDeletedQuery(list_del_types=list_types, deleted_range=deleted))
    txn_type = _TXN_DEL_TYPES.get(op.qb_type)
    if txn_type is None:
        known = [*_LIST_DEL_TYPES, *_TXN_DEL_TYPES]
        raise OpRefused(f"{op.action} of {op.qb_type!r} is not supported (one of {known})")
    return OpRequest(TxnDeletedQuery(txn_del_types=(txn_type,), deleted_range=deleted))


def _read_preferences(op: QbOp) -> OpRequest:
    return OpRequest(PreferencesQuery())


def _read_list(op: QbOp) -> OpRequest:
    if op.qb_type != ListType.ACCOUNT.value:
        raise OpRefused(f"{op.action} of {op.qb_type!r} is not supported (one of ['Account'])")
    return OpRequest(ListQuery(list_type=ListType.ACCOUNT, active_status=ActiveStatus.ACTIVE_ONLY))


def _marker_target(op: QbOp) -> ListDataExtType | TxnDataExtType:
    target = _MARKER_TARGETS.get(op.qb_type)
    if target is None:
        raise OpRefused(f"no SalesforceID field on {op.qb_type!r} (one of {list(_MARKER_TARGETS)})")
    if op.binding_field is not None and isinstance(target, TxnDataExtType):
        raise OpRefused(f"a {op.qb_type} keeps its binding in sfqb's private field")
    if not op.qb_id:
        raise OpRefused(f"the SalesforceID field of a {op.qb_type} needs the record's id")
    return target


def _set_marker(op: QbOp) -> OpRequest:
    target = _marker_target(op)
    if not op.marker:
        raise OpRefused(f"setting the SalesforceID of a {op.qb_type} needs its id and the marker")
    assert op.qb_id is not None
    return OpRequest(
        set_salesforce_id(target, op.qb_id, op.marker, exists=op.exists, field=op.binding_field)
    )


def _clear_marker(op: QbOp) -> OpRequest:
    target = _marker_target(op)
    assert op.qb_id is not None
    return OpRequest(clear_salesforce_id(target, op.qb_id, field=op.binding_field))


def _define_marker(op: QbOp) -> OpRequest:
    if op.binding_field is None:
        return OpRequest(salesforce_id_definition())
    try:
        lists = tuple(AssignToObject(name) for name in op.names)
    except ValueError:
        raise OpRefused(f"a custom field cannot be put on {list(op.names)}") from None
    return OpRequest(public_field_definition(op.binding_field, lists))


def _read_field_defs(op: QbOp) -> OpRequest:
    return OpRequest(DataExtDefQuery(owner_ids=(PUBLIC_OWNER_ID,)))


def _read_field_slots(op: QbOp) -> OpRequest:
    # The slots depend on the edition, which HostQuery's ProductName tells (records.py).
    return OpRequest(HostQuery())


_BY_ACTION: Mapping[QbAction, Callable[[QbOp], OpRequest]] = MappingProxyType(
    {
        QbAction.ADD: _write,
        QbAction.MOD: _write,
        QbAction.READ_CHANGED: _read_changed,
        QbAction.READ: _read,
        QbAction.SET_MARKER: _set_marker,
        QbAction.DEFINE_MARKER: _define_marker,
        QbAction.READ_DELETED: _read_deleted,
        QbAction.READ_PREFERENCES: _read_preferences,
        QbAction.READ_LIST: _read_list,
        QbAction.READ_FIELD_DEFS: _read_field_defs,
        QbAction.READ_FIELD_SLOTS: _read_field_slots,
        QbAction.CLEAR_MARKER: _clear_marker,
    }
)
