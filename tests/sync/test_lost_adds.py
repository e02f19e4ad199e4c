"""An add whose reply never arrived, then edits before the next cycle: the look-up finds the
record the add created, so QuickBooks never holds it twice."""

from __future__ import annotations

from dataclasses import replace

from sfqb.sync.ops import QbAction

from .harness import Harness
from .test_cycle import account


def test_an_unanswered_add_is_found_by_the_values_it_sent_after_salesforce_changed(
    h: Harness,
) -> None:
    acct = account(1)
    before = h.clock.now
    h.run([h.change(acct)], lose_add=1)  # QuickBooks added it; the reply was lost
    [customer] = h.books.records("customer")
    now = {**acct, "Name": "Renamed in Salesforce", "Phone": "555-0777"}
    h.run([replace(h.change(now, before), sent=acct)])
    assert h.sent_ops(QbAction.ADD) == []
    assert [c.id for c in h.books.records("customer")] == [customer.id]
    assert h.bound(acct["Id"]).id == customer.id


def test_only_a_phone_changed_in_salesforce_still_finds_the_record_the_add_created(
    h: Harness,
) -> None:
    acct = account(1)
    before = h.clock.now
    h.run([h.change(acct)], lose_add=1)
    [customer] = h.books.records("customer")
    h.run([replace(h.change({**acct, "Phone": "555-0777"}, before), sent=acct)])
    assert h.sent_ops(QbAction.ADD) == []
    assert h.bound(acct["Id"]).id == customer.id
