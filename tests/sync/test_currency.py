"""Multiple currencies on both targets: the Account's CurrencyIsoCode is its customer's
currency; a sale in another currency, or a customer whose currency would change after use,
is one decoded message on the review list and nothing is sent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sfqb.domain.entities import SfObject, SfRef
from sfqb.domain.policy import CompanyPolicy
from sfqb.domain.status import System
from sfqb.sandbox.qbd import SandboxSettings
from sfqb.sync.ops import QbAction
from sfqb.sync.records import ItemState

from .harness import TARGETS, Harness
from .test_cycle import account, opportunity, product

MULTI = CompanyPolicy(multicurrency=True)


@pytest.fixture(params=sorted(TARGETS))
def mc(request: pytest.FixtureRequest) -> Iterator[Harness]:
    """A harness on each target whose QuickBooks has multiple currencies on."""
    harness = Harness(target=TARGETS[request.param], policy=MULTI,
                      settings=SandboxSettings(multi_currency=True))  # fmt: skip
    yield harness
    harness.close()


def _opp(n: int, iso: str) -> dict[str, object]:
    return opportunity(n, 1, 1, CurrencyIsoCode=iso)


def test_the_account_currency_is_the_customer_currency_and_a_sale_in_it_goes(mc: Harness) -> None:
    mc.run([mc.change(account(1, CurrencyIsoCode="EUR")), mc.change(product(1))])
    customer = mc.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, account(1)["Id"]))
    assert customer is not None and customer.sf_values is not None
    assert customer.sf_values["CurrencyRef"] in ({"value": "EUR"}, {"FullName": "Euro"})
    cycle = mc.run([mc.change(_opp(1, "EUR"))])
    assert cycle.outcomes[SfRef(SfObject.OPPORTUNITY, _opp(1, "EUR")["Id"])].state is (
        ItemState.DONE
    )


def test_a_sale_in_another_currency_is_one_message_and_nothing_is_sent(mc: Harness) -> None:
    mc.run([mc.change(account(1, CurrencyIsoCode="USD")), mc.change(product(1))])
    opp = _opp(2, "EUR")
    cycle = mc.run([mc.change(opp)])
    outcome = cycle.outcomes[SfRef(SfObject.OPPORTUNITY, str(opp["Id"]))]
    assert outcome.state is ItemState.REVIEW
    assert outcome.status is not None and outcome.status.system is System.TRANSPORT
    assert outcome.status.code == "CURRENCY_MISMATCH" and outcome.status.known
    # The customer's currency as QuickBooks names it: USD (Online) or US Dollar (Desktop).
    assert "in EUR" in outcome.reason and ("USD" in outcome.reason or "US Dollar" in outcome.reason)
    assert not mc.sent_ops(QbAction.ADD) and not mc.books.records("invoice")
    lines = [a for a in cycle.attempts if a.sf == outcome.sf]
    assert len(lines) == 1  # one message for the record


def test_the_same_pair_in_one_cycle_is_checked_against_the_pending_account(mc: Harness) -> None:
    opp = _opp(3, "GBP")
    cycle = mc.run([mc.change(account(1, CurrencyIsoCode="USD")), mc.change(product(1)),
                    mc.change(opp)])  # fmt: skip
    assert cycle.outcomes[SfRef(SfObject.OPPORTUNITY, str(opp["Id"]))].state is ItemState.REVIEW
    assert len(mc.books.records("customer")) == 1


def test_a_used_customer_keeps_its_currency(mc: Harness) -> None:
    mc.run([mc.change(account(1, CurrencyIsoCode="USD")), mc.change(product(1))])
    mc.run([mc.change(_opp(4, "USD"))])
    moved = account(1, CurrencyIsoCode="EUR", Phone="555-0199")
    cycle = mc.run([mc.change(moved)])
    outcome = cycle.outcomes[SfRef(SfObject.ACCOUNT, str(moved["Id"]))]
    assert outcome.state is ItemState.REVIEW
    assert outcome.status is not None and outcome.status.code == "CURRENCY_FIXED"
    assert not mc.sent_ops(QbAction.MOD)  # not the phone either: nothing sent half


def test_an_unused_customer_may_still_change_currency(mc: Harness) -> None:
    mc.run([mc.change(account(1, CurrencyIsoCode="USD"))])
    cycle = mc.run([mc.change(account(1, CurrencyIsoCode="EUR"))])
    outcome = cycle.outcomes[SfRef(SfObject.ACCOUNT, str(account(1)["Id"]))]
    assert outcome.state is ItemState.DONE


def test_without_multicurrency_the_currency_is_not_sent(h: Harness) -> None:
    h.run([h.change(account(1, CurrencyIsoCode="EUR")), h.change(product(1))])
    cycle = h.run([h.change(_opp(5, "GBP"))])
    assert cycle.outcomes[SfRef(SfObject.OPPORTUNITY, str(_opp(5, "GBP")["Id"]))].state is (
        ItemState.DONE
    )
    add = h.sent_ops(QbAction.ADD)[0]
    assert "CurrencyRef" not in add.fields
