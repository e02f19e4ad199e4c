"""List-object requests: Customer, Vendor and Item (Service, NonInventory, Inventory) Add/Mod.

Field order follows the qbXML 12.0 schema exactly (it differs between objects and between Add
and Mod: e.g. ItemNonInventoryAdd has ParentRef before ClassRef, ItemNonInventoryMod after).
A Mod starts with ListID and the EditSequence QuickBooks last returned (stale -> status 3200);
fields left None are not sent and stay unchanged in QuickBooks.
"""

# qb() and required() return dataclasses.field(...) objects, which ruff cannot see.
# ruff: noqa: RUF009

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from sfqb.connectors.qbd.qbxml.errors import QbxmlRequestError
from sfqb.connectors.qbd.qbxml.model import Address, Kind, Ref, Request, qb, required


@dataclass(frozen=True, slots=True, kw_only=True)
class _ListAdd(Request):
    WRAPPED: ClassVar[bool] = True


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerAdd(_ListAdd):
    """Create a customer (or a job: set `parent` to the customer)."""

    TYPE: ClassVar[str] = "CustomerAdd"
    name: str = required("Name")
    is_active: bool | None = qb("IsActive")
    parent: Ref | None = qb("ParentRef")
    company_name: str | None = qb("CompanyName")
    salutation: str | None = qb("Salutation")
    first_name: str | None = qb("FirstName")
    last_name: str | None = qb("LastName")
    job_title: str | None = qb("JobTitle")
    bill_address: Address | None = qb("BillAddress")
    ship_address: Address | None = qb("ShipAddress")
    phone: str | None = qb("Phone")
    alt_phone: str | None = qb("AltPhone")
    fax: str | None = qb("Fax")
    email: str | None = qb("Email")
    terms: Ref | None = qb("TermsRef")
    account_number: str | None = qb("AccountNumber")
    credit_limit: Decimal | None = qb("CreditLimit", Kind.AMOUNT)
    notes: str | None = qb("Notes")
    currency: Ref | None = qb("CurrencyRef")


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerMod(_ListAdd):
    """Change a customer."""

    TYPE: ClassVar[str] = "CustomerMod"
    list_id: str = required("ListID", Kind.ID)
    edit_sequence: str = required("EditSequence", Kind.ID)
    name: str | None = qb("Name")
    is_active: bool | None = qb("IsActive")
    parent: Ref | None = qb("ParentRef")
    company_name: str | None = qb("CompanyName")
    salutation: str | None = qb("Salutation")
    first_name: str | None = qb("FirstName")
    last_name: str | None = qb("LastName")
    job_title: str | None = qb("JobTitle")
    bill_address: Address | None = qb("BillAddress")
    ship_address: Address | None = qb("ShipAddress")
    phone: str | None = qb("Phone")
    alt_phone: str | None = qb("AltPhone")
    fax: str | None = qb("Fax")
    email: str | None = qb("Email")
    terms: Ref | None = qb("TermsRef")
    account_number: str | None = qb("AccountNumber")
    credit_limit: Decimal | None = qb("CreditLimit", Kind.AMOUNT)
    notes: str | None = qb("Notes")
    currency: Ref | None = qb("CurrencyRef")


@dataclass(frozen=True, slots=True, kw_only=True)
class VendorAdd(_ListAdd):
    """Create a vendor."""

    TYPE: ClassVar[str] = "VendorAdd"
    name: str = required("Name")
    is_active: bool | None = qb("IsActive")
    company_name: str | None = qb("CompanyName")
    salutation: str | None = qb("Salutation")
    first_name: str | None = qb("FirstName")
    last_name: str | None = qb("LastName")
    job_title: str | None = qb("JobTitle")
    address: Address | None = qb("VendorAddress")
    phone: str | None = qb("Phone")
    alt_phone: str | None = qb("AltPhone")
    fax: str | None = qb("Fax")
    email: str | None = qb("Email")
    name_on_check: str | None = qb("NameOnCheck")
    account_number: str | None = qb("AccountNumber")
    notes: str | None = qb("Notes")
    terms: Ref | None = qb("TermsRef")
    credit_limit: Decimal | None = qb("CreditLimit", Kind.AMOUNT)
    tax_ident: str | None = qb("VendorTaxIdent")
    eligible_for_1099: bool | None = qb("IsVendorEligibleFor1099")
    currency: Ref | None = qb("CurrencyRef")


