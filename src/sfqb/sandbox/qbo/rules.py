"""Validation of names, lengths, characters, uniqueness and references, as Intuit documents.

Sources: Intuit's Accounting API entity reference pages (Customer, Vendor, Employee, Item,
Account, Invoice) for lengths; Workato's "Troubleshoot QuickBooks Online runtime errors" for
the characters QuickBooks Online accepts in a display name. Where they are silent the sandbox
is stricter (said at each rule).
"""

from __future__ import annotations

import re
from typing import Any

from sfqb.sandbox.qbo import errors
from sfqb.sandbox.qbo.company import NAME_LISTS, Company, Record

# Lengths from Intuit's entity reference pages (max characters).
PARTY_LENGTHS = {
    "DisplayName": 500,
    "Title": 16,
    "GivenName": 100,
    "MiddleName": 100,
    "FamilyName": 100,
    "Suffix": 16,
    "CompanyName": 100,
    "PrintOnCheckName": 110,
    "Notes": 2000,
    "PrimaryEmailAddr.Address": 100,
    "PrimaryPhone.FreeFormNumber": 30,
    "BillAddr.Line1": 500,
    "BillAddr.City": 255,
    "BillAddr.PostalCode": 30,
    "BillAddr.CountrySubDivisionCode": 255,
    "BillAddr.Country": 255,
}
ITEM_LENGTHS = {"Name": 100, "Description": 4000, "Sku": 100, "PurchaseDesc": 1000}
ACCOUNT_LENGTHS = {"Name": 100, "Description": 100, "AcctNum": 20}
TXN_LENGTHS = {"DocNumber": 21, "PrivateNote": 4000, "CustomerMemo.value": 1000}
LINE_LENGTHS = {"Description": 4000}

# Characters QuickBooks Online accepts in a display name (Workato's QBO troubleshooting page):
# letters, digits, space and , . ? @ & ! # ' ~ * _ - ; + ( ). Other punctuation is refused here,
# the stricter reading of a list of accepted characters. "Letters" are Unicode letters:
# QuickBooks Online serves companies in French, German and other languages, whose customer
# names carry accents, so refusing them would model no real company.
_DISPLAY_NAME_OK = re.compile(r"[\w ,.?@&!#'~*\-;+()]*")
# Item and account names: no colon (it separates parent:child), tab or newline; accounts no
# double quote either (Intuit's Item and Account reference pages).
_ITEM_NAME_BAD = re.compile(r"[:\t\n]")
_ACCOUNT_NAME_BAD = re.compile(r"[:\t\n\"]")
ITEM_TYPES = ("Service", "NonInventory", "Inventory")


def field(record: Record, path: str) -> Any:
    """The value at a dotted path, or None."""
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def check_lengths(record: Record, limits: dict[str, int], prefix: str = "") -> None:
    """2050 for the first string over its limit."""
    for path, maximum in limits.items():
        value = field(record, path)
        if isinstance(value, str) and len(value) > maximum:
            raise errors.too_long(prefix + path, maximum, len(value))


def party(company: Company, entity: str, record: Record, own_id: str | None) -> None:
    """Customer, Vendor or Employee: DisplayName (derived from the names when absent),
    lengths, characters, and uniqueness across all three lists (6240)."""
    if not record.get("DisplayName"):
        parts = [record.get(k) for k in ("Title", "GivenName", "MiddleName", "FamilyName")]
        derived = " ".join(p for p in parts if isinstance(p, str) and p)
        if not derived:
            derived = record.get("CompanyName") or ""
        if not derived:
            raise errors.required(f"{entity}.DisplayName")
        record["DisplayName"] = derived
    name = record["DisplayName"]
    if not isinstance(name, str):
        raise errors.invalid_property("DisplayName must be a string", "DisplayName")
    check_lengths(record, PARTY_LENGTHS)
    if not _DISPLAY_NAME_OK.fullmatch(name):
        bad = sorted({c for c in name if not _DISPLAY_NAME_OK.fullmatch(c)})
        raise errors.business(
            f"The display name contains characters QuickBooks Online does not accept: "
            f"{''.join(bad)!r}",
            element="DisplayName",
        )
    if name != name.strip():
        raise errors.business("The display name starts or ends with a space", element="DisplayName")
    record.setdefault("Active", True)
    if entity == "Customer":
        _customer_parent(company, record, own_id)
    else:
        record["FullyQualifiedName"] = name
    # Unique across customers, vendors and employees, case-insensitively and including
    # inactive records (Intuit is silent on both; the stricter reading).
    for other_entity in NAME_LISTS:
        for other in company.records[other_entity].values():
            same = other_entity == entity and other["Id"] == own_id
            if not same and other["DisplayName"].casefold() == name.casefold():
                raise errors.duplicate_name(name)


def item(company: Company, record: Record, own_id: str | None) -> None:
    """Item: Name required, unique among items (6240), no colon/tab/newline; Type one of
    Service/NonInventory/Inventory; IncomeAccountRef required (Inventory also needs the asset
    and expense accounts, QtyOnHand and InvStartDate), per Intuit's Item reference.

    Inventory needs the company's "Track quantity on hand" (6000 otherwise: `tracks_inventory`).
    Intuit is silent on whether an update is refused too and on which check comes first; the
    sandbox is stricter: creates and updates alike, before the required fields are checked."""
    name = record.get("Name")
    if not name:
        raise errors.required("Item.Name")
    check_lengths(record, ITEM_LENGTHS)
    if _ITEM_NAME_BAD.search(name):
        raise errors.business("An item name cannot contain a colon, tab or newline", element="Name")
    kind = record.get("Type")
    if kind not in ITEM_TYPES:
        raise errors.invalid_property(f"Item.Type {kind!r} is not one of {ITEM_TYPES}", "Type")
    if kind == "Inventory" and not tracks_inventory(company):
        raise errors.inventory_off()
    needed = ["IncomeAccountRef"]
    if kind == "Inventory":
        needed += ["AssetAccountRef", "ExpenseAccountRef", "QtyOnHand", "InvStartDate"]
        record["TrackQtyOnHand"] = True
    for key in needed:
        if record.get(key) in (None, "", {}):
            raise errors.required(f"Item.{key}")
    for key in ("IncomeAccountRef", "AssetAccountRef", "ExpenseAccountRef"):
        if key in record:
            reference(company, "Account", record[key], key)
    record.setdefault("Active", True)
    record.setdefault("FullyQualifiedName", name)
    for other in company.records["Item"].values():
        if other["Id"] != own_id and other["Name"].casefold() == name.casefold():
            raise errors.duplicate_name(name)


