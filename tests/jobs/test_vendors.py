"""The vendor flow on both targets: Accounts the vendor rule picks become QuickBooks vendors; a
party that is a customer too gets its vendor under the second name (" (V)"), both bound to the
one Account, nothing duplicated; vendor changes in QuickBooks come back to the Account.

QuickBooks keeps customers, vendors, employees and other names in one name space: Intuit's
QuickBooks help ("Duplicate name in QuickBooks": "QuickBooks already has an entry in the
Customer:Job, Vendor, Employee, or Other names list with this contact name ... it must be
listed differently", support.quickbooks.intuit.com .../Contact_Sync/dialog_dup_name.html) and,
for QuickBooks Online, DisplayName unique across customers, vendors and employees (Fault 6240).
"""

from __future__ import annotations

from typing import Any

from sfqb.domain.entities import QbKind, Role, SfObject, SfRef

from .worlds import TargetWorld, won_deal


def _account(world: TargetWorld, name: str, kind: str | None, phone: str = "") -> str:
    values = {
        "Name": name,
        **({"Type": kind} if kind else {}),
        **({"Phone": phone} if phone else {}),
    }
    return world.sf.org.create("Account", values)


def _vendor_lines(world: TargetWorld) -> list[Any]:
    return [a for a in world.store.journal.log("demo", limit=500) if a.flow == "account_to_vendor"]


def _names(world: TargetWorld, kind: str) -> list[str]:
    return sorted(str(v.name) for v in world.qb_records(kind))


def test_an_account_of_type_vendor_becomes_a_vendor_bound_in_its_vendor_role(
    target_world: TargetWorld,
) -> None:
    world = target_world
    supplier = _account(world, "Harbor Freight Supply", "Vendor", "(512) 555-0101")
    report = world.cycle()
    assert report.synced["account_to_vendor"] == 1
    assert report.synced["account_to_customer"] == 0  # a supplier, not a customer
    as_vendor = SfRef(SfObject.ACCOUNT, supplier, Role.VENDOR)
    vendor = world.store.bindings.by_sf("demo", as_vendor)
    assert vendor is not None and vendor.qb.kind is QbKind.VENDOR
    assert world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, supplier)) is None
    account = world.sf.org.get("Account", supplier)
    assert account["QuickBooks_Vendor_ID__c"] == vendor.qb.id
    assert account["QuickBooks_ID__c"] is None
    assert account["QuickBooks_Sync_Status__c"] == "Synced"
    assert _names(world, "vendor") == ["Harbor Freight Supply"]  # alone: its own name
    view = world.qb_record(vendor.qb)
    assert view is not None and view.phone == "(512) 555-0101"
    again = world.cycle()  # nothing new: no second vendor, no update
    assert again.synced["account_to_vendor"] == 0
    assert world.qb_count("vendor") == 1 and world.qb_count("customer") == 0


def test_an_account_not_picked_by_the_rule_is_no_vendor(target_world: TargetWorld) -> None:
    world = target_world
    _account(world, "Juniper Cafe", "Customer - Direct")
    _account(world, "Birch Studio", None)
    report = world.cycle()
    assert report.synced["account_to_customer"] == 2
    assert report.synced["account_to_vendor"] == 0
    assert world.qb_count("vendor") == 0


def test_a_customer_that_becomes_a_supplier_gets_its_vendor_under_the_second_name(
    target_world: TargetWorld,
) -> None:
    world = target_world
    party = _account(world, "Palm Court Rentals", "Customer - Direct")
    world.cycle()
    customer = world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, party))
    assert customer is not None
    world.advance(10)
    world.sf.org.update("Account", party, {"Type": "Vendor"})
    report = world.cycle()
    assert report.synced["account_to_vendor"] == 1
    assert report.states.get("failed", 0) == 0 and report.states.get("review", 0) == 0
    assert _names(world, "vendor") == ["Palm Court Rentals (V)"]
    # The rule's name is in the log line of the add.
    assert any("second_name ' (V)'" in line.summary for line in _vendor_lines(world))
    assert _names(world, "customer").count("Palm Court Rentals") == 1
    vendor = world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, party, Role.VENDOR))
    assert vendor is not None
    assert world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, party)) == customer
    account = world.sf.org.get("Account", party)
    assert (account["QuickBooks_ID__c"], account["QuickBooks_Vendor_ID__c"]) == (
        customer.qb.id,
        vendor.qb.id,
    )
    world.advance(10)
    world.sf.org.update("Account", party, {"Phone": "(512) 555-0142"})
    both = world.cycle()  # one Account, two records: each updated, neither added again
    assert both.synced == {"account_to_customer": 1, "account_to_vendor": 1}
    assert world.qb_count("vendor") == 1
    assert _names(world, "customer").count("Palm Court Rentals") == 1


