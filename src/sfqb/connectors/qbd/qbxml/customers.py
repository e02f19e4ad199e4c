"""Read `CustomerRet` into a `CustomerRecord` (names, contact details, both addresses)."""

from __future__ import annotations

from lxml import etree

from sfqb.connectors.qbd.qbxml.reader import Reader, list_core
from sfqb.connectors.qbd.qbxml.records import CustomerRecord


def read_customer(element: etree._Element) -> CustomerRecord:
    """CustomerRet."""
    r = Reader(element)
    return CustomerRecord(
        core=list_core(r),
        name=r.need("Name"),
        full_name=r.text("FullName"),
        is_active=r.boolean("IsActive"),
        parent=r.ref("ParentRef"),
        sublevel=r.integer("Sublevel"),
        company_name=r.text("CompanyName"),
        first_name=r.text("FirstName"),
        last_name=r.text("LastName"),
        bill_address=r.address("BillAddress"),
        ship_address=r.address("ShipAddress"),
        phone=r.text("Phone"),
        fax=r.text("Fax"),
        email=r.text("Email"),
        account_number=r.text("AccountNumber"),
        balance=r.decimal("Balance"),
        total_balance=r.decimal("TotalBalance"),
        currency=r.ref("CurrencyRef"),
        data_ext=r.data_ext(),
    )
