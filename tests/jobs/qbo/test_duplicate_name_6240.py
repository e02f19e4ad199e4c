"""Fault 6240 (Duplicate Name Exists) where QuickBooks Online differs from qbXML's 3100: a
name is unique across customers, vendors and employees, so a vendor's or an employee's name
sends the Account to review (the match rule, review with candidates and the unique-name
variant run on both targets in tests/sync/test_remedies.py and test_cycle.py).

Intuit, Customer entity reference (developer.intuit.com/app/developer/qbo/docs/api/accounting/
all-entities/customer): "The DisplayName attribute or at least one of Title, GivenName,
MiddleName, FamilyName, Suffix, or FullyQualifiedName attributes are required ... must be unique
across all Customer, Employee, and Vendor objects."
"""

from __future__ import annotations

from sfqb.domain.entities import SfObject

from .conftest import Qbo


def test_6240_name_taken_by_a_vendor_goes_to_review_and_no_customer_is_added(qbo: Qbo) -> None:
    qbo.by_hand("Vendor", {"DisplayName": "Acme Tools"})
    account = qbo.account("Acme Tools", Phone="(512) 555-0101")
    qbo.cycle()
    assert qbo.qb_id(SfObject.ACCOUNT, account) is None
    assert qbo.named("Customer", "Acme Tools") == []
    [item] = [r for r in qbo.reviews() if r.source_id == account]
    assert item.code == "6240" and "vendor, employee" in item.reason


def test_6240_name_taken_by_an_employee_goes_to_review(qbo: Qbo) -> None:
    qbo.by_hand("Employee", {"DisplayName": "Acme Tools", "GivenName": "Acme"})
    account = qbo.account("Acme Tools")
    qbo.cycle()
    assert qbo.qb_id(SfObject.ACCOUNT, account) is None
    assert [r.code for r in qbo.reviews() if r.source_id == account] == ["6240"]
