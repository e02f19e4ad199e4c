"""Credit memos from a custom object the company names (`source:` of refund_to_credit_memo in
its config file): a Refund__c record becomes a QuickBooks Credit Memo against its Account's
customer, on both targets, through the same engine and bindings as the Opportunity credits.

qbXML 12.0 CreditMemoAdd (QuickBooks Desktop) and Intuit's CreditMemo entity (QuickBooks
Online) take a CustomerRef and at least one line; a refund keeps one amount, so the credit has
one line made from the record. The record's lookup to its Account (Salesforce Help, "Custom
Field Types": Lookup Relationship) makes the customer a parent sent first.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sfqb.domain.entities import QbKind, SfObject, SfRef
from sfqb.mapping.flowconfig import FlowConfig

from .test_custom_source import use_flow
from .worlds import TargetWorld, won_deal

REFUND = SfObject("Refund__c")
FLOW = "refund_to_credit_memo"
# The company's map of its refund object, per target (the target's own field names): the
# customer from the Account lookup, the date, a memo and the one line's item and amount.
_MAPS: Mapping[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "qbd": (
        {"CustomerRef": {"source": "Account__c", "ref": "Account"},
         "TxnDate": {"source": "Refund_Date__c", "type": "date"},
         "Memo": {"source": "Name", "max_length": 4095}},
        {"ItemRef": {"source": "Product__c", "ref": "Product2"},
         "Amount": {"source": "Amount__c", "type": "amount"}},
    ),
    "qbo": (
        {"CustomerRef": {"source": "Account__c", "ref": "Account"},
         "TxnDate": {"source": "Refund_Date__c", "type": "date"},
         "PrivateNote": {"source": "Name", "max_length": 4000}},
        {"SalesItemLineDetail/ItemRef": {"source": "Product__c", "ref": "Product2"},
         "Amount": {"source": "Amount__c", "type": "amount"},
         "SalesItemLineDetail/UnitPrice": {"source": "Amount__c", "type": "price"}},
    ),
}  # fmt: skip


def use_refunds(world: TargetWorld, source: str = "Refund__c") -> None:
    """The world's runner with the refund flow reading `source` (the company's config file)."""
    fields, lines = _MAPS[world.target]
    config = FlowConfig(FLOW, fields=fields, lines=lines, sobject=source)
    # The org's preflight describes the refund object and the fields sfqb reads and writes.
    use_flow(world, config, check=True)


def refund(world: TargetWorld, account: str, amount: float, name: str = "RMA-1001") -> str:
    """A Refund__c of `amount` to `account`, for a refunded product; its Id."""
    org = world.sf.org
    product = org.create("Product2", {"Name": "Widget", "ProductCode": "W-1", "IsActive": True})
    made = org.create(
        "Refund__c",
        {"Name": name, "Account__c": account, "Product__c": product, "Amount__c": amount,
         "Refund_Date__c": org.now().date().isoformat()},
    )  # fmt: skip
    return str(made)


def test_a_refund_becomes_a_credit_memo_against_its_accounts_customer(
    target_world: TargetWorld,
) -> None:
    world = target_world
    use_refunds(world)
    account = world.sf.org.create("Account", {"Name": "Juniper Cafe"})
    made = refund(world, account, 45.5)
    assert made.startswith("a0R")  # the custom object's key prefix
    report = world.cycle()
    assert not report.held, report.held
    # Parents first: the customer and the item went across in the same cycle.
    log = world.store.journal.log("demo", limit=99)
    assert report.synced[FLOW] == 1, [(a.flow, a.operation, a.code, a.message) for a in log]
    customer = world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, account))
    binding = world.store.bindings.by_sf("demo", SfRef(REFUND, made))
    assert customer is not None and binding is not None
    assert binding.qb.kind is QbKind.CREDIT_MEMO
    record = world.sf.org.get("Refund__c", made)
    assert record["QuickBooks_ID__c"] == binding.qb.id
    assert record["QuickBooks_Sync_Status__c"] == "Synced"
    again = world.cycle()
    assert not again.synced.get(FLOW)


def _settle(world: TargetWorld) -> None:
    for _ in range(4):
        world.advance(10)
        report = world.cycle()
        if not report.synced and not report.sf_writes:
            return


def test_the_credit_applied_in_quickbooks_comes_back_to_the_refund(
    target_world: TargetWorld,
) -> None:
    """The credit's total and what remains of it go back to the refund record (the
    credit_to_refund map); a person applying part of it to an invoice lowers what remains."""
    world = target_world
    use_refunds(world)
    account = world.sf.org.create("Account", {"Name": "Juniper Cafe"})
    sale = won_deal(world.sf.org, account)
    made = refund(world, account, 15.0)
    _settle(world)
    memo = world.store.bindings.by_sf("demo", SfRef(REFUND, made))
    invoice = world.store.bindings.by_sf("demo", SfRef(SfObject.OPPORTUNITY, sale))
    assert memo is not None and invoice is not None
    record = world.sf.org.get("Refund__c", made)
    assert Decimal(str(record["QuickBooks_Credit_Total__c"])) == Decimal("15")
    assert Decimal(str(record["QuickBooks_Credit_Remaining__c"])) == Decimal("15")
    world.advance(10)
    world.qb_apply_credit(memo.qb, invoice.qb, "6.00")
    _settle(world)
    record = world.sf.org.get("Refund__c", made)
    assert Decimal(str(record["QuickBooks_Credit_Remaining__c"])) == Decimal("9")
    assert Decimal(str(record["QuickBooks_Credit_Total__c"])) == Decimal("15")
    # The Opportunity's credit fields are not the refund's: the sale keeps none.
    assert world.sf.org.get("Opportunity", sale).get("QuickBooks_Credit_Remaining__c") is None


def test_an_edited_refund_updates_its_credit_memo(target_world: TargetWorld) -> None:
    world = target_world
    use_refunds(world)
    account = world.sf.org.create("Account", {"Name": "Juniper Cafe"})
    made = refund(world, account, 20.0)
    world.cycle()
    world.advance(10)
    world.sf.org.update("Refund__c", made, {"Amount__c": 32.5})
    report = world.cycle()
    assert report.synced[FLOW] == 1
    _settle(world)
    binding = world.store.bindings.by_sf("demo", SfRef(REFUND, made))
    assert binding is not None
    assert world.qb_count("creditmemo") == 1
    record = world.sf.org.get("Refund__c", made)
    assert Decimal(str(record["QuickBooks_Credit_Total__c"])) == Decimal("32.5")


def test_a_refund_object_the_org_lacks_holds_the_company_with_one_message(
    target_world: TargetWorld,
) -> None:
    world = target_world
    use_refunds(world, "Credit_Note__c")
    world.sf.org.create("Account", {"Name": "Juniper Cafe"})
    report = world.cycle()
    assert "cannot see the object Credit_Note__c (a flow's source: in the config file)" in (
        report.held
    )
    assert report.qb_batches == 0 and world.qb_count("customer") == 0
