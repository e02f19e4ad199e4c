"""Read `...Ret` elements into records; a value that cannot be read raises `BadValue`.

`READERS` maps each `...Ret` tag sfqb reads to its reader. Customers are read in customers.py;
the element access they all share (`Reader`) lives in reader.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from types import MappingProxyType

from lxml import etree

from sfqb.connectors.qbd.qbxml.customers import read_customer
from sfqb.connectors.qbd.qbxml.reader import BadValue, Reader, list_core, read_data_ext, txn_core
from sfqb.connectors.qbd.qbxml.records import (
    AccountRecord,
    AppliedPayment,
    CompanyRecord,
    DataExtDefRecord,
    HostRecord,
    ItemRecord,
    LineRecord,
    ListDeletedRecord,
    PaymentRecord,
    PreferencesRecord,
    Record,
    SalesTxnRecord,
    TxnDeletedRecord,
    VendorRecord,
)

__all__ = ["READERS", "BadValue", "Reader", "read_customer", "read_data_ext"]


def read_vendor(element: etree._Element) -> VendorRecord:
    """VendorRet."""
    r = Reader(element)
    return VendorRecord(
        core=list_core(r),
        name=r.need("Name"),
        is_active=r.boolean("IsActive"),
        company_name=r.text("CompanyName"),
        first_name=r.text("FirstName"),
        last_name=r.text("LastName"),
        email=r.text("Email"),
        phone=r.text("Phone"),
        account_number=r.text("AccountNumber"),
        balance=r.decimal("Balance"),
        currency=r.ref("CurrencyRef"),
        data_ext=r.data_ext(),
    )


def read_account(element: etree._Element) -> AccountRecord:
    """AccountRet."""
    r = Reader(element)
    return AccountRecord(
        core=list_core(r),
        name=r.need("Name"),
        full_name=r.text("FullName"),
        is_active=r.boolean("IsActive"),
        account_type=r.text("AccountType"),
    )


def _first_decimal(r: Reader, *paths: str) -> Decimal | None:
    for path in paths:
        value = r.decimal(path)
        if value is not None:
            return value
    return None


def read_item(element: etree._Element) -> ItemRecord:
    """ItemServiceRet, ItemNonInventoryRet, ItemInventoryRet and other Item...Ret."""
    r = Reader(element)
    desc = r.text("SalesOrPurchase/Desc")
    return ItemRecord(
        item_type=str(element.tag).removesuffix("Ret"),
        core=list_core(r),
        name=r.need("Name"),
        full_name=r.text("FullName"),
        is_active=r.boolean("IsActive"),
        parent=r.ref("ParentRef"),
        description=desc
        if desc is not None
        else (r.text("SalesAndPurchase/SalesDesc") or r.text("SalesDesc")),
        price=_first_decimal(
            r, "SalesOrPurchase/Price", "SalesAndPurchase/SalesPrice", "SalesPrice"
        ),
        purchase_cost=_first_decimal(r, "SalesAndPurchase/PurchaseCost", "PurchaseCost"),
        quantity_on_hand=r.decimal("QuantityOnHand"),
        data_ext=r.data_ext(),
    )


def _line(element: etree._Element) -> LineRecord:
    r = Reader(element)
    return LineRecord(
        txn_line_id=r.need("TxnLineID"),
        item=r.ref("ItemRef"),
        desc=r.text("Desc"),
        quantity=r.decimal("Quantity"),
        rate=r.decimal("Rate"),
        amount=r.decimal("Amount"),
    )


def read_sales_txn(element: etree._Element) -> SalesTxnRecord:
    """InvoiceRet, SalesReceiptRet, EstimateRet, CreditMemoRet, SalesOrderRet."""
    r = Reader(element)
    txn_type = str(element.tag).removesuffix("Ret")
    subtotal = r.decimal("Subtotal")
    total = r.decimal("TotalAmount")
    tax = r.decimal("SalesTaxTotal")
    if total is None and subtotal is not None:
        total = subtotal + (tax or Decimal(0))
    return SalesTxnRecord(
        txn_type=txn_type,
        core=txn_core(r),
        customer=r.ref("CustomerRef"),
        txn_date=r.day("TxnDate"),
        ref_number=r.text("RefNumber"),
        due_date=r.day("DueDate"),
        memo=r.text("Memo"),
        subtotal=subtotal,
        total=total,
        balance_remaining=r.decimal("BalanceRemaining"),
        is_paid=r.boolean("IsPaid"),
        currency=r.ref("CurrencyRef"),
        lines=tuple(_line(e) for e in element.findall(f"{txn_type}LineRet")),
        data_ext=r.data_ext(),
        credit_remaining=r.decimal("CreditRemaining"),
        is_manually_closed=r.boolean("IsManuallyClosed"),
        is_fully_invoiced=r.boolean("IsFullyInvoiced"),
        linked_txns=tuple(
            str(e.findtext("TxnID") or "").strip() for e in element.findall("LinkedTxn")
        ),
    )


def read_payment(element: etree._Element) -> PaymentRecord:
    """ReceivePaymentRet."""
    r = Reader(element)
    applied = []
    for e in element.findall("AppliedToTxnRet"):
        a = Reader(e)
        applied.append(
            AppliedPayment(
                txn_id=a.need("TxnID"),
                txn_type=a.text("TxnType"),
                ref_number=a.text("RefNumber"),
                amount=a.decimal("Amount"),
            )
        )
    return PaymentRecord(
        core=txn_core(r),
        customer=r.ref("CustomerRef"),
        txn_date=r.day("TxnDate"),
        ref_number=r.text("RefNumber"),
        total_amount=r.decimal("TotalAmount"),
        unused_payment=r.decimal("UnusedPayment"),
        memo=r.text("Memo"),
        applied=tuple(applied),
        data_ext=r.data_ext(),
    )


def read_data_ext_def(element: etree._Element) -> DataExtDefRecord:
    """DataExtDefRet."""
    r = Reader(element)
    return DataExtDefRecord(
        owner_id=r.text("OwnerID"),
        ext_id=r.integer("DataExtID"),
        name=r.text("DataExtName"),
        ext_type=r.text("DataExtType"),
        assign_to=r.all("AssignToObject"),
    )


def read_list_deleted(element: etree._Element) -> ListDeletedRecord:
    """ListDeletedRet."""
    r = Reader(element)
    return ListDeletedRecord(
        list_del_type=r.text("ListDelType"),
        list_id=r.text("ListID"),
        time_created=r.moment("TimeCreated"),
        time_deleted=r.moment("TimeDeleted"),
        full_name=r.text("FullName"),
    )


def read_txn_deleted(element: etree._Element) -> TxnDeletedRecord:
    """TxnDeletedRet."""
    r = Reader(element)
    return TxnDeletedRecord(
        txn_del_type=r.text("TxnDelType"),
        txn_id=r.text("TxnID"),
        time_created=r.moment("TimeCreated"),
        time_deleted=r.moment("TimeDeleted"),
        ref_number=r.text("RefNumber"),
    )


def read_host(element: etree._Element) -> HostRecord:
    """HostRet."""
    r = Reader(element)
    return HostRecord(
        product_name=r.text("ProductName"),
        major_version=r.text("MajorVersion"),
        minor_version=r.text("MinorVersion"),
        country=r.text("Country"),
        supported_versions=r.all("SupportedQBXMLVersion"),
        is_automatic_login=r.boolean("IsAutomaticLogin"),
        file_mode=r.text("QBFileMode"),
    )


def read_company(element: etree._Element) -> CompanyRecord:
    """CompanyRet."""
    r = Reader(element)
    return CompanyRecord(
        company_name=r.text("CompanyName"),
        legal_company_name=r.text("LegalCompanyName"),
        email=r.text("Email"),
        phone=r.text("Phone"),
        data_ext=r.data_ext(),
    )


def read_preferences(element: etree._Element) -> PreferencesRecord:
    """PreferencesRet."""
    r = Reader(element)
    return PreferencesRecord(
        is_multi_currency_on=r.boolean("MultiCurrencyPreferences/IsMultiCurrencyOn"),
        home_currency=r.ref("MultiCurrencyPreferences/HomeCurrencyRef"),
        is_using_inventory=r.boolean("PurchasesAndVendorsPreferences/IsUsingInventory"),
        is_using_estimates=r.boolean("JobsAndEstimatesPreferences/IsUsingEstimates"),
        is_using_class_tracking=r.boolean("AccountingPreferences/IsUsingClassTracking"),
        closing_date=r.day("AccountingPreferences/ClosingDate"),
    )


_ITEM_RETS = (
    "ItemServiceRet",
    "ItemNonInventoryRet",
    "ItemInventoryRet",
    "ItemInventoryAssemblyRet",
    "ItemOtherChargeRet",
    "ItemDiscountRet",
    "ItemSubtotalRet",
    "ItemPaymentRet",
    "ItemSalesTaxRet",
    "ItemSalesTaxGroupRet",
    "ItemGroupRet",
    "ItemFixedAssetRet",
)

READERS: Mapping[str, Callable[[etree._Element], Record]] = MappingProxyType(
    {
        "AccountRet": read_account,
        "CustomerRet": read_customer,
        "VendorRet": read_vendor,
        **dict.fromkeys(_ITEM_RETS, read_item),
        "InvoiceRet": read_sales_txn,
        "SalesReceiptRet": read_sales_txn,
        "EstimateRet": read_sales_txn,
        "CreditMemoRet": read_sales_txn,
        "SalesOrderRet": read_sales_txn,
        "ReceivePaymentRet": read_payment,
        "DataExtDefRet": read_data_ext_def,
        "DataExtRet": read_data_ext,
        "ListDeletedRet": read_list_deleted,
        "TxnDeletedRet": read_txn_deleted,
        "HostRet": read_host,
        "CompanyRet": read_company,
        "PreferencesRet": read_preferences,
    }
)