def tracks_inventory(company: Company) -> bool:
    """The company preference "Track inventory quantity on hand"
    (Preferences.ProductAndServicesPrefs.QuantityOnHand); missing reads as off."""
    prefs = company.preferences.get("ProductAndServicesPrefs")
    return isinstance(prefs, dict) and prefs.get("QuantityOnHand") is True


def account(company: Company, record: Record, own_id: str | None) -> None:
    """Account: Name and AccountType required, unique, no colon or double quote."""
    name = record.get("Name")
    if not name:
        raise errors.required("Account.Name")
    if not record.get("AccountType"):
        raise errors.required("Account.AccountType")
    check_lengths(record, ACCOUNT_LENGTHS)
    if _ACCOUNT_NAME_BAD.search(name):
        raise errors.business('An account name cannot contain : or "', element="Name")
    record.setdefault("Active", True)
    record.setdefault("FullyQualifiedName", name)
    for other in company.records["Account"].values():
        if other["Id"] != own_id and other["Name"].casefold() == name.casefold():
            raise errors.duplicate_name(name)


def reference(company: Company, entity: str, ref: Any, element: str) -> Record:
    """The record a `{"value": Id}` points at: 2500 when unknown, 610 when inactive."""
    if not isinstance(ref, dict) or not ref.get("value"):
        raise errors.invalid_reference(element)
    target = company.records[entity].get(str(ref["value"]))
    if target is None:
        raise errors.invalid_reference(element)
    if target.get("Active") is False:
        raise errors.not_found(entity, str(ref["value"]), element)
    return target


# Sub-customers. Intuit's Customer reference: "set Job to true and set ParentRef to reference
# parent customer object"; FullyQualifiedName is "Parent:Child" and Level counts from 0 at the
# top. Intuit's answer in its community ("Using QuickBooks Online: how do I add a job under a
# customer", quickbooks.intuit.com/learn-support, 1451358): "parent accounts can only have
# sub-customers up to four levels".
MAX_LEVEL = 4


def _customer_parent(company: Company, record: Record, own_id: str | None) -> None:
    """ParentRef, Job, Level and FullyQualifiedName of a customer (FullyQualifiedName and Level
    are computed, whatever the body sent)."""
    ref = record.get("ParentRef")
    if not ref:
        record.pop("ParentRef", None)
        record["Job"] = False
        record["Level"] = 0
        record["FullyQualifiedName"] = record["DisplayName"]
        return
    parent_id = str(ref.get("value", "")) if isinstance(ref, dict) else ""
    parent = company.records["Customer"].get(parent_id)
    if parent is None or not parent.get("Active", True):
        # The parent must exist and be active (Intuit is silent on the code: 2500, the code of
        # every other reference to a missing or inactive record here).
        raise errors.invalid_reference("ParentRef")
    if record.get("Job") is not True:
        raise errors.business("A sub-customer needs Job true beside its ParentRef", element="Job")
    ancestors = _ancestors(company, parent)
    if own_id is not None and (parent_id == own_id or own_id in ancestors):
        raise errors.business("A customer cannot be its own parent", element="ParentRef")
    level = len(ancestors) + 1
    if level + (_height(company, own_id) if own_id else 0) > MAX_LEVEL:
        raise errors.business(
            f"Sub-customers go at most {MAX_LEVEL} levels below a parent", element="ParentRef"
        )
    record["ParentRef"] = {"value": parent_id}
    record["Level"] = level
    record["FullyQualifiedName"] = f"{parent['FullyQualifiedName']}:{record['DisplayName']}"


def _ancestors(company: Company, customer: Record) -> list[str]:
    """The Ids above `customer`, nearest first (it not included)."""
    found: list[str] = []
    ref = customer.get("ParentRef")
    while isinstance(ref, dict) and ref.get("value") and str(ref["value"]) not in found:
        found.append(str(ref["value"]))
        above = company.records["Customer"].get(str(ref["value"]))
        ref = above.get("ParentRef") if above is not None else None
    return found


def _children(company: Company, ident: str) -> list[Record]:
    return [
        c
        for c in company.records["Customer"].values()
        if isinstance(c.get("ParentRef"), dict) and str(c["ParentRef"].get("value")) == ident
    ]


def _height(company: Company, ident: str) -> int:
    children = _children(company, ident)
    return 1 + max(_height(company, c["Id"]) for c in children) if children else 0


def refresh_children(company: Company, ident: str) -> None:
    """A renamed or moved customer: its sub-customers' FullyQualifiedName and Level follow
    (QuickBooks computes them; the children themselves are not changed, no new SyncToken)."""
    parent = company.records["Customer"].get(ident)
    if parent is None:
        return
    for child in _children(company, ident):
        child["FullyQualifiedName"] = f"{parent['FullyQualifiedName']}:{child['DisplayName']}"
        child["Level"] = int(parent.get("Level", 0)) + 1
        refresh_children(company, child["Id"])