@dataclass(frozen=True, slots=True, kw_only=True)
class VendorMod(_ListAdd):
    """Change a vendor."""

    TYPE: ClassVar[str] = "VendorMod"
    list_id: str = required("ListID", Kind.ID)
    edit_sequence: str = required("EditSequence", Kind.ID)
    name: str | None = qb("Name")
    is_active: bool | None = qb("IsActive")
    company_name: str | None = qb("CompanyName")
    salutation: str | None = qb("Salutation")
    first_name: str | None = qb("FirstName")
    last_name: str | None = qb("LastName")
    job_title: str | None = qb("JobTitle")
    address: Address | None = qb("VendorAddress")
    phone: str | None = qb("Phone")
    alt_phone: str | None = qb("AltPhone")
    fax: str | None = qb("Fax")
    email: str | None = qb("Email")
    name_on_check: str | None = qb("NameOnCheck")
    account_number: str | None = qb("AccountNumber")
    notes: str | None = qb("Notes")
    terms: Ref | None = qb("TermsRef")
    credit_limit: Decimal | None = qb("CreditLimit", Kind.AMOUNT)
    tax_ident: str | None = qb("VendorTaxIdent")
    eligible_for_1099: bool | None = qb("IsVendorEligibleFor1099")
    currency: Ref | None = qb("CurrencyRef")


# --- items -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SalesOrPurchase:
    """An item bought or sold (not both): description, price, account."""

    desc: str | None = qb("Desc")
    price: Decimal | None = qb("Price", Kind.PRICE)
    account: Ref | None = qb("AccountRef")


@dataclass(frozen=True, slots=True, kw_only=True)
class SalesAndPurchase:
    """An item both bought and sold."""

    sales_desc: str | None = qb("SalesDesc")
    sales_price: Decimal | None = qb("SalesPrice", Kind.PRICE)
    income_account: Ref | None = qb("IncomeAccountRef")
    purchase_desc: str | None = qb("PurchaseDesc")
    purchase_cost: Decimal | None = qb("PurchaseCost", Kind.PRICE)
    expense_account: Ref | None = qb("ExpenseAccountRef")
    pref_vendor: Ref | None = qb("PrefVendorRef")


