"""The codec's typed records -> QbRecord, with qbXML-shaped `fields` for the engine's maps.

Only what the codec reads is available: customers carry Name, FullName, IsActive, ParentRef,
CompanyName, FirstName, LastName, BillAddress and ShipAddress (Addr1..Addr5, City, State,
PostalCode, Country), Phone, Fax, Email, AccountNumber, Balance and TotalBalance. Absent values
are left out of `fields`, as qbXML leaves out absent elements (an address with no parts too).
Deleted records (READ_DELETED) carry ListDelType/TxnDelType, ListID/TxnID, TimeCreated,
TimeDeleted and FullName/RefNumber; READ_FIELD_DEFS gives a FieldDef record per public custom
field (AssignTo: its lists), READ_FIELD_SLOTS one FieldSlots record (per_list, groups) for the
edition HostQuery names; the preferences record (READ_PREFERENCES) always carries
IsMultiCurrencyOn, HomeCurrencyRef, IsUsingInventory, IsUsingEstimates, IsUsingClassTracking
and ClosingDate, None where QuickBooks did not say.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sfqb.connectors.qbd.operations.marker import split_marker
from sfqb.connectors.qbd.qbxml import (
    PUBLIC_OWNER_ID,
    SALESFORCE_ID_FIELD,
    SFQB_OWNER_ID,
    AccountRecord,
    AddressRecord,
    CustomerRecord,
    DataExtDefRecord,
    DataExtValue,
    HostRecord,
    ItemRecord,
    LineRecord,
    ListDeletedRecord,
    PaymentRecord,
    PreferencesRecord,
    Record,
    Ref,
    SalesTxnRecord,
    TxnDeletedRecord,
    VendorRecord,
    custom_field_rules,
    edition_of,
)
from sfqb.sync.ops import APPLIED_TO, QbRecord

_INVENTORY = "ItemInventory"
PREFERENCES = "Preferences"
FIELD_DEF = "FieldDef"
FIELD_SLOTS = "FieldSlots"


def to_qb_record(record: Record) -> QbRecord | None:
    """The QbRecord of a customer, vendor, item, account, sales transaction, payment, deleted
    list object or transaction, or the preferences; None for other records."""
    if isinstance(record, CustomerRecord):
        return _customer(record)
    if isinstance(record, VendorRecord):
        return _vendor(record)
    if isinstance(record, ItemRecord):
        return _item(record)
    if isinstance(record, SalesTxnRecord):
        return _sales_txn(record)
    if isinstance(record, PaymentRecord):
        return _payment(record)
    if isinstance(record, ListDeletedRecord | TxnDeletedRecord):
        return _deleted(record)
    if isinstance(record, PreferencesRecord):
        return _preferences(record)
    if isinstance(record, AccountRecord):
        return _account(record)
    if isinstance(record, DataExtDefRecord):
        return _field_def(record)
    if isinstance(record, HostRecord):
        return _field_slots(record)
    return None


def _account(a: AccountRecord) -> QbRecord:
    fields = _present(
        ListID=a.core.list_id,
        Name=a.name,
        FullName=a.full_name,
        IsActive=a.is_active,
        AccountType=a.account_type,
    )
    return QbRecord(
        qb_type="Account",
        id=a.core.list_id,
        version=a.core.edit_sequence,
        time_modified=a.core.time_modified,
        name=a.full_name or a.name,
        fields=fields,
    )


def salesforce_id(data_ext: tuple[DataExtValue, ...]) -> str | None:
    """The value of sfqb's SalesforceID custom field, if the record has one."""
    for value in data_ext:
        owner = (value.owner_id or SFQB_OWNER_ID).upper()
        if value.name == SALESFORCE_ID_FIELD and owner == SFQB_OWNER_ID.upper() and value.value:
            return value.value
    return None


def custom_fields(data_ext: tuple[DataExtValue, ...]) -> dict[str, str]:
    """The public custom fields (OwnerID 0) of a list record that hold a value, by name."""
    return {v.name: v.value for v in data_ext if (v.owner_id or "") == PUBLIC_OWNER_ID and v.value}


def _present(**values: Any) -> dict[str, Any]:
    # `type(v) is dict` first: comparing each Decimal, date and string with {} was a tenth of
    # reading QuickBooks' answers.
    return {k: v for k, v in values.items() if v is not None and (type(v) is not dict or v)}


