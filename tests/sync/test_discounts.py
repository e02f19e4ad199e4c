"""Salesforce line discounts on both targets: net prices and discount lines, with the totals
QuickBooks computes equal to Salesforce's TotalPrice (Quantity x UnitPrice less Discount %)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from sfqb.domain.entities import SfObject, SfRef
from sfqb.domain.policy import CompanyPolicy, DiscountMode, DiscountSettings
from sfqb.sync.records import ItemState

from .harness import QBD, Harness
from .test_cycle import account, product


def _discounted(n: int) -> dict[str, Any]:
    """An Opportunity with a discounted line and a plain one; Salesforce's totals 84.99 + 25."""
    return {
        "Id": f"006{n:015d}",
        "Name": f"Order {n}",
        "AccountId": f"001{1:015d}",
        "IsWon": True,
        "CloseDate": "2026-01-02",
        "OpportunityLineItems": [
            {"Id": "00k1", "Product2Id": f"01t{1:015d}", "Quantity": Decimal(3),
             "UnitPrice": Decimal("33.33"), "Discount": Decimal(15),
             "TotalPrice": Decimal("84.99")},
            {"Id": "00k2", "Product2Id": f"01t{2:015d}", "Quantity": Decimal(2),
             "UnitPrice": Decimal("12.5"), "TotalPrice": Decimal("25.00")},
        ],
    }  # fmt: skip


def _policy(mode: DiscountMode) -> CompanyPolicy:
    return CompanyPolicy(discounts=DiscountSettings(mode=mode))


@pytest.mark.parametrize("mode", list(DiscountMode))
def test_a_discounted_line_totals_what_salesforce_computed(h: Harness, mode: DiscountMode) -> None:
    if h.target is QBD:
        h.qb.add_as_user("ItemDiscount", "Discount")  # the company's discount item
    h.policy = _policy(mode)
    h.run([h.change(account(1)), h.change(product(1)), h.change(product(2))])
    opp = _discounted(1)
    cycle = h.run([h.change(opp)])
    assert cycle.outcomes[SfRef(SfObject.OPPORTUNITY, opp["Id"])].state is ItemState.DONE
    invoice = h.view_of(opp["Id"])
    assert invoice.net_total == Decimal("109.99")  # 84.99 + 25.00, as Salesforce totals them
    # Net prices: two item lines. Discount lines: on Desktop a discount item line after the
    # discounted line; on Online one DiscountLineDetail line (no item).
    desktop_line = h.target is QBD and mode is DiscountMode.DISCOUNT_LINE
    assert len(invoice.items) == (3 if desktop_line else 2)
    added = next(a for a in cycle.attempts if a.operation == "add" and a.sf is not None)
    if mode is DiscountMode.NET_PRICE:
        assert "net_price: less the 15% discount" in added.summary


def test_desktop_discount_line_names_the_company_item_after_the_line() -> None:
    h = Harness(policy=_policy(DiscountMode.DISCOUNT_LINE))
    discount = h.qb.add_as_user("ItemDiscount", "Trade Discount")
    h.policy = CompanyPolicy(
        discounts=DiscountSettings(mode=DiscountMode.DISCOUNT_LINE, item="Trade Discount")
    )
    h.run([h.change(account(1)), h.change(product(1)), h.change(product(2))])
    opp = _discounted(2)
    h.run([h.change(opp)])
    lines = h.qb_of(opp["Id"]).lines
    assert [line["ItemRef"]["ListID"] for line in lines][1] == discount.id
    assert Decimal(str(lines[1]["Amount"])) == Decimal("-15.00")
    assert "Quantity" not in lines[1]  # a discount line carries no quantity


def test_desktop_discount_item_missing_is_one_decoded_failure() -> None:
    h = Harness(policy=_policy(DiscountMode.DISCOUNT_LINE))
    h.run([h.change(account(1)), h.change(product(1)), h.change(product(2))])
    opp = _discounted(3)
    cycle = h.run([h.change(opp)])
    outcome = cycle.outcomes[SfRef(SfObject.OPPORTUNITY, opp["Id"])]
    assert outcome.state is not ItemState.DONE
    assert outcome.status is not None and outcome.status.code == "3140"
