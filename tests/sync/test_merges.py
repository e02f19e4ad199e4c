"""Merged and deleted QuickBooks records on the engine alone: followed to the survivor, or held.

On both targets (the `h` fixture): QuickBooks Desktop reports a merge as the merged record's
deletion (ListDeletedQuery) with its transactions now naming the survivor; QuickBooks Online
reports it by webhook ("Merge", with deletedId) and Change Data Capture (status "Deleted").
"""

from __future__ import annotations

import pytest

from sfqb.domain.entities import QbKind, QbRef, SfObject, SfRef
from sfqb.domain.policy import CompanyPolicy, OnDeleted
from sfqb.sync.ops import QbAction
from sfqb.sync.records import ItemState

from .harness import Harness
from .test_cycle import account, opportunity, product
from .test_remedies import run, state

RECREATE = CompanyPolicy(on_deleted=OnDeleted.RECREATE)


def _bound_with_invoice(h: Harness) -> QbRef:
    run(h, [h.change(account(1)), h.change(product(1)), h.change(opportunity(1, 1, 1))])
    return h.bound(account(1)["Id"])


def _ref(kind: QbKind, qb_id: str) -> QbRef:
    return QbRef(kind, qb_id)


def test_a_customer_merged_into_another_is_followed_not_recreated(h: Harness) -> None:
    old = _bound_with_invoice(h)
    survivor = h.books.add_as_user("customer", "Acme Holdings")
    h.books.merge_as_user(old, _ref(QbKind.CUSTOMER, survivor.id))
    cycle = run(h, [h.change(account(1, Phone="555-0142"))], RECREATE)
    assert state(cycle, account(1), SfObject.ACCOUNT) is ItemState.DONE
    assert [c.id for c in h.books.records("customer")] == [survivor.id]  # nothing re-created
    now = h.view_of(account(1)["Id"])
    assert now.id == survivor.id and now.phone == "555-0142"
    assert now.name == "Acme Holdings"  # the bookkeeper's choice stays
    assert any(a.action.startswith("merged in QuickBooks into") for a in cycle.attempts)
    assert not h.sent_ops(QbAction.ADD)


@pytest.mark.desktop_only(
    "QuickBooks Online merges names by webhook and CDC for customers; the QuickBooks Online "
    "sandbox merges customers only, so an item merge has no Online counterpart here"
)
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


def test_a_survivor_bound_to_another_record_goes_to_review(h: Harness) -> None:
    old = _bound_with_invoice(h)
    run(h, [h.change(account(2, name="Acme Two"))])
    taken = h.bound(account(2)["Id"])
    h.books.merge_as_user(old, taken)
    cycle = run(h, [h.change(account(1, Phone="555-0142"))], RECREATE)
    outcome = cycle.outcomes[SfRef(SfObject.ACCOUNT, account(1)["Id"])]
    assert outcome.state is ItemState.REVIEW and "bound to" in outcome.reason
    assert outcome.details["merged_into"] == taken.id
    assert len(h.books.records("customer")) == 1 and not h.sent_ops(QbAction.ADD)


def test_a_deleted_record_with_history_goes_to_review_even_with_recreate(h: Harness) -> None:
    old = _bound_with_invoice(h)
    invoice = h.bound(opportunity(1, 1, 1)["Id"])
    h.books.remove_as_user(invoice)  # the invoice first, then its customer: no survivor
    h.books.remove_as_user(old)
    cycle = run(h, [h.change(account(1, Phone="555-0142"))], RECREATE)
    outcome = cycle.outcomes[SfRef(SfObject.ACCOUNT, account(1)["Id"])]
    assert outcome.state is ItemState.REVIEW and "transaction" in outcome.reason
    assert outcome.details["transactions"] == [invoice.id]
    assert h.books.records("customer") == [] and not h.sent_ops(QbAction.ADD)


def test_a_deleted_record_without_history_keeps_the_policy(h: Harness) -> None:
    run(h, [h.change(account(1))])
    h.books.remove_as_user(h.bound(account(1)["Id"]))
    cycle = run(h, [h.change(account(1, Phone="555-0142"))], RECREATE)
    assert state(cycle, account(1), SfObject.ACCOUNT) is ItemState.DONE
    assert len(h.books.records("customer")) == 1


def test_a_new_invoice_for_a_merged_away_customer_moves_the_parents_binding(h: Harness) -> None:
    old = _bound_with_invoice(h)
    survivor = _ref(QbKind.CUSTOMER, h.books.add_as_user("customer", "Acme Holdings").id)
    h.books.merge_as_user(old, survivor)
    cycle = run(h, [h.change(opportunity(2, 1, 1))], RECREATE)
    refused = [a.status.code for a in cycle.attempts if a.operation == "add"]
    assert refused == [h.target.bad_reference]  # 3140 on Desktop, 2500 on Online
    assert h.bound(account(1)["Id"]) == survivor
    assert SfRef(SfObject.ACCOUNT, account(1)["Id"]) in cycle.requeue
    run(h, [h.change(opportunity(2, 1, 1))], RECREATE)
    invoice = h.view_of(opportunity(2, 1, 1)["Id"])
    assert invoice.customer == survivor.id
    assert [c.id for c in h.books.records("customer")] == [survivor.id]
