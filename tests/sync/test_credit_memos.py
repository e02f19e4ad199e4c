"""Credit memos on both targets: an Opportunity of the company's credit type goes to
QuickBooks as a Credit Memo against its customer (parents first), and the credit's total and
what remains of it after a person applies it to an invoice go back to the Opportunity."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sfqb.domain.entities import QbKind, SfObject, SfRef
from sfqb.domain.policy import CompanyPolicy, CreditMemoSettings
from sfqb.sync.ops import QbAction
from sfqb.sync.records import ItemState

from .harness import Harness
from .test_cycle import account, opportunity, product

CREDITS = CompanyPolicy(credit_memos=CreditMemoSettings(opportunity_type="Credit"))


def _credit(n: int) -> dict[str, Any]:
    """A Closed Won Opportunity of Type Credit: 2 x 12.50 back to Account 1."""
    return opportunity(n, 1, 1, Type="Credit")


def _written(h: Harness, sf_id: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for write in h.sf_writes:
        if write.record_id == sf_id:
            fields.update(write.fields)
    return fields


def test_a_credit_opportunity_becomes_a_credit_memo_with_its_total_written_back(
    h: Harness,
) -> None:
    h.policy = CREDITS
    credit = _credit(1)
    cycle = h.run([h.change(account(1)), h.change(product(1)), h.change(credit)])
    sf = SfRef(SfObject.OPPORTUNITY, credit["Id"])
    assert cycle.outcomes[sf].state is ItemState.DONE
    assert h.bound(credit["Id"]).kind is QbKind.CREDIT_MEMO
    memo = h.view_of(credit["Id"])
    assert memo.customer == h.bound(account(1)["Id"]).id and memo.net_total == Decimal("25.00")
    assert [op.qb_type for op in h.sent_ops(QbAction.ADD)][-1] == "CreditMemo"
    back = _written(h, credit["Id"])
    assert back["QuickBooks_Credit_Total__c"] == Decimal("25.00")
    assert back["QuickBooks_Credit_Remaining__c"] == Decimal("25.00")
    assert back["QuickBooks_Credit_Status__c"] == "Open"
    assert back["QuickBooks_Sync_Status__c"] == "Synced"


def test_the_credit_applied_to_an_invoice_goes_back(h: Harness) -> None:
    h.policy = CREDITS
    credit, sale = _credit(1), opportunity(2, 1, 1)
    h.run([h.change(account(1)), h.change(product(1)), h.change(credit), h.change(sale)])
    assert h.bound(sale["Id"]).kind is QbKind.INVOICE  # any other Type is still invoiced
    start = h.clock.now
    h.clock.now += timedelta(minutes=5)
    h.books.apply_credit_as_user(h.bound(credit["Id"]), h.bound(sale["Id"]), "10.00")
    feeds = ("Customer", "Item", "Invoice", "CreditMemo", h.target.profile.payment_type)
    h.run([], since=dict.fromkeys(feeds, start))
    back = _written(h, credit["Id"])
    assert back["QuickBooks_Credit_Remaining__c"] == Decimal("15.00")
    assert back["QuickBooks_Credit_Status__c"] == "Partially Applied"
    assert _written(h, sale["Id"])["QuickBooks_Balance__c"] == Decimal("15.00")


def test_without_a_credit_type_a_credit_opportunity_is_invoiced(h: Harness) -> None:
    credit = _credit(3)
    h.run([h.change(account(1)), h.change(product(1)), h.change(credit)])
    assert h.bound(credit["Id"]).kind is QbKind.INVOICE
