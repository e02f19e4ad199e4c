"""Whole cycles pushed straight to QuickBooks (Desktop and Online), with Salesforce over real
HTTPS: the same tests on both targets, through the neutral `TargetWorld`."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from sfqb.domain.entities import QbRef, SfObject, SfRef
from sfqb.jobs.runner import Driver
from sfqb.sandbox.salesforce import seed
from sfqb.store import QueueStatus
from sfqb.sync.ops import QbAction, QbOp, QbResult
from sfqb.sync.target import MarkerKind

from .worlds import TargetWorld


def _bound(world: TargetWorld, sobject: SfObject) -> dict[str, QbRef]:
    """Salesforce Id -> QuickBooks record of every binding of one object."""
    return {b.sf.id: b.qb for b in world.store.bindings if b.sf.sobject is sobject}


def test_a_first_cycle_lands_everything_and_bindings_agree_three_ways(
    target_world: TargetWorld,
) -> None:
    world = target_world
    summary = seed(world.sf.org, 12, random.Random(1))
    report = world.cycle()
    assert report.synced["account_to_customer"] == len(summary.accounts)
    assert report.synced["product_to_item"] == len(summary.products)
    assert report.synced["opportunity_to_invoice"] == len(summary.opportunities)
    assert world.qb_count("customer") == len(summary.accounts)
    assert world.qb_count("item") == len(summary.products)
    assert world.qb_count("invoice") == len(summary.opportunities)
    marked = world.profile.marker is not MarkerKind.NONE
    for binding in world.store.bindings:
        sf_record = world.sf.org.get(binding.sf.sobject.value, binding.sf.id)
        assert sf_record["QuickBooks_ID__c"] == binding.qb.id  # Salesforce side
        qb_record = world.qb_record(binding.qb)
        assert qb_record is not None  # QuickBooks side, and its marker where it keeps one
        assert qb_record.marker == (binding.sf.id if marked else None)
    accounts, products = _bound(world, SfObject.ACCOUNT), _bound(world, SfObject.PRODUCT2)
    items = {qb.id: sf for sf, qb in products.items()}
    for opp_id, invoice_ref in _bound(world, SfObject.OPPORTUNITY).items():
        invoice = world.qb_record(invoice_ref)
        opp = world.sf.org.get("Opportunity", opp_id)
        assert invoice is not None and invoice.customer == accounts[opp["AccountId"]].id
        lines = sorted(
            li["Product2Id"]
            for li in world.sf.org.records("OpportunityLineItem")
            if li["OpportunityId"] == opp_id
        )
        assert sorted(items[item] for item in invoice.items) == lines


def test_a_second_cycle_without_changes_writes_nothing(target_world: TargetWorld) -> None:
    world = target_world
    seed(world.sf.org, 6, random.Random(2))
    world.cycle()
    before = world.qb_snapshot()
    writes = len(world.sf.writes)
    report = world.cycle()
    assert report.sf_writes == 0
    assert report.qb_batches <= 1  # only the read of QuickBooks' changes
    assert world.qb_snapshot() == before
    assert len(world.sf.writes) == writes


def test_a_salesforce_change_reaches_quickbooks_once(target_world: TargetWorld) -> None:
    world = target_world
    summary = seed(world.sf.org, 4, random.Random(3))
    world.cycle()
    account = summary.accounts[0]
    world.sf.org.update("Account", account, {"Phone": "(512) 555-0199"})
    report = world.cycle()
    assert report.synced["account_to_customer"] == 1
    binding = world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, account))
    assert binding is not None
    customer = world.qb_record(binding.qb)
    assert customer is not None and customer.phone == "(512) 555-0199"
    for _ in range(2):
        report = world.cycle()
        assert report.sf_writes == 0 and not report.synced
    after = world.qb_record(binding.qb)
    assert after is not None and after.version == customer.version


def test_a_quickbooks_change_reaches_salesforce_once(target_world: TargetWorld) -> None:
    world = target_world
    summary = seed(world.sf.org, 4, random.Random(4))
    world.cycle()
    account = summary.accounts[1]
    binding = world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, account))
    assert binding is not None
    world.advance(10)
    world.qb_modify_as_user(binding.qb, phone="(737) 555-0142")
    report = world.cycle()
    assert report.synced["customer_to_account"] == 1
    assert world.sf.org.get("Account", account)["Phone"] == "(737) 555-0142"
    edited = world.qb_record(binding.qb)
    writes = len(world.sf.writes)
    for _ in range(2):
        report = world.cycle()
        assert report.sf_writes == 0 and not report.synced
    assert len(world.sf.writes) == writes
    assert world.qb_record(binding.qb) == edited


def test_a_payment_in_quickbooks_reaches_the_opportunity(target_world: TargetWorld) -> None:
    world = target_world
    summary = seed(world.sf.org, 3, random.Random(5))
    world.cycle()
    opp = summary.opportunities[0]
    binding = world.store.bindings.by_sf("demo", SfRef(SfObject.OPPORTUNITY, opp))
    assert binding is not None
    world.advance(10)
    world.qb_receive_payment(binding.qb, "10.00")
    report = world.cycle()
    assert report.synced["payment_to_opportunity"] == 1
    record = world.sf.org.get("Opportunity", opp)
    assert float(record["QuickBooks_Amount_Paid__c"]) == 10.0
    assert record["QuickBooks_Payment_Status__c"] == "Partially Paid"


@dataclass
class LosesAddReplies:
    """The driver, losing the reply of the first batch that adds a record of `qb_type`
    (QuickBooks did the work; sfqb never heard back)."""

    inner: Driver
    world: TargetWorld
    qb_type: str
    lost: int = 0

    def execute(self, ops: Sequence[QbOp]) -> list[QbResult]:
        if not self.lost and any(
            op.action is QbAction.ADD and op.qb_type == self.qb_type for op in ops
        ):
            self.lost += 1
            self.world.qb_lose_next_replies(1)
        return self.inner.execute(ops)


def test_an_edit_while_an_add_is_unanswered_does_not_add_a_second_invoice(
    target_world: TargetWorld,
) -> None:
    world = target_world
    summary = seed(world.sf.org, 2, random.Random(1))
    lossy: list[LosesAddReplies] = []
    world.run_with(
        lambda driver: lossy.append(LosesAddReplies(driver, world, "Invoice")) or lossy[0]
    )
    assert lossy[0].lost == 1
    assert world.qb_count("invoice") == len(summary.opportunities)
    world.advance(30)
    world.sf.org.update("Opportunity", summary.opportunities[0], {"Name": "Renamed meanwhile"})
    world.cycle()
    world.cycle()
    assert world.qb_count("invoice") == len(summary.opportunities)
    for opp in summary.opportunities:
        binding = world.store.bindings.by_sf("demo", SfRef(SfObject.OPPORTUNITY, opp))
        assert binding is not None
        assert world.sf.org.get("Opportunity", opp)["QuickBooks_ID__c"] == binding.qb.id


def test_a_salesforce_edit_while_a_customer_add_is_unanswered_adds_no_second_customer(
    target_world: TargetWorld,
) -> None:
    world = target_world
    summary = seed(world.sf.org, 2, random.Random(1))
    lossy: list[LosesAddReplies] = []

    def losing(driver: Driver) -> Driver:
        lossy.append(LosesAddReplies(driver, world, "Customer"))
        return lossy[0]

    world.run_with(losing)
    assert lossy[0].lost == 1
    customers = world.qb_count("customer")
    world.advance(30)
    for account in summary.accounts:  # the look-up by the new name and phone finds nothing
        world.sf.org.update("Account", account, {"Name": f"{account} renamed", "Phone": "555-0777"})
    world.cycle()
    world.cycle()
    assert world.qb_count("customer") == customers
    for account in summary.accounts:
        binding = world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, account))
        assert binding is not None
        assert world.sf.org.get("Account", account)["QuickBooks_ID__c"] == binding.qb.id


def test_quickbooks_failing_for_a_while_is_retried_nothing_lost_or_doubled(
    target_world: TargetWorld,
) -> None:
    world = target_world
    summary = seed(world.sf.org, 3, random.Random(6))
    world.qb_fail_next(2)  # the next two requests (or connections) fail, then QuickBooks is back
    for _ in range(6):
        world.cycle()
        world.advance(120)  # past any retry delay
    assert world.qb_count("customer") == len(summary.accounts)
    assert world.qb_count("item") == len(summary.products)
    assert world.qb_count("invoice") == len(summary.opportunities)
    for opp in summary.opportunities:
        binding = world.store.bindings.by_sf("demo", SfRef(SfObject.OPPORTUNITY, opp))
        assert binding is not None
        assert world.sf.org.get("Opportunity", opp)["QuickBooks_ID__c"] == binding.qb.id
    statuses = world.store.queue.count_by_status("demo")
    assert set(statuses) <= {QueueStatus.DONE}  # nothing left due, failed or for review
