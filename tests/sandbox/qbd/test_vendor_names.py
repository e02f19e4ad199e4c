"""Vendors in QuickBooks Desktop's shared name space (customers, vendors, employees, other
names): Intuit's QuickBooks help, "Duplicate name in QuickBooks" ("QuickBooks already has an
entry in the Customer:Job, Vendor, Employee, or Other names list with this contact name ...
it must be listed differently", support.quickbooks.intuit.com/support/pages/inproducthelp/
Core/QB2K12/ContentPackage/ThirdParty/Contact_Sync/dialog_dup_name.html); the qbXML status is
3100 ("The name ... of the list element is already in use")."""

from __future__ import annotations

from lxml.builder import E


def test_the_second_name_of_a_customer_is_a_new_vendor(qb) -> None:  # type: ignore[no-untyped-def]
    qb.add_customer("Palm Court Rentals")
    vendor = qb.ok(
        E.VendorAddRq(
            E.VendorAdd(E.Name("Palm Court Rentals (V)"), E.CompanyName("Palm Court Rentals"))
        )
    )
    assert vendor.findtext("Name") == "Palm Court Rentals (V)"
    assert vendor.findtext("CompanyName") == "Palm Court Rentals"  # not part of the name space


def test_a_vendor_renamed_to_a_customers_name_is_3100(qb) -> None:  # type: ignore[no-untyped-def]
    qb.add_customer("Harbor Supply")
    vendor = qb.ok(E.VendorAddRq(E.VendorAdd(E.Name("Harbor Supply (V)"))))
    rs = qb.one(
        E.VendorModRq(
            E.VendorMod(
                E.ListID(vendor.findtext("ListID")),
                E.EditSequence(vendor.findtext("EditSequence")),
                E.Name("HARBOR SUPPLY"),  # names compare without regard to case
            )
        )
    )
    assert qb.status(rs)[0] == 3100
    assert 'The name "HARBOR SUPPLY" of the list element is already in use.' in rs.get(
        "statusMessage"
    )


def test_a_vendor_name_is_cut_at_41_characters_by_the_schema(qb) -> None:  # type: ignore[no-untyped-def]
    # qbxml120.xsd: VendorAdd/Name is STRTYPE maxLength 41; longer is refused (3070).
    rs = qb.one(E.VendorAddRq(E.VendorAdd(E.Name("N" * 42))))
    assert qb.status(rs)[0] == 3070
