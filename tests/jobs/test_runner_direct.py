"""Whole cycles pushed straight to the QuickBooks sandbox, with Salesforce over real HTTPS."""

from __future__ import annotations

import random

from sfqb.domain.entities import SfObject, SfRef
from sfqb.sandbox.demo import salesforce_id_of
from sfqb.sandbox.qbd.records import Record
from sfqb.sandbox.salesforce import seed

from .conftest import World


def _marker(record: object) -> str | None:
    """The SalesforceID custom field sfqb stored on a QuickBooks record."""
    return salesforce_id_of(record) if isinstance(record, Record) else None


def test_a_first_cycle_lands_everything_and_bindings_agree_three_ways(world: World) -> None:
    summary = seed(world.sf.org, 12, random.Random(1))
    report = world.cycle()
    assert report.synced["account_to_customer"] == len(summary.accounts)
    assert report.synced["product_to_item"] == len(summary.products)
    assert report.synced["opportunity_to_invoice"] == len(summary.opportunities)
    customers = {c.id: c for c in world.qb.customers()}
    items = {i.id: i for i in world.qb.items()}
    assert len(customers) == len(summary.accounts)
    for binding in world.store.bindings:
        sf_record = world.sf.org.get(binding.sf.sobject.value, binding.sf.id)
        assert sf_record["QuickBooks_ID__c"] == binding.qb.id  # Salesforce side
        qb_record = world.qb.get(binding.qb.id)
        assert qb_record is not None and _marker(qb_record) == binding.sf.id  # QuickBooks side
    for invoice in world.qb.invoices():
        opp_id = _marker(invoice)
        opp = world.sf.org.get("Opportunity", opp_id)
        account = world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, opp["AccountId"]))
        assert account is not None
        assert invoice.fields["CustomerRef"]["ListID"] == account.qb.id
        lines = [
            li
            for li in world.sf.org.records("OpportunityLineItem")
            if li["OpportunityId"] == opp_id
        ]
        assert len(invoice.lines) == len(lines)
        for line in invoice.lines:
            item = items[line["ItemRef"]["ListID"]]
            assert _marker(item) in {li["Product2Id"] for li in lines}


def test_a_second_cycle_without_changes_writes_nothing(world: World) -> None:
    seed(world.sf.org, 6, random.Random(2))
    world.cycle()
    before = world.qb.snapshot()
    writes = len(world.sf.writes)
    report = world.cycle()
    assert report.sf_writes == 0
    assert report.qb_batches <= 1  # only the read of QuickBooks' changes
    assert world.qb.snapshot() == before
    assert len(world.sf.writes) == writes


def test_a_salesforce_change_reaches_quickbooks_once(world: World) -> None:
    summary = seed(world.sf.org, 4, random.Random(3))
    world.cycle()
    account = summary.accounts[0]
    world.sf.org.update("Account", account, {"Phone": "(512) 555-0199"})
    report = world.cycle()
    assert report.synced["account_to_customer"] == 1
    binding = world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, account))
    assert binding is not None
    customer = world.qb.get(binding.qb.id)
    assert customer is not None and customer.fields["Phone"] == "(512) 555-0199"
    edit = customer.edit_sequence
    for _ in range(2):
        report = world.cycle()
        assert report.sf_writes == 0 and not report.synced
    after = world.qb.get(binding.qb.id)
    assert after is not None and after.edit_sequence == edit


def test_a_quickbooks_change_reaches_salesforce_once(world: World) -> None:
    summary = seed(world.sf.org, 4, random.Random(4))
    world.cycle()
    account = summary.accounts[1]
    binding = world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, account))
    assert binding is not None
    world.clock.advance(10)
    world.qb.modify_as_user(binding.qb.id, Phone="(737) 555-0142")
    report = world.cycle()
    assert report.synced["customer_to_account"] == 1
    assert world.sf.org.get("Account", account)["Phone"] == "(737) 555-0142"
    edit = world.qb.get(binding.qb.id).edit_sequence  # type: ignore[union-attr]
    writes = len(world.sf.writes)
    for _ in range(2):
        report = world.cycle()
        assert report.sf_writes == 0 and not report.synced
    assert len(world.sf.writes) == writes
    assert world.qb.get(binding.qb.id).edit_sequence == edit  # type: ignore[union-attr]


def test_a_payment_in_quickbooks_reaches_the_opportunity(world: World) -> None:
    summary = seed(world.sf.org, 3, random.Random(5))
    world.cycle()
    opp = summary.opportunities[0]
    binding = world.store.bindings.by_sf("demo", SfRef(SfObject.OPPORTUNITY, opp))
    assert binding is not None
    invoice = world.qb.get(binding.qb.id)
    assert invoice is not None
    world.clock.advance(10)
    world.qb.receive_payment(invoice.fields["CustomerRef"]["ListID"], "10.00", binding.qb.id)
    report = world.cycle()
    assert report.synced["payment_to_opportunity"] == 1
    record = world.sf.org.get("Opportunity", opp)
    assert float(record["QuickBooks_Amount_Paid__c"]) == 10.0
    assert record["QuickBooks_Payment_Status__c"] == "Partially Paid"
