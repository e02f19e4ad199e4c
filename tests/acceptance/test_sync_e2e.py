"""Acceptance: the flows end to end over real HTTP (Salesforce) and SOAP (Web Connector)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sfqb.codes import load_catalog
from sfqb.domain.entities import SfObject, SfRef
from sfqb.sandbox.demo import LOGIN, DemoOptions, demo_world, quickbooks_markers, summarize
from sfqb.sandbox.qbd.webconnector_client import Outcome, WebConnectorClient

CATALOG = load_catalog()


def _clock() -> datetime:
    return datetime.now(UTC)


def test_two_hundred_accounts_fifty_products_three_hundred_deals(
    isolated_url: str, tmp_path: Path
) -> None:
    options = DemoOptions(
        accounts=200, products=50, opportunities=300, workdir=tmp_path, database_url=isolated_url
    )
    with demo_world(options, CATALOG, _clock) as (world, _source, reports):
        client = WebConnectorClient(f"{world.endpoint}?wsdl", world.quickbooks)
        first = client.run(*LOGIN)
        assert first.outcome is Outcome.DONE
        report = reports[-1]
        assert report.synced == {
            "account_to_customer": 200,
            "product_to_item": 50,
            "opportunity_to_invoice": 300,
        }
        assert len(first.exchanges) <= 20  # 550 records in at most 20 round trips
        org, qb, store = world.salesforce.org, world.quickbooks, world.store
        assert len(qb.customers()) == 200 and len(qb.items()) == 50 and len(qb.invoices()) == 300
        # Bindings agree three ways: the table, SalesforceID in QuickBooks, QuickBooks_ID__c.
        markers = quickbooks_markers(qb)
        assert max(markers.values()) == 1
        bindings = list(store.bindings)
        assert len(bindings) == 550
        for binding in bindings:
            assert (
                org.get(binding.sf.sobject.value, binding.sf.id)["QuickBooks_ID__c"]
                == binding.qb.id
            )
            assert markers[binding.sf.id] == 1
        # Every invoice references the right customer and items.
        items = {b.qb.id: b.sf.id for b in bindings if b.sf.sobject is SfObject.PRODUCT2}
        for binding in (b for b in bindings if b.sf.sobject is SfObject.OPPORTUNITY):
            opp = org.get("Opportunity", binding.sf.id)
            customer = store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, opp["AccountId"]))
            invoice = qb.get(binding.qb.id)
            assert customer is not None and invoice is not None
            assert invoice.fields["CustomerRef"]["ListID"] == customer.qb.id
            products = sorted(
                li["Product2Id"]
                for li in org.records("OpportunityLineItem")
                if li["OpportunityId"] == binding.sf.id
            )
            assert sorted(items[line["ItemRef"]["ListID"]] for line in invoice.lines) == products

        # A second cycle with no changes writes nothing.
        before = qb.snapshot()
        writes = len(world.salesforce.writes)
        second = client.run(*LOGIN)
        assert second.outcome is Outcome.DONE
        assert reports[-1].sf_writes == 0 and not reports[-1].synced
        assert qb.snapshot() == before and len(world.salesforce.writes) == writes

        # A change on either side reaches the other side once.
        account = bindings[0]
        org.update("Account", account.sf.id, {"Phone": "(512) 555-0100"})
        customer = next(b for b in bindings[1:] if b.sf.sobject is SfObject.ACCOUNT)
        qb.modify_as_user(customer.qb.id, Phone="(737) 555-0111")
        client.run(*LOGIN)
        assert reports[-1].synced == {"account_to_customer": 1, "customer_to_account": 1}
        assert qb.get(account.qb.id).fields["Phone"] == "(512) 555-0100"  # type: ignore[union-attr]
        assert org.get("Account", customer.sf.id)["Phone"] == "(737) 555-0111"
        for _ in range(2):
            client.run(*LOGIN)
            assert reports[-1].sf_writes == 0 and not reports[-1].synced
        summary = summarize(world, reports)
        assert summary["undecoded"] == 0 and summary["duplicates"] == 0
        assert summary["open_failures"] == 0