def _ref(ref: Ref | None) -> dict[str, str] | None:
    if ref is None:
        return None
    return _present(ListID=ref.list_id, FullName=ref.full_name)


def _address(address: AddressRecord | None) -> dict[str, str] | None:
    if address is None:
        return None
    return _present(
        Addr1=address.addr1,
        Addr2=address.addr2,
        Addr3=address.addr3,
        Addr4=address.addr4,
        Addr5=address.addr5,
        City=address.city,
        State=address.state,
        PostalCode=address.postal_code,
        Country=address.country,
    )


def _customer(c: CustomerRecord) -> QbRecord:
    fields = _present(
        ListID=c.core.list_id,
        Name=c.name,
        FullName=c.full_name,
        IsActive=c.is_active,
        ParentRef=_ref(c.parent),
        CompanyName=c.company_name,
        FirstName=c.first_name,
        LastName=c.last_name,
        BillAddress=_address(c.bill_address),
        ShipAddress=_address(c.ship_address),
        Phone=c.phone,
        Fax=c.fax,
        Email=c.email,
        AccountNumber=c.account_number,
        Balance=c.balance,
        TotalBalance=c.total_balance,
    )
    return QbRecord(
        qb_type="Customer",
        id=c.core.list_id,
        version=c.core.edit_sequence,
        time_modified=c.core.time_modified,
        name=c.full_name or c.name,
        marker=salesforce_id(c.data_ext),
        fields=fields,
        custom=custom_fields(c.data_ext),
    )


def _vendor(v: VendorRecord) -> QbRecord:
    fields = _present(
        ListID=v.core.list_id,
        Name=v.name,
        IsActive=v.is_active,
        CompanyName=v.company_name,
        FirstName=v.first_name,
        LastName=v.last_name,
        Phone=v.phone,
        Email=v.email,
        AccountNumber=v.account_number,
        Balance=v.balance,
    )
    return QbRecord(
        qb_type="Vendor",
        id=v.core.list_id,
        version=v.core.edit_sequence,
        time_modified=v.core.time_modified,
        name=v.name,
        marker=salesforce_id(v.data_ext),
        fields=fields,
        custom=custom_fields(v.data_ext),
    )


def _item(i: ItemRecord) -> QbRecord:
    # Inventory items keep SalesDesc/SalesPrice at the top level; the others are read in the
    # SalesOrPurchase shape sfqb writes (the codec does not say which aggregate held them).
    if i.item_type == _INVENTORY:
        sales: dict[str, Any] = _present(SalesDesc=i.description, SalesPrice=i.price)
    else:
        sales = _present(SalesOrPurchase=_present(Desc=i.description, Price=i.price))
    fields = _present(
        ListID=i.core.list_id,
        ItemType=i.item_type,
        Name=i.name,
        FullName=i.full_name,
        IsActive=i.is_active,
        ParentRef=_ref(i.parent),
        PurchaseCost=i.purchase_cost,
        QuantityOnHand=i.quantity_on_hand,
    )
    return QbRecord(
        qb_type=i.item_type,
        id=i.core.list_id,
        version=i.core.edit_sequence,
        time_modified=i.core.time_modified,
        name=i.full_name or i.name,
        marker=salesforce_id(i.data_ext),
        fields={**fields, **sales},
        custom=custom_fields(i.data_ext),
    )


def _line(line: LineRecord) -> Mapping[str, Any]:
    return _present(
        TxnLineID=line.txn_line_id,
        ItemRef=_ref(line.item),
        Desc=line.desc,
        Quantity=line.quantity,
        Rate=line.rate,
        Amount=line.amount,
    )


