"""Acceptance, on both targets over real HTTP: a credit memo made from a credit Opportunity and
its amount applied back to Salesforce; discounted lines reach QuickBooks with the totals
Salesforce computed (net prices, and discount lines); a sale in another currency than its
customer's is one decoded message on the record, with nothing sent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sfqb.domain.entities import QbKind, SfObject, SfRef
from sfqb.domain.policy import CompanyPolicy, CreditMemoSettings, DiscountMode, DiscountSettings
from sfqb.sandbox.demo import DemoOptions

from .conftest import DesktopEndToEnd, EndToEnd, OpenWorld

SMALL = DemoOptions(accounts=1, products=2, opportunities=1)


def _deal(
    world: EndToEnd, account: str, iso: str | None, discount: float, kind: str | None = None
) -> str:
    """A Closed Won Opportunity of `account` (of Type `kind`) with a discounted line and a
    plain one."""
    org = world.sf.org
    extra = {"CurrencyIsoCode": iso} if iso else {}
    if kind:
        extra["Type"] = kind
    fields = {"Name": f"Deal {iso or ''} {discount}", "AccountId": account,
              "StageName": "Closed Won", "CloseDate": "2026-12-01",
              "Pricebook2Id": org.standard_pricebook_id, **extra}  # fmt: skip
    opp = org.create("Opportunity", fields)
    entries = [e["Id"] for e in org.records("PricebookEntry")][:2]
    org.create("OpportunityLineItem", {"OpportunityId": opp, "PricebookEntryId": entries[0],
                                       "Quantity": 3.0, "UnitPrice": 33.33,
                                       "Discount": discount})  # fmt: skip
    org.create("OpportunityLineItem", {"OpportunityId": opp, "PricebookEntryId": entries[1],
                                       "Quantity": 2.0})  # fmt: skip
    return opp


def _settle(world: EndToEnd) -> None:
    for _ in range(4):
        report = world.cycle()
        if not report.synced and not report.sf_writes:
            return


@pytest.mark.parametrize("mode", list(DiscountMode))
def test_discounted_lines_total_what_salesforce_computed(
    open_world: OpenWorld, mode: DiscountMode
) -> None:
    policy = CompanyPolicy(discounts=DiscountSettings(mode=mode))
    with open_world(SMALL, policy) as world:
        if isinstance(world, DesktopEndToEnd):
            world.qb.add_as_user("ItemDiscount", "Discount")  # the company's discount item
        account = world.sf.org.records("Account")[0]["Id"]
        opp = _deal(world, account, None, 15.0)
        _settle(world)
        binding = world.store.bindings.by_sf("demo", SfRef(SfObject.OPPORTUNITY, opp))
        assert binding is not None
        invoice = world.qb_record(binding.qb)
        assert invoice is not None and invoice.net_total is not None
        amount = Decimal(str(world.sf.org.get("Opportunity", opp)["Amount"]))
        assert invoice.net_total == amount  # QuickBooks' total is Salesforce's, to the cent
        summary = world.summary()
        assert summary["undecoded"] == 0 and summary["open_failures"] == 0


def test_a_sale_in_another_currency_is_one_message_on_the_record(open_world: OpenWorld) -> None:
    with open_world(SMALL, CompanyPolicy(multicurrency=True)) as world:
        org = world.sf.org
        account = org.create("Account", {"Name": "Dollar Buyer Ltd", "CurrencyIsoCode": "USD"})
        _settle(world)
        good, bad = _deal(world, account, "USD", 0.0), _deal(world, account, "EUR", 0.0)
        _settle(world)
        assert world.store.bindings.by_sf("demo", SfRef(SfObject.OPPORTUNITY, good)) is not None
        assert world.store.bindings.by_sf("demo", SfRef(SfObject.OPPORTUNITY, bad)) is None
        record = org.get("Opportunity", bad)
        assert record["QuickBooks_Sync_Status__c"] == "Needs Review"
        assert "CURRENCY_MISMATCH" in record["QuickBooks_Sync_Error__c"]
        assert "in EUR" in record["QuickBooks_Sync_Error__c"]
        codes = world.store.journal.attempts_by_code("demo")
        assert sum(n for code, n in codes.items() if "CURRENCY_MISMATCH" in code) == 1


def test_a_credit_memo_is_made_and_its_amount_applied_back(open_world: OpenWorld) -> None:
    policy = CompanyPolicy(credit_memos=CreditMemoSettings(opportunity_type="Credit"))
    with open_world(SMALL, policy) as world:
        org = world.sf.org
        account = org.records("Account")[0]["Id"]
        sale, credit = _deal(world, account, None, 0.0), _deal(world, account, None, 0.0, "Credit")
        _settle(world)
        memo = world.store.bindings.by_sf("demo", SfRef(SfObject.OPPORTUNITY, credit))
        invoice = world.store.bindings.by_sf("demo", SfRef(SfObject.OPPORTUNITY, sale))
        assert memo is not None and invoice is not None
        assert (memo.qb.kind, invoice.qb.kind) == (QbKind.CREDIT_MEMO, QbKind.INVOICE)
        total = Decimal(str(org.get("Opportunity", credit)["Amount"]))
        view = world.qb_record(memo.qb)
        assert view is not None and view.net_total == total
        record = org.get("Opportunity", credit)
        assert Decimal(str(record["QuickBooks_Credit_Total__c"])) == total
        assert Decimal(str(record["QuickBooks_Credit_Remaining__c"])) == total
        assert record["QuickBooks_Credit_Status__c"] == "Open"
        # A person applies 20.00 of the credit to the invoice in QuickBooks: it comes back.
        world.qb_apply_credit(memo.qb, invoice.qb, "20.00")
        _settle(world)
        record = org.get("Opportunity", credit)
        assert Decimal(str(record["QuickBooks_Credit_Remaining__c"])) == total - 20
        assert record["QuickBooks_Credit_Status__c"] == "Partially Applied"
        summary = world.summary()
        assert summary["undecoded"] == 0 and summary["duplicates"] == 0