def test_a_vendor_renamed_in_quickbooks_renames_the_account(target_world: TargetWorld) -> None:
    world = target_world
    party = _account(world, "Cedar Lumber", "Customer - Direct")
    world.cycle()
    world.advance(10)
    world.sf.org.update("Account", party, {"Type": "Vendor"})
    world.cycle()
    vendor = world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, party, Role.VENDOR))
    assert vendor is not None
    world.advance(10)
    world.qb_modify_as_user(vendor.qb, name="Cedar Lumber Yard (V)", phone="(512) 555-0199")
    report = world.cycle()
    assert report.synced["vendor_to_account"] == 1
    account = world.sf.org.get("Account", party)
    assert account["Name"] == "Cedar Lumber Yard"  # the second-name suffix is QuickBooks' only
    assert account["Phone"] == "(512) 555-0199"
    world.advance(10)
    world.cycle()  # the rename reaches the customer; the vendor keeps its second name
    assert _names(world, "vendor") == ["Cedar Lumber Yard (V)"]
    assert "Cedar Lumber Yard" in _names(world, "customer")
    assert world.qb_count("vendor") == 1
    quiet = world.cycle()
    assert not quiet.synced and quiet.sf_writes == 0


def test_a_vendor_whose_name_another_party_holds_goes_to_review_not_a_duplicate(
    target_world: TargetWorld,
) -> None:
    world = target_world
    world.qb_add_as_user("customer", "Granite Works")  # a customer typed in QuickBooks by a person
    party = _account(world, "Granite Works", "Vendor")
    before = world.qb_count("vendor")
    report = world.cycle()
    assert report.synced["account_to_vendor"] == 0
    assert world.qb_count("vendor") == before
    lines = _vendor_lines(world)
    codes = {line.code for line in lines}
    assert {"3100", "6240"} & codes
    held = report.states.get("review", 0) + report.states.get("failed", 0)
    assert held == 1, report.states  # held for a person, with the candidates looked up
    assert world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, party, Role.VENDOR)) is None


def test_a_vendor_only_account_that_later_gets_a_deal_goes_to_review_as_the_name_clash(
    target_world: TargetWorld,
) -> None:
    world = target_world
    party = _account(world, "Granite Quarry Supply", "Vendor")
    world.cycle()
    vendor = world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, party, Role.VENDOR))
    assert vendor is not None and _names(world, "vendor") == ["Granite Quarry Supply"]
    world.advance(10)
    won_deal(
        world.sf.org, party
    )  # the supplier buys from us: its Account must become a customer too
    world.cycle()  # the deal waits for its account, which is read by Id as its parent
    world.advance(10)
    report = world.cycle()
    assert report.states.get("review", 0) == 1, (report.states, _names(world, "customer"))
    line = next(a for a in world.store.journal.log("demo", limit=50) if a.code in ("3100", "6240"))
    assert line.flow == "account_to_customer"
    assert "is this record's own QuickBooks Vendor (bound as its vendor)" in line.action_taken
    assert 'Rename it in QuickBooks (e.g. "Granite Quarry Supply (V)")' in line.action_taken
    # Nothing renamed behind people's backs, nothing added twice, no second binding.
    assert _names(world, "vendor") == ["Granite Quarry Supply"]
    assert "Granite Quarry Supply" not in _names(world, "customer")
    assert world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, party)) is None
    again = world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, party, Role.VENDOR))
    assert again == vendor
