"""A flow whose records come from a custom object the company names (`source:` in its config
file): Supplier__c records become QuickBooks vendors, on both targets, through the same engine,
bindings and binding field as the Account vendors.

A custom object's API name ends in __c and its Ids start with the key prefix describe reports
(Salesforce REST API Developer Guide, "sObject Describe": keyPrefix; Salesforce Help, "Custom
Object Definition"). QuickBooks keeps customers and vendors in one name space (Intuit's
"Duplicate name in QuickBooks"; QuickBooks Online: DisplayName unique, Fault 6240), so a
supplier named as a customer gets the second name.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from sfqb.codes import Catalog
from sfqb.connectors.salesforce import ExistingSession, SalesforceConnector
from sfqb.domain.entities import QbKind, Role, SfObject, SfRef
from sfqb.jobs.gateway import SalesforceGateway
from sfqb.jobs.runner import SyncRunner
from sfqb.jobs.salesforce_org import OrgCheck, described_prefix
from sfqb.mapping import Mapper, load_flows
from sfqb.mapping.company import read_fields
from sfqb.mapping.flowconfig import FlowConfig

from .conftest import World
from .worlds import TargetWorld, won_deal

SUPPLIER = SfObject("Supplier__c")
# The company's map of its supplier object, per target (the target's own field names).
_MAPS = {
    "qbd": {
        "Name": {"source": "Name"},
        "Phone": {"source": "Phone__c", "transforms": ["phone"], "max_length": 21},
        "VendorAddress/City": {"source": "City__c", "max_length": 31},
    },
    "qbo": {
        "DisplayName": {"source": "Name"},
        "PrimaryPhone/FreeFormNumber": {
            "source": "Phone__c", "transforms": ["phone"], "max_length": 21,
        },
        "BillAddr/City": {"source": "City__c", "max_length": 255},
    },
}  # fmt: skip


def use_suppliers(
    world: TargetWorld,
    condition: str | None = "Active__c = true",
    *,
    source: str = "Supplier__c",
    more: Mapping[str, Any] | None = None,
    check: bool = False,
) -> None:
    """The world's runner with the vendor flow reading `source` (the company's config file),
    and the org's preflight (describe) when `check`."""
    fields = {**_MAPS[world.target], **(more or {})}
    config = FlowConfig("account_to_vendor", filter=condition, fields=fields, sobject=source)
    use_flow(world, config, check=check)


def use_flow(world: TargetWorld, config: FlowConfig, *, check: bool) -> None:
    """The world's runner with `config` in the company's config file, over a real connector,
    and the org's preflight (describe) when `check`."""
    runner: SyncRunner = world.runner  # type: ignore[attr-defined]
    catalog: Catalog = world.catalog  # type: ignore[attr-defined]
    flows = load_flows(maps=world.profile.maps, company={config.flow: config})
    connector = SalesforceConnector(
        ExistingSession(world.sf.instance, world.sf.session_id), world.sf.requests_session(),
        catalog, clock=world.clock, extra_fields=read_fields(flows.flows),  # type: ignore[attr-defined]
    )  # fmt: skip
    gateway, mapper = SalesforceGateway(connector), Mapper(flows, runner.policy)
    org_check = (
        OrgCheck(world.store, catalog, gateway, mapper, clock=world.clock) if check else None
    )  # type: ignore[attr-defined]
    world.runner = SyncRunner(  # type: ignore[attr-defined]
        world.store, gateway, mapper, catalog, clock=world.clock, rng=random.Random(3),  # type: ignore[attr-defined]
        profile=world.profile, policy=runner.policy, settings=runner.settings, org_check=org_check,
        key_prefix=described_prefix(gateway),
    )  # fmt: skip


def supplier(world: TargetWorld, name: str, *, active: bool = True, **more: object) -> str:
    return str(world.sf.org.create("Supplier__c", {"Name": name, "Active__c": active, **more}))