class _SalesChoice(Request):
    sales_or_purchase: SalesOrPurchase | None
    sales_and_purchase: SalesAndPurchase | None

    def _check_choice(self, needed: bool) -> None:
        given = (self.sales_or_purchase is not None) + (self.sales_and_purchase is not None)
        if given > 1 or (needed and given == 0):
            need = "exactly one" if needed else "at most one"
            raise QbxmlRequestError(
                f"{self.TYPE}: give {need} of sales_or_purchase and sales_and_purchase"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemServiceAdd(_ListAdd, _SalesChoice):
    """Create a service item."""

    TYPE: ClassVar[str] = "ItemServiceAdd"
    name: str = required("Name")
    is_active: bool | None = qb("IsActive")
    class_ref: Ref | None = qb("ClassRef")
    parent: Ref | None = qb("ParentRef")
    sales_tax_code: Ref | None = qb("SalesTaxCodeRef")
    sales_or_purchase: SalesOrPurchase | None = qb("SalesOrPurchase")
    sales_and_purchase: SalesAndPurchase | None = qb("SalesAndPurchase")

    def __post_init__(self) -> None:
        self._check_choice(needed=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemServiceMod(_ListAdd, _SalesChoice):
    """Change a service item."""

    TYPE: ClassVar[str] = "ItemServiceMod"
    list_id: str = required("ListID", Kind.ID)
    edit_sequence: str = required("EditSequence", Kind.ID)
    name: str | None = qb("Name")
    is_active: bool | None = qb("IsActive")
    class_ref: Ref | None = qb("ClassRef")
    parent: Ref | None = qb("ParentRef")
    sales_tax_code: Ref | None = qb("SalesTaxCodeRef")
    sales_or_purchase: SalesOrPurchase | None = qb("SalesOrPurchaseMod")
    sales_and_purchase: SalesAndPurchase | None = qb("SalesAndPurchaseMod")

    def __post_init__(self) -> None:
        self._check_choice(needed=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemNonInventoryAdd(_ListAdd, _SalesChoice):
    """Create a non-inventory item."""

    TYPE: ClassVar[str] = "ItemNonInventoryAdd"
    name: str = required("Name")
    is_active: bool | None = qb("IsActive")
    parent: Ref | None = qb("ParentRef")
    class_ref: Ref | None = qb("ClassRef")
    manufacturer_part_number: str | None = qb("ManufacturerPartNumber")
    sales_tax_code: Ref | None = qb("SalesTaxCodeRef")
    sales_or_purchase: SalesOrPurchase | None = qb("SalesOrPurchase")
    sales_and_purchase: SalesAndPurchase | None = qb("SalesAndPurchase")

    def __post_init__(self) -> None:
        self._check_choice(needed=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemNonInventoryMod(_ListAdd, _SalesChoice):
    """Change a non-inventory item."""

    TYPE: ClassVar[str] = "ItemNonInventoryMod"
    list_id: str = required("ListID", Kind.ID)
    edit_sequence: str = required("EditSequence", Kind.ID)
    name: str | None = qb("Name")
    is_active: bool | None = qb("IsActive")
    class_ref: Ref | None = qb("ClassRef")
    parent: Ref | None = qb("ParentRef")
    manufacturer_part_number: str | None = qb("ManufacturerPartNumber")
    sales_tax_code: Ref | None = qb("SalesTaxCodeRef")
    sales_or_purchase: SalesOrPurchase | None = qb("SalesOrPurchaseMod")
    sales_and_purchase: SalesAndPurchase | None = qb("SalesAndPurchaseMod")

    def __post_init__(self) -> None:
        self._check_choice(needed=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemInventoryAdd(_ListAdd):
    """Create an inventory item (needs the inventory preference on: else status 3250)."""

    TYPE: ClassVar[str] = "ItemInventoryAdd"
    name: str = required("Name")
    is_active: bool | None = qb("IsActive")
    class_ref: Ref | None = qb("ClassRef")
    parent: Ref | None = qb("ParentRef")
    manufacturer_part_number: str | None = qb("ManufacturerPartNumber")
    sales_tax_code: Ref | None = qb("SalesTaxCodeRef")
    sales_desc: str | None = qb("SalesDesc")
    sales_price: Decimal | None = qb("SalesPrice", Kind.PRICE)
    income_account: Ref | None = qb("IncomeAccountRef")
    purchase_desc: str | None = qb("PurchaseDesc")
    purchase_cost: Decimal | None = qb("PurchaseCost", Kind.PRICE)
    cogs_account: Ref | None = qb("COGSAccountRef")
    pref_vendor: Ref | None = qb("PrefVendorRef")
    asset_account: Ref | None = qb("AssetAccountRef")
    reorder_point: Decimal | None = qb("ReorderPoint", Kind.QUANTITY)
    quantity_on_hand: Decimal | None = qb("QuantityOnHand", Kind.QUANTITY)
    total_value: Decimal | None = qb("TotalValue", Kind.AMOUNT)


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemInventoryMod(_ListAdd):
    """Change an inventory item (quantities change through transactions, not here)."""

    TYPE: ClassVar[str] = "ItemInventoryMod"
    list_id: str = required("ListID", Kind.ID)
    edit_sequence: str = required("EditSequence", Kind.ID)
    name: str | None = qb("Name")
    is_active: bool | None = qb("IsActive")
    class_ref: Ref | None = qb("ClassRef")
    parent: Ref | None = qb("ParentRef")
    manufacturer_part_number: str | None = qb("ManufacturerPartNumber")
    sales_tax_code: Ref | None = qb("SalesTaxCodeRef")
    sales_desc: str | None = qb("SalesDesc")
    sales_price: Decimal | None = qb("SalesPrice", Kind.PRICE)
    income_account: Ref | None = qb("IncomeAccountRef")
    purchase_desc: str | None = qb("PurchaseDesc")
    purchase_cost: Decimal | None = qb("PurchaseCost", Kind.PRICE)
    cogs_account: Ref | None = qb("COGSAccountRef")
    pref_vendor: Ref | None = qb("PrefVendorRef")
    asset_account: Ref | None = qb("AssetAccountRef")
    reorder_point: Decimal | None = qb("ReorderPoint", Kind.QUANTITY)
