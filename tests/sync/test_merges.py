"""Merged and deleted QuickBooks records on the engine alone: followed to the survivor, or held."""

from __future__ import annotations

from sfqb.domain.entities import SfObject, SfRef
from sfqb.domain.policy import CompanyPolicy, OnDeleted
from sfqb.sync.ops import QbAction
from sfqb.sync.records import ItemState

from .test_cycle import Harness, account, opportunity, product
from .test_remedies import run, state

RECREATE = CompanyPolicy(on_deleted=OnDeleted.RECREATE)


def _bound_with_invoice(h: Harness) -> str:
    run(h, [h.change(account(1)), h.change(product(1)), h.change(opportunity(1, 1, 1))])
    return h.qb_of(account(1)["Id"]).id


def test_a_customer_merged_into_another_is_followed_not_recreated() -> None:
    h = Harness()
    old = _bound_with_invoice(h)
    survivor = h.qb.add_as_user("Customer", "Acme Holdings")
    h.qb.merge_as_user(old, survivor.id)
    cycle = run(h, [h.change(account(1, Phone="555-0142"))], RECREATE)
    assert state(cycle, account(1), SfObject.ACCOUNT) is ItemState.DONE
    assert [c.id for c in h.qb.customers()] == [survivor.id]  # nothing re-created
    now = h.qb.get(survivor.id)
    assert now is not None and now.fields["Phone"] == "555-0142"
    assert now.fields["Name"] == "Acme Holdings"  # the bookkeeper's choice stays
    assert h.qb_of(account(1)["Id"]).id == survivor.id
    assert any(a.action.startswith("merged in QuickBooks into") for a in cycle.attempts)
    assert not h.sent_ops(QbAction.ADD)


def test_an_item_merged_into_another_is_followed_through_the_invoice_lines() -> None:
    h = Harness()
    _bound_with_invoice(h)
    old = h.qb_of(product(1)["Id"]).id
    survivor = h.qb.add_as_user("ItemService", "Widget (new)")
    h.qb.merge_as_user(old, survivor.id)
    cycle = run(h, [h.change(product(1, price="13.00"))], RECREATE)
    assert state(cycle, product(1), SfObject.PRODUCT2) is ItemState.DONE
    assert [i.id for i in h.qb.items()] == [survivor.id]
    assert h.qb_of(product(1)["Id"]).id == survivor.id


def test_a_survivor_bound_to_another_record_goes_to_review() -> None:
    h = Harness()
    old = _bound_with_invoice(h)
    run(h, [h.change(account(2, name="Acme Two"))])
    taken = h.qb_of(account(2)["Id"]).id
    h.qb.merge_as_user(old, taken)
    cycle = run(h, [h.change(account(1, Phone="555-0142"))], RECREATE)
    outcome = cycle.outcomes[SfRef(SfObject.ACCOUNT, account(1)["Id"])]
    assert outcome.state is ItemState.REVIEW and "bound to" in outcome.reason
    assert outcome.details["merged_into"] == taken
    assert len(h.qb.customers()) == 1 and not h.sent_ops(QbAction.ADD)


def test_a_deleted_record_with_history_goes_to_review_even_with_recreate() -> None:
    h = Harness()
    old = _bound_with_invoice(h)
    invoice = h.qb_of(opportunity(1, 1, 1)["Id"]).id
    h.qb.delete_as_user(invoice)  # the invoice first, then its customer: no survivor
    h.qb.delete_as_user(old)
    cycle = run(h, [h.change(account(1, Phone="555-0142"))], RECREATE)
    outcome = cycle.outcomes[SfRef(SfObject.ACCOUNT, account(1)["Id"])]
    assert outcome.state is ItemState.REVIEW and "transaction" in outcome.reason
    assert outcome.details["transactions"] == [invoice]
    assert h.qb.customers() == [] and not h.sent_ops(QbAction.ADD)


def test_a_deleted_record_without_history_keeps_the_policy() -> None:
    h = Harness()
    run(h, [h.change(account(1))])
    h.qb.delete_as_user(h.qb_of(account(1)["Id"]).id)
    cycle = run(h, [h.change(account(1, Phone="555-0142"))], RECREATE)
    assert state(cycle, account(1), SfObject.ACCOUNT) is ItemState.DONE
    assert len(h.qb.customers()) == 1


def test_a_new_invoice_for_a_merged_away_customer_moves_the_parents_binding() -> None:
    h = Harness()
    old = _bound_with_invoice(h)
    survivor = h.qb.add_as_user("Customer", "Acme Holdings")
    h.qb.merge_as_user(old, survivor.id)
    cycle = run(h, [h.change(opportunity(2, 1, 1))], RECREATE)
    assert h.qb_of(account(1)["Id"]).id == survivor.id
    assert SfRef(SfObject.ACCOUNT, account(1)["Id"]) in cycle.requeue
    run(h, [h.change(opportunity(2, 1, 1))], RECREATE)
    invoice = h.qb_of(opportunity(2, 1, 1)["Id"])
    assert invoice.fields["CustomerRef"] == {"ListID": survivor.id}
    assert [c.id for c in h.qb.customers()] == [survivor.id]
