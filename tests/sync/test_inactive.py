"""Inactive customers and items on the engine alone: read before sending, decided by policy."""

from __future__ import annotations

import pytest

from sfqb.connectors.qbd.profile import QBD_PROFILE
from sfqb.domain.entities import SfObject, SfRef
from sfqb.domain.policy import CompanyPolicy, OnInactive
from sfqb.sync.ops import QbAction
from sfqb.sync.records import ItemState

from .test_cycle import Harness, account, opportunity, product
from .test_remedies import run, state

REACTIVATE = CompanyPolicy(on_inactive=OnInactive.REACTIVATE)


def _inactive(h: Harness, which: str) -> str:
    run(h, [h.change(account(1)), h.change(product(1))])
    qb_id = h.qb_of(account(1)["Id"] if which == "Customer" else product(1)["Id"]).id
    h.qb.modify_as_user(qb_id, IsActive="false")
    return qb_id


@pytest.mark.parametrize("which", ["Customer", "Item"])
def test_an_invoice_naming_an_inactive_record_goes_to_review_by_default(which: str) -> None:
    h = Harness()
    _inactive(h, which)
    cycle = run(h, [h.change(opportunity(1, 1, 1))])
    outcome = cycle.outcomes[SfRef(SfObject.OPPORTUNITY, opportunity(1, 1, 1)["Id"])]
    assert outcome.state is ItemState.REVIEW
    assert "inactive in QuickBooks" in outcome.reason and which in outcome.reason
    assert outcome.status is not None and outcome.status.code == "PARENT_INACTIVE"
    assert not h.sent_ops(QbAction.ADD)  # decided from the read, not from QuickBooks' refusal
    assert h.qb.invoices() == []


@pytest.mark.parametrize("which", ["Customer", "Item"])
def test_an_invoice_naming_an_inactive_record_reactivates_it_by_policy(which: str) -> None:
    h = Harness()
    qb_id = _inactive(h, which)
    cycle = run(h, [h.change(opportunity(1, 1, 1))], REACTIVATE)
    assert state(cycle, opportunity(1, 1, 1), SfObject.OPPORTUNITY) is ItemState.DONE
    record = h.qb.get(qb_id)
    assert record is not None and record.is_active
    assert len(h.qb.invoices()) == 1
    assert any("active again" in a.action for a in cycle.attempts)
    # The reactivated record's next Mod uses its new edit sequence (no 3200).
    if which == "Customer":
        again = run(h, [h.change(account(1, Phone="555-0142"))])
        assert state(again, account(1), SfObject.ACCOUNT) is ItemState.DONE
        assert not any(a.status and a.status.code == "3200" for a in again.attempts)


def test_a_refusal_for_an_inactive_record_is_handled_too() -> None:
    h = Harness()
    run(h, [h.change(account(1)), h.change(product(1))])
    customer = h.qb_of(account(1)["Id"]).id
    cycle = _cycle_made_inactive_after_the_read(h, customer, REACTIVATE)
    sf = SfRef(SfObject.OPPORTUNITY, opportunity(1, 1, 1)["Id"])
    outcome = cycle.outcomes[sf]  # QuickBooks refused with 3140: tried again, not failed
    assert outcome.state is ItemState.RETRY and outcome.status is not None
    assert outcome.status.code == "3140" and "inactive" in outcome.status.message
    # Its parent was synced: the text says deleted / made inactive, not "not synced yet".
    assert "made inactive there since" in outcome.status.meaning
    assert "not been synced" not in outcome.status.meaning
    again = run(h, [h.change(opportunity(1, 1, 1))], REACTIVATE)  # the read decides now
    assert state(again, opportunity(1, 1, 1), SfObject.OPPORTUNITY) is ItemState.DONE
    record = h.qb.get(customer)
    assert record is not None and record.is_active and len(h.qb.invoices()) == 1


def _cycle_made_inactive_after_the_read(h: Harness, qb_id: str, policy: CompanyPolicy):  # type: ignore[no-untyped-def]
    from sfqb.sync.cycle import Cycle
    from sfqb.sync.records import SfWriteResult

    from .test_cycle import CATALOG, COMPANY, MAPPER

    cycle = Cycle(COMPANY, [h.change(opportunity(1, 1, 1))], mapper=MAPPER, catalog=CATALOG,
                  bindings=h.bindings, qb_since={}, clock=h.clock, profile=QBD_PROFILE,
                  policy=policy)  # fmt: skip
    first = True
    while (ops := cycle.next_batch()) is not None:
        cycle.take_results(h.driver.execute(ops))
        if first:  # a QuickBooks user makes the customer inactive right after sfqb's read
            h.qb.modify_as_user(qb_id, IsActive="false")
            first = False
    cycle.take_sf_results([SfWriteResult(w.sobject, w.record_id) for w in cycle.sf_writes()])
    return cycle


def test_a_customer_made_inactive_in_quickbooks_is_updated_not_recreated() -> None:
    h = Harness()
    qb_id = _inactive(h, "Customer")
    cycle = run(h, [h.change(account(1, Phone="555-0142"))])
    assert state(cycle, account(1), SfObject.ACCOUNT) is ItemState.DONE
    assert [c.id for c in h.qb.customers()] == [qb_id]
    record = h.qb.get(qb_id)
    assert record is not None and record.fields["Phone"] == "555-0142" and not record.is_active


def test_a_product_made_inactive_makes_its_item_inactive_and_back() -> None:
    h = Harness()
    run(h, [h.change(product(1))])
    item = h.qb_of(product(1)["Id"]).id
    run(h, [h.change({**product(1), "IsActive": False})])
    record = h.qb.get(item)
    assert record is not None and not record.is_active
    run(h, [h.change(product(1))])
    record = h.qb.get(item)
    assert record is not None and record.is_active
