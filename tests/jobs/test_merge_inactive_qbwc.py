"""Merges and inactive records end to end: the Web Connector stand-in over real SOAP, the
Salesforce sandbox over real HTTPS, the store, and the runner's cycles."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sfqb.domain.entities import SfObject, SfRef
from sfqb.domain.policy import CompanyPolicy, OnDeleted, OnInactive
from sfqb.jobs.runner import CycleReport
from sfqb.store import QueueStatus

from .conftest import World, web_connector

pytestmark = pytest.mark.desktop_only(
    "the Web Connector's pull over SOAP is QuickBooks Desktop's; the same merge and inactive "
    "remedies run on both targets in tests/sync/test_merges.py and tests/sync/test_inactive.py"
)

Session = Callable[[], CycleReport]


def _deal(world: World, account: str, entry: str) -> str:
    org = world.sf.org
    opp = org.create(
        "Opportunity",
        {"Name": "March order", "AccountId": account, "StageName": "Closed Won",
         "CloseDate": org.now().date().isoformat(), "Pricebook2Id": org.standard_pricebook_id},
    )  # fmt: skip
    org.create(
        "OpportunityLineItem", {"OpportunityId": opp, "PricebookEntryId": entry, "Quantity": 1}
    )
    return opp


def _product(world: World, name: str = "Widget") -> tuple[str, str]:
    org = world.sf.org
    product = org.create("Product2", {"Name": name, "ProductCode": "W-1", "IsActive": True})
    entry = org.create(
        "PricebookEntry",
        {"Pricebook2Id": org.standard_pricebook_id, "Product2Id": product, "UnitPrice": 10.0,
         "IsActive": True},
    )  # fmt: skip
    return product, entry


def _qb_id(world: World, sobject: SfObject, sf_id: str) -> str:
    binding = world.store.bindings.by_sf("demo", SfRef(sobject, sf_id))
    assert binding is not None
    return binding.qb.id


def _world_with_a_deal(world: World) -> tuple[str, str]:
    """A bound-to-be Account with one won deal: the customer has QuickBooks-side history."""
    account = world.sf.org.create("Account", {"Name": "Acme Tools", "Phone": "(512) 555-0101"})
    _product_id, entry = _product(world)
    return account, _deal(world, account, entry)


def test_a_merged_customer_keeps_its_binding_on_the_survivor_nothing_recreated(
    world: World,
) -> None:
    world.runner.policy = CompanyPolicy(on_deleted=OnDeleted.RECREATE)
    account, _opp = _world_with_a_deal(world)
    with web_connector(world) as session:
        session()
        merged = _qb_id(world, SfObject.ACCOUNT, account)
        survivor = world.qb.add_as_user("Customer", "Acme Tools Inc")
        world.qb.merge_as_user(merged, survivor.id)  # the bookkeeper merges the duplicate
        world.sf.org.update("Account", account, {"Phone": "(512) 555-0199"})
        session()
    assert [c.id for c in world.qb.customers()] == [survivor.id]  # no duplicate came back
    assert _qb_id(world, SfObject.ACCOUNT, account) == survivor.id
    assert world.sf.org.get("Account", account)["QuickBooks_ID__c"] == survivor.id
    kept = world.qb.get(survivor.id)
    assert kept is not None and kept.fields["Phone"] == "(512) 555-0199"
    assert kept.fields["Name"] == "Acme Tools Inc"
    logged = [e.action_taken for e in world.store.journal.log("demo", limit=50)]
    assert any(a.startswith('merged in QuickBooks into "Acme Tools Inc"') for a in logged)


def test_a_deletion_with_history_goes_to_review_even_with_recreate(world: World) -> None:
    world.runner.policy = CompanyPolicy(on_deleted=OnDeleted.RECREATE)
    account, opp = _world_with_a_deal(world)
    with web_connector(world) as session:
        session()
        world.qb.delete_as_user(_qb_id(world, SfObject.OPPORTUNITY, opp))
        world.qb.delete_as_user(_qb_id(world, SfObject.ACCOUNT, account))
        world.sf.org.update("Account", account, {"Phone": "(512) 555-0199"})
        session()
    assert world.qb.customers() == []  # not re-created
    items = {(i.source_type, i.source_id): i for i in world.store.review.items("demo")}
    assert set(items) == {("Account", account), ("Opportunity", opp)}
    assert items[("Opportunity", opp)].code == "RECORD_GONE"  # its invoice was deleted too
    item = items[("Account", account)]
    assert item.code == "3120"
    assert "transaction" in item.reason
    assert world.sf.org.get("Account", account)["QuickBooks_Sync_Status__c"] == "Needs Review"


def test_a_deletion_without_history_keeps_the_policy(world: World) -> None:
    world.runner.policy = CompanyPolicy(on_deleted=OnDeleted.RECREATE)
    account = world.sf.org.create("Account", {"Name": "Lone Co", "Phone": "(512) 555-0101"})
    with web_connector(world) as session:
        session()
        gone = _qb_id(world, SfObject.ACCOUNT, account)
        world.qb.delete_as_user(gone)
        world.sf.org.update("Account", account, {"Phone": "(512) 555-0199"})
        session()
    (customer,) = world.qb.customers()
    assert customer.id != gone and _qb_id(world, SfObject.ACCOUNT, account) == customer.id


def test_a_product_made_inactive_makes_its_item_inactive_and_back(world: World) -> None:
    product, _entry = _product(world)
    with web_connector(world) as session:
        session()
        item = _qb_id(world, SfObject.PRODUCT2, product)
        world.sf.org.update("Product2", product, {"IsActive": False})
        session()
        record = world.qb.get(item)
        assert record is not None and not record.is_active
        world.sf.org.update("Product2", product, {"IsActive": True})
        session()
    record = world.qb.get(item)
    assert record is not None and record.is_active and len(world.qb.items()) == 1


@pytest.mark.parametrize("policy", [OnInactive.REVIEW, OnInactive.REACTIVATE])
@pytest.mark.parametrize("which", [SfObject.ACCOUNT, SfObject.PRODUCT2])
def test_an_invoice_for_an_inactive_customer_or_item_by_policy(
    world: World, which: SfObject, policy: OnInactive
) -> None:
    world.runner.policy = CompanyPolicy(on_inactive=policy)
    account = world.sf.org.create("Account", {"Name": "Acme Tools", "Phone": "(512) 555-0101"})
    product, entry = _product(world)
    with web_connector(world) as session:
        session()
        inactive = _qb_id(world, which, account if which is SfObject.ACCOUNT else product)
        world.qb.modify_as_user(inactive, IsActive="false")  # made inactive in QuickBooks
        opp = _deal(world, account, entry)
        session()
    record = world.qb.get(inactive)
    assert record is not None
    row = world.store.queue.get("demo", "opportunity_to_invoice", SfRef(SfObject.OPPORTUNITY, opp))
    assert row is not None
    if policy is OnInactive.REVIEW:
        assert world.qb.invoices() == [] and not record.is_active
        assert row.status is QueueStatus.REVIEW
        (item,) = world.store.review.items("demo")
        assert item.code == "PARENT_INACTIVE" and "inactive in QuickBooks" in item.reason
        assert world.sf.org.get("Opportunity", opp)["QuickBooks_Sync_Status__c"] == "Needs Review"
    else:
        assert record.is_active and len(world.qb.invoices()) == 1
        assert world.sf.org.get("Opportunity", opp)["QuickBooks_ID__c"] == world.qb.invoices()[0].id


def test_a_customer_made_inactive_in_quickbooks_then_edited_is_updated_not_recreated(
    world: World,
) -> None:
    world.runner.policy = CompanyPolicy(on_deleted=OnDeleted.RECREATE)
    account = world.sf.org.create("Account", {"Name": "Sleepy Co", "Phone": "(512) 555-0101"})
    with web_connector(world) as session:
        session()
        qb_id = _qb_id(world, SfObject.ACCOUNT, account)
        world.qb.modify_as_user(qb_id, IsActive="false")
        session()  # QuickBooks' change is read: nothing looks gone
        world.sf.org.update("Account", account, {"Phone": "(512) 555-0199"})
        session()
    (customer,) = world.qb.customers()
    assert customer.id == qb_id and not customer.is_active
    assert customer.fields["Phone"] == "(512) 555-0199"
    assert _qb_id(world, SfObject.ACCOUNT, account) == qb_id