def test_a_supplier_record_becomes_a_vendor_bound_in_its_vendor_role(
    target_world: TargetWorld,
) -> None:
    world = target_world
    use_suppliers(world)
    made = supplier(world, "Harbor Freight Supply", Phone__c="(512) 555-0101", City__c="Austin")
    assert made.startswith("a0X")  # the custom object's key prefix
    account = world.sf.org.create("Account", {"Name": "Juniper Cafe", "Type": "Vendor"})
    report = world.cycle()
    assert report.synced["account_to_vendor"] == 1
    # The Account of Type Vendor is a customer now: the vendor rule is no longer the Accounts'.
    assert report.synced["account_to_customer"] == 1
    assert world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, account, Role.VENDOR)) is None
    binding = world.store.bindings.by_sf("demo", SfRef(SUPPLIER, made, Role.VENDOR))
    assert binding is not None and binding.qb.kind is QbKind.VENDOR
    record = world.sf.org.get("Supplier__c", made)
    assert record["QuickBooks_Vendor_ID__c"] == binding.qb.id
    assert record["QuickBooks_Sync_Status__c"] == "Synced"
    view = world.qb_record(binding.qb)
    assert view is not None and view.name == "Harbor Freight Supply"
    assert view.phone == "(512) 555-0101"
    again = world.cycle()
    assert again.synced["account_to_vendor"] == 0 and world.qb_count("vendor") == 1


def test_a_supplier_outside_the_filter_is_no_vendor_and_a_change_updates_the_vendor(
    target_world: TargetWorld,
) -> None:
    world = target_world
    use_suppliers(world)
    kept = supplier(world, "Cedar Lumber Co", Phone__c="(512) 555-0141")
    supplier(world, "Old Mill Supply", active=False)
    assert world.cycle().synced["account_to_vendor"] == 1
    assert [v.name for v in world.qb_records("vendor")] == ["Cedar Lumber Co"]
    world.advance(10)
    world.sf.org.update("Supplier__c", kept, {"Phone__c": "(512) 555-0199"})
    report = world.cycle()
    assert report.synced["account_to_vendor"] == 1
    binding = world.store.bindings.by_sf("demo", SfRef(SUPPLIER, kept, Role.VENDOR))
    assert binding is not None
    view = world.qb_record(binding.qb)
    assert view is not None and view.phone == "(512) 555-0199"
    assert world.qb_count("vendor") == 1


def test_a_supplier_named_as_a_customer_is_another_party_never_its_second_name(
    target_world: TargetWorld,
) -> None:
    """A Supplier__c record is another record than the Account: not the same party's second
    record, so it never takes the second name (" (V)"), and QuickBooks never gets the name
    twice. QuickBooks Desktop refuses it (3100) and the record waits for a person; on
    QuickBooks Online sfqb knows the name is taken and gives the vendor the map's unique name,
    as it does for any two parties of one name."""
    world = target_world
    use_suppliers(world)
    account = world.sf.org.create("Account", {"Name": "Palm Court Rentals"})
    won_deal(world.sf.org, account)
    world.cycle()
    assert world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, account)) is not None
    world.advance(10)
    made = supplier(world, "Palm Court Rentals")
    report = world.cycle()
    vendors = [v.name for v in world.qb_records("vendor")]
    assert [c.name for c in world.qb_records("customer")] == ["Palm Court Rentals"]
    binding = world.store.bindings.by_sf("demo", SfRef(SUPPLIER, made, Role.VENDOR))
    if world.target == "qbd":
        lines = [
            a for a in world.store.journal.log("demo", limit=99) if a.flow == "account_to_vendor"
        ]
        assert "3100" in {line.code for line in lines}
        assert report.states.get("review", 0) == 1, report.states
        assert binding is None and vendors == []
    else:
        assert binding is not None and vendors == ["Palm Court Rentals (2)"]


def test_an_object_the_org_lacks_holds_the_company_with_one_message(
    target_world: TargetWorld,
) -> None:
    world = target_world
    use_suppliers(world, None, source="Vendor__c", check=True)
    world.sf.org.create("Account", {"Name": "Juniper Cafe"})
    report = world.cycle()
    assert "cannot see the object Vendor__c (a flow's source: in the config file)" in report.held
    assert report.qb_batches == 0 and world.qb_count("customer") == 0


