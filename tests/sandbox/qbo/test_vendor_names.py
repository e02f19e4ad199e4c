"""Vendors in QuickBooks Online's name space: DisplayName is unique across customers, vendors
and employees (Intuit's Vendor and Customer entity references, developer.intuit.com/app/
developer/qbo/docs/api/accounting/all-entities/vendor; Fault 6240 "Duplicate Name Exists
Error", as Workato's QuickBooks troubleshooting page "QuickBooks Error: Duplicate Name
Exists" describes: "add a Prefix or Suffix before or after the Display name")."""

from __future__ import annotations

from tests.sandbox.qbo.conftest import Qbo


def test_a_vendor_under_the_second_name_beside_its_customer(qbo: Qbo) -> None:
    qbo.create("Customer", {"DisplayName": "Palm Court Rentals"})
    vendor = qbo.create("Vendor", {"DisplayName": "Palm Court Rentals (V)"})
    assert vendor["DisplayName"] == "Palm Court Rentals (V)"
    clash = qbo.post("vendor", {"DisplayName": "palm court rentals"})
    assert clash.status_code == 400 and qbo.fault(clash)["code"] == "6240"


def test_a_vendor_renamed_to_a_customers_name_is_6240(qbo: Qbo) -> None:
    qbo.create("Customer", {"DisplayName": "Harbor Supply"})
    vendor = qbo.create("Vendor", {"DisplayName": "Harbor Supply (V)"})
    renamed = qbo.post(
        "vendor",
        {"Id": vendor["Id"], "SyncToken": vendor["SyncToken"], "sparse": True,
         "DisplayName": "Harbor Supply"},
    )  # fmt: skip
    assert qbo.fault(renamed)["code"] == "6240"
