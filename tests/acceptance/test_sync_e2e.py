"""Acceptance: the flows end to end over real HTTP, on QuickBooks Desktop (through the Web
Connector over SOAP) and QuickBooks Online (over HTTPS) alike."""

from __future__ import annotations

from sfqb.domain.entities import SfObject, SfRef
from sfqb.sandbox.demo import DemoOptions
from sfqb.sync.target import MarkerKind

from .conftest import OpenWorld

RECORDS = 550


def test_two_hundred_accounts_fifty_products_three_hundred_deals(open_world: OpenWorld) -> None:
    options = DemoOptions(accounts=200, products=50, opportunities=300)
    with open_world(options) as world:
        report = world.cycle()
        assert report.synced == {
            "account_to_customer": 200,
            "product_to_item": 50,
            "opportunity_to_invoice": 300,
        }
        # 550 records in at most 20 round trips (QuickBooks Online's batches carry 30 each).
        assert world.round_trips(report) <= max(20, -(-RECORDS // world.profile.max_batch) + 4)
        org, store = world.sf.org, world.store
        assert world.qb_count("customer") == 200 and world.qb_count("item") == 50
        assert world.qb_count("invoice") == 300
        # Bindings agree three ways: the table, QuickBooks_ID__c, and QuickBooks (its record,
        # with the Salesforce Id where the target keeps one).
        marked = world.profile.marker is not MarkerKind.NONE
        bindings = list(store.bindings)
        assert len(bindings) == RECORDS
        for binding in bindings:
            sf_record = org.get(binding.sf.sobject.value, binding.sf.id)
            assert sf_record["QuickBooks_ID__c"] == binding.qb.id
            qb_record = world.qb_record(binding.qb)
            assert qb_record is not None
            assert qb_record.marker == (binding.sf.id if marked else None)
        # Every invoice references the right customer and items.
        items = {b.qb.id: b.sf.id for b in bindings if b.sf.sobject is SfObject.PRODUCT2}
        for binding in (b for b in bindings if b.sf.sobject is SfObject.OPPORTUNITY):
            opp = org.get("Opportunity", binding.sf.id)
            customer = store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, opp["AccountId"]))
            invoice = world.qb_record(binding.qb)
            assert customer is not None and invoice is not None
            assert invoice.customer == customer.qb.id
            products = sorted(
                li["Product2Id"]
                for li in org.records("OpportunityLineItem")
                if li["OpportunityId"] == binding.sf.id
            )
            assert sorted(items[item] for item in invoice.items) == products

        # A second cycle with no changes writes nothing.
        before = world.qb_snapshot()
        writes = len(world.sf.writes)
        second = world.cycle()
        assert second.sf_writes == 0 and not second.synced
        assert world.qb_snapshot() == before and len(world.sf.writes) == writes

        # A change on either side reaches the other side once.
        account = bindings[0]
        org.update("Account", account.sf.id, {"Phone": "(512) 555-0100"})
        customer = next(b for b in bindings[1:] if b.sf.sobject is SfObject.ACCOUNT)
        world.qb_modify_as_user(customer.qb, phone="(737) 555-0111")
        both = world.cycle()
        assert both.synced == {"account_to_customer": 1, "customer_to_account": 1}
        changed = world.qb_record(account.qb)
        assert changed is not None and changed.phone == "(512) 555-0100"
        assert org.get("Account", customer.sf.id)["Phone"] == "(737) 555-0111"
        for _ in range(2):
            quiet = world.cycle()
            assert quiet.sf_writes == 0 and not quiet.synced
        summary = world.summary()
        assert summary["undecoded"] == 0 and summary["duplicates"] == 0
        assert summary["open_failures"] == 0