def _sales_txn(t: SalesTxnRecord) -> QbRecord:
    memo, memo_marker = split_marker(t.memo)
    applied: Decimal | None = None
    if t.balance_remaining is not None and t.total is not None:
        # BalanceRemaining = total + AppliedAmount (payments and credits, negative).
        applied = t.balance_remaining - t.total
    fields = _present(
        TxnID=t.core.txn_id,
        TxnNumber=t.core.txn_number,
        RefNumber=t.ref_number,
        TxnDate=t.txn_date,
        DueDate=t.due_date,
        CustomerRef=_ref(t.customer),
        Memo=memo,
        Subtotal=t.subtotal,
        TotalAmount=t.total,
        AppliedAmount=applied,
        BalanceRemaining=t.balance_remaining,
        IsPaid=t.is_paid,
        CurrencyRef=_ref(t.currency),
        CreditRemaining=t.credit_remaining,
        IsManuallyClosed=t.is_manually_closed,
        IsFullyInvoiced=t.is_fully_invoiced,
    )
    fields["Lines"] = tuple(_line(line) for line in t.lines)
    if t.linked_txns:
        fields["LinkedTxn"] = t.linked_txns
    return QbRecord(
        qb_type=t.txn_type,
        id=t.core.txn_id,
        version=t.core.edit_sequence,
        time_modified=t.core.time_modified,
        name=t.ref_number,
        marker=salesforce_id(t.data_ext) or memo_marker,
        fields=fields,
    )


def _payment(p: PaymentRecord) -> QbRecord:
    fields = _present(
        TxnID=p.core.txn_id,
        TxnNumber=p.core.txn_number,
        RefNumber=p.ref_number,
        TxnDate=p.txn_date,
        CustomerRef=_ref(p.customer),
        TotalAmount=p.total_amount,
        UnusedPayment=p.unused_payment,
        Memo=p.memo,
    )
    fields["AppliedToTxn"] = tuple(
        _present(TxnID=a.txn_id, TxnType=a.txn_type, RefNumber=a.ref_number, PaymentAmount=a.amount)
        for a in p.applied
    )
    fields[APPLIED_TO] = tuple(a.txn_id for a in p.applied if a.txn_id)
    return QbRecord(
        qb_type="ReceivePayment",
        id=p.core.txn_id,
        version=p.core.edit_sequence,
        time_modified=p.core.time_modified,
        name=p.ref_number,
        marker=salesforce_id(p.data_ext),
        fields=fields,
    )


def _deleted(d: ListDeletedRecord | TxnDeletedRecord) -> QbRecord | None:
    if isinstance(d, ListDeletedRecord):
        del_type, record_id, name = d.list_del_type, d.list_id, d.full_name
        fields = _present(
            ListDelType=del_type,
            ListID=record_id,
            TimeCreated=d.time_created,
            TimeDeleted=d.time_deleted,
            FullName=name,
        )
    else:
        del_type, record_id, name = d.txn_del_type, d.txn_id, d.ref_number
        fields = _present(
            TxnDelType=del_type,
            TxnID=record_id,
            TimeCreated=d.time_created,
            TimeDeleted=d.time_deleted,
            RefNumber=name,
        )
    if record_id is None or del_type is None:
        return None  # nothing to act on without the id and type
    return QbRecord(
        qb_type=del_type,
        id=record_id,
        time_modified=d.time_deleted,
        name=name,
        fields=fields,
    )


def _preferences(p: PreferencesRecord) -> QbRecord:
    # Every key is always present (None when QuickBooks did not say), so callers can index.
    fields: dict[str, Any] = {
        "IsMultiCurrencyOn": p.is_multi_currency_on,
        "HomeCurrencyRef": _ref(p.home_currency),
        "IsUsingInventory": p.is_using_inventory,
        "IsUsingEstimates": p.is_using_estimates,
        "IsUsingClassTracking": p.is_using_class_tracking,
        "ClosingDate": p.closing_date,
    }
    return QbRecord(qb_type=PREFERENCES, id="preferences", fields=fields)


def _field_def(d: DataExtDefRecord) -> QbRecord | None:
    # READ_FIELD_DEFS: one record per public custom field, AssignTo naming its lists.
    if not d.name or (d.owner_id or "") != PUBLIC_OWNER_ID:
        return None
    return QbRecord(qb_type=FIELD_DEF, id=d.name, name=d.name, fields={"AssignTo": d.assign_to})


def _field_slots(h: HostRecord) -> QbRecord:
    # READ_FIELD_SLOTS: the custom-field slots of the edition HostRet's ProductName names.
    edition = edition_of(h.product_name)
    limits = custom_field_rules()["editions"][edition]
    return QbRecord(qb_type=FIELD_SLOTS, id=edition, name=h.product_name, fields=limits)
