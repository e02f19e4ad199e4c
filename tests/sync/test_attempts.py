"""Every Add and Mod the cycle emits carries an attempt key (`QbOp.attempt`): the same when a
write whose reply was lost is sent again, new for a new attempt (a target with idempotent
requests, QuickBooks Online's requestid, derives its request id from it and the body)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sfqb.connectors.qbd.profile import QBD_PROFILE
from sfqb.sync.cycle import Cycle
from sfqb.sync.ops import QbAction, QbOp
from sfqb.sync.records import PendingChange

from .test_cycle import CATALOG, COMPANY, MAPPER, Harness, account, product


def _cycle(h: Harness, changes: list[PendingChange], *, lost: bool = False) -> list[QbOp]:
    """One cycle; with `lost`, every batch with a write is sent but never reaches QuickBooks."""
    cycle = Cycle(COMPANY, changes, mapper=MAPPER, catalog=CATALOG, bindings=h.bindings,
                  qb_since={}, clock=h.clock, profile=QBD_PROFILE)  # fmt: skip
    writes: list[QbOp] = []
    while (ops := cycle.next_batch()) is not None:
        written = [op for op in ops if op.action in (QbAction.ADD, QbAction.MOD)]
        writes += written
        cycle.take_results([] if lost and written else h.driver.execute(ops))
    return writes


def test_a_write_sent_again_after_its_reply_was_lost_keeps_its_attempt_key() -> None:
    h = Harness()
    change = h.change(account(1))
    (first,) = _cycle(h, [change], lost=True)  # the request never reached QuickBooks
    assert first.action is QbAction.ADD and first.attempt
    # The next cycle finds the row in flight (no answer counted), looks, finds nothing, adds.
    again = replace(change, unknown_since=datetime(2026, 1, 1, tzinfo=UTC))
    (second,) = _cycle(h, [again])
    assert second.action is QbAction.ADD and second.fields == first.fields
    assert second.attempt == first.attempt


def test_a_new_attempt_after_an_answer_gets_a_new_key() -> None:
    h = Harness()
    change = h.change(account(1))
    (first,) = _cycle(h, [change], lost=True)
    (later,) = _cycle(h, [replace(change, tries=1)])  # the row's attempt was answered (failed)
    assert later.attempt and later.attempt != first.attempt


def test_a_remedy_resending_a_record_in_the_same_cycle_is_a_new_attempt() -> None:
    h = Harness()
    _cycle(h, [h.change(account(1, name="Acme"))])
    # Another Account of the same name: 3100, the name belongs to a bound record, sent renamed.
    adds = _cycle(h, [h.change(account(2, name="Acme"))])
    assert [op.action for op in adds] == [QbAction.ADD, QbAction.ADD]
    assert adds[0].fields["Name"] != adds[1].fields["Name"]
    assert adds[0].attempt != adds[1].attempt and all(op.attempt for op in adds)


def test_every_add_and_mod_carries_an_attempt_key() -> None:
    h = Harness()
    _cycle(h, [h.change(account(1)), h.change(product(1))])
    writes = _cycle(h, [h.change(account(1, Phone="555-0199")), h.change(product(1, "9.99"))])
    assert {op.action for op in writes} == {QbAction.MOD}
    assert all(op.attempt for op in writes)
    assert len({op.attempt for op in writes}) == len(writes)