def test_a_field_the_custom_object_lacks_holds_the_company_naming_it(
    target_world: TargetWorld,
) -> None:
    world = target_world
    name = "Fax" if world.target == "qbd" else "Fax/FreeFormNumber"
    use_suppliers(world, more={name: {"source": "Fax__c"}}, check=True)
    supplier(world, "Harbor Freight Supply")
    report = world.cycle()
    assert "cannot see Supplier__c.Fax__c" in report.held
    assert world.qb_count("vendor") == 0
    world.sf.org.schema.add_field("Supplier__c", "Fax__c", "phone")
    world.advance(10)
    assert world.cycle().synced["account_to_vendor"] == 1


def test_a_vendor_changed_in_quickbooks_changes_the_supplier_record(
    target_world: TargetWorld,
) -> None:
    """The vendor's changes come back to the fields the company's map fills them from (its
    name to Name, its phone to Phone__c), never to Account's fields the object lacks."""
    world = target_world
    use_suppliers(world)
    made = supplier(world, "Cedar Lumber", Phone__c="(512) 555-0141")
    world.cycle()
    binding = world.store.bindings.by_sf("demo", SfRef(SUPPLIER, made, Role.VENDOR))
    assert binding is not None
    world.advance(10)
    world.qb_modify_as_user(binding.qb, name="Cedar Lumber Yard", phone="(512) 555-0199")
    report = world.cycle()
    assert report.synced["vendor_to_account"] == 1
    record = world.sf.org.get("Supplier__c", made)
    assert record["Name"] == "Cedar Lumber Yard" and record["Phone__c"] == "(512) 555-0199"
    assert record["QuickBooks_Sync_Status__c"] == "Synced"
    world.advance(10)
    echo = world.cycle()  # sfqb's own write read back: nothing to send
    assert not echo.synced and echo.qb_batches <= 1
    world.advance(10)
    quiet = world.cycle()
    assert not quiet.synced and quiet.sf_writes == 0
    assert [v.name for v in world.qb_records("vendor")] == ["Cedar Lumber Yard"]


def test_a_supplier_id_pasted_on_a_quickbooks_vendor_binds_them(world: World) -> None:
    """The article's fix for 3100 with a custom object: the supplier's Id (its key prefix the
    org's describe reports) typed into the vendor's SalesforceID field binds the supplier to
    that vendor; an Account's Id there is refused as the wrong object."""
    use_suppliers(world, None)
    typed = world.qb.add_as_user("Vendor", "Harbor Freight Supply").id
    made = supplier(world, "Harbor Freight Supply", Phone__c="(512) 555-0101")
    account = world.sf.org.create("Account", {"Name": "Juniper Cafe"})
    first = world.cycle()  # the customer goes across; the supplier meets the typed vendor
    assert first.synced["account_to_vendor"] == 0 and first.states.get("review") == 1
    world.advance(10)
    world.qb.set_custom_field_as_user(typed, "SalesforceID", account)
    world.cycle()
    refused = [i for i in world.store.review.items("demo") if i.code == "BINDING_FIELD_REFUSED"]
    assert len(refused) == 1 and "not of an Supplier__c" in refused[0].reason
    world.advance(10)
    world.qb.set_custom_field_as_user(typed, "SalesforceID", made[:15])  # from its URL
    world.cycle()
    binding = world.store.bindings.by_sf("demo", SfRef(SUPPLIER, made, Role.VENDOR))
    assert binding is not None and binding.qb.id == typed
    assert world.sf.org.get("Supplier__c", made)["QuickBooks_Vendor_ID__c"] == typed
    assert world.qb_count("vendor") == 1


def test_a_write_back_the_custom_object_refuses_is_logged_on_the_supplier(
    target_world: TargetWorld,
) -> None:
    """The org refuses sfqb's status field on the object (read-only for the integration
    user): the vendor is made and bound, and the refusal is logged on the supplier in its
    vendor role, by the vendor flow."""
    world = target_world
    use_suppliers(world)
    world.sf.org.schema.set_field_access("Supplier__c", "QuickBooks_Sync_Status__c", editable=False)
    made = supplier(world, "Harbor Freight Supply")
    report = world.cycle()
    assert report.synced["account_to_vendor"] == 1 and report.failed_writes == 1
    ref = SfRef(SUPPLIER, made, Role.VENDOR)
    assert world.store.bindings.by_sf("demo", ref) is not None
    refused = [a for a in world.store.journal.log("demo", limit=99) if a.operation == "writeback"]
    assert [(a.flow, a.sf) for a in refused] == [("account_to_vendor", ref)]
