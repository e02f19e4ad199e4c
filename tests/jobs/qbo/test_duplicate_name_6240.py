"""Fault 6240 (Duplicate Name Exists) handled as qbXML's 3100: match by the company's rule,
review with candidates, or a unique-name variant.

Intuit, Customer entity reference (developer.intuit.com/app/developer/qbo/docs/api/accounting/
all-entities/customer): "The DisplayName attribute or at least one of Title, GivenName,
MiddleName, FamilyName, Suffix, or FullyQualifiedName attributes are required ... must be unique
across all Customer, Employee, and Vendor objects."
"""

from __future__ import annotations

from sfqb.domain.entities import SfObject
from sfqb.domain.policy import CompanyPolicy, MatchRule

from .conftest import Qbo


def test_6240_customer_added_by_hand_with_the_same_display_name_is_bound_by_the_match_rule(
    qbo: Qbo,
) -> None:
    by_hand = qbo.by_hand(
        "Customer",
        {"DisplayName": "Acme Tools", "PrimaryPhone": {"FreeFormNumber": "(512) 555-0101"}},
    )
    account = qbo.account("Acme Tools", Phone="(512) 555-0101")
    qbo.cycle()
    assert qbo.qb_id(SfObject.ACCOUNT, account) == by_hand["Id"]
    assert len(qbo.named("Customer", "Acme Tools")) == 1
    assert qbo.org.get("Account", account)["QuickBooks_ID__c"] == by_hand["Id"]
    assert any(e.code == "6240" for e in qbo.log())


def test_6240_customer_of_that_name_that_does_not_match_goes_to_review_with_the_candidate(
    qbo: Qbo,
) -> None:
    by_hand = qbo.by_hand(
        "Customer",
        {"DisplayName": "Acme Tools", "PrimaryPhone": {"FreeFormNumber": "(999) 555-0000"}},
    )
    account = qbo.account("Acme Tools", Phone="(512) 555-0101")
    qbo.cycle()
    assert qbo.qb_id(SfObject.ACCOUNT, account) is None
    assert len(qbo.named("Customer", "Acme Tools")) == 1
    [item] = [r for r in qbo.reviews() if r.source_id == account]
    assert item.code == "6240"
    assert [c["qb_id"] for c in item.candidates] == [by_hand["Id"]]


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


def test_6240_name_bound_to_another_account_sends_a_unique_variant(qbo_factory: object) -> None:
    world: Qbo = qbo_factory(CompanyPolicy(match_rule=MatchRule.NAME_AND_PHONE))  # type: ignore[operator]
    first = world.account("Acme Tools", Phone="(512) 555-0101")
    world.cycle()
    second = world.account("Acme Tools", Phone="(713) 555-0199")
    world.cycle()
    one, two = world.qb_id(SfObject.ACCOUNT, first), world.qb_id(SfObject.ACCOUNT, second)
    assert one and two and one != two
    assert len(world.named("Customer", "Acme Tools")) == 1
    assert len(world.named("Customer", "Acme Tools (2)")) == 1
