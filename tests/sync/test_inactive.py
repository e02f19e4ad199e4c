"""Inactive customers and items on the engine alone: read before sending, decided by policy.

On both targets (the `h` fixture): QuickBooks Desktop refuses a transaction naming an inactive
name with 3140, QuickBooks Online with Fault 610 ("Something you're trying to use has been made
inactive", Intuit's error-code page).
"""

from __future__ import annotations

import pytest

from sfqb.domain.entities import SfObject, SfRef
from sfqb.domain.policy import CompanyPolicy, OnInactive
from sfqb.sync.ops import QbAction
from sfqb.sync.records import ItemState

from .harness import Harness
from .test_cycle import account, opportunity, product
from .test_remedies import run, state

REACTIVATE = CompanyPolicy(on_inactive=OnInactive.REACTIVATE)


def _inactive(h: Harness, which: str) -> str:
    run(h, [h.change(account(1)), h.change(product(1))])
    ref = h.bound(account(1)["Id"] if which == "Customer" else product(1)["Id"])
    h.books.modify_as_user(ref, active=False)
    return ref.id


@pytest.mark.parametrize("which", ["Customer", "Item"])
def test_an_invoice_naming_an_inactive_record_goes_to_review_by_default(
    h: Harness, which: str
) -> None:
    _inactive(h, which)
    cycle = run(h, [h.change(opportunity(1, 1, 1))])
    outcome = cycle.outcomes[SfRef(SfObject.OPPORTUNITY, opportunity(1, 1, 1)["Id"])]
    assert outcome.state is ItemState.REVIEW
    assert "inactive in QuickBooks" in outcome.reason and which in outcome.reason
    assert outcome.status is not None and outcome.status.code == "PARENT_INACTIVE"
    assert not h.sent_ops(QbAction.ADD)  # decided from the read, not from QuickBooks' refusal
    assert h.books.records("invoice") == []


@pytest.mark.parametrize("which", ["Customer", "Item"])
def test_an_invoice_naming_an_inactive_record_reactivates_it_by_policy(
    h: Harness, which: str
) -> None:
    _inactive(h, which)
    parent = h.bound(account(1)["Id"] if which == "Customer" else product(1)["Id"])
    cycle = run(h, [h.change(opportunity(1, 1, 1))], REACTIVATE)
    assert state(cycle, opportunity(1, 1, 1), SfObject.OPPORTUNITY) is ItemState.DONE
    record = h.books.get(parent)
    assert record is not None and record.active
    assert len(h.books.records("invoice")) == 1
    assert any("active again" in a.action for a in cycle.attempts)
    # The reactivated record's next Mod uses its new version (no stale EditSequence/SyncToken).
    if which == "Customer":
        again = run(h, [h.change(account(1, Phone="555-0142"))])
        assert state(again, account(1), SfObject.ACCOUNT) is ItemState.DONE
        stale = h.target.stale_version
        assert not any(a.status and a.status.code == stale for a in again.attempts)


def test_a_refusal_for_an_inactive_record_is_handled_too(h: Harness) -> None:
    run(h, [h.change(account(1)), h.change(product(1))])
    customer = h.bound(account(1)["Id"])

    def made_inactive(batch: int) -> None:  # a QuickBooks user, right after sfqb's read
        if batch == 1:
            h.books.modify_as_user(customer, active=False)

    cycle = h.run([h.change(opportunity(1, 1, 1))], policy=REACTIVATE, after_batch=made_inactive)
    sf = SfRef(SfObject.OPPORTUNITY, opportunity(1, 1, 1)["Id"])
    outcome = cycle.outcomes[sf]  # QuickBooks refused it: tried again, not failed
    assert outcome.state is ItemState.RETRY and outcome.status is not None
    assert outcome.status.code == h.target.inactive_refused
    assert "inactive" in outcome.status.message
    # Its parent was synced: the text says deleted / made inactive, not "not synced yet".
    assert "made inactive" in outcome.status.meaning
    assert "not been synced" not in outcome.status.meaning
    again = run(h, [h.change(opportunity(1, 1, 1))], REACTIVATE)  # the read decides now
    assert state(again, opportunity(1, 1, 1), SfObject.OPPORTUNITY) is ItemState.DONE
    record = h.books.get(customer)
    assert record is not None and record.active and len(h.books.records("invoice")) == 1


def test_a_customer_made_inactive_in_quickbooks_is_updated_not_recreated(h: Harness) -> None:
    qb_id = _inactive(h, "Customer")
    cycle = run(h, [h.change(account(1, Phone="555-0142"))])
    assert state(cycle, account(1), SfObject.ACCOUNT) is ItemState.DONE
    assert [c.id for c in h.books.records("customer")] == [qb_id]
    record = h.view_of(account(1)["Id"])
    assert record.phone == "555-0142" and not record.active


def test_a_product_made_inactive_makes_its_item_inactive_and_back(h: Harness) -> None:
    run(h, [h.change(product(1))])
    item = h.bound(product(1)["Id"])
    run(h, [h.change({**product(1), "IsActive": False})])
    record = h.books.get(item)
    assert record is not None and not record.active
    run(h, [h.change(product(1))])
    record = h.books.get(item)
    assert record is not None and record.active
