"""The retry queue: upserts, due rows, transitions and counts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from sfqb.domain.bindings import Binding
from sfqb.domain.entities import QbKind, QbRef, SfObject, SfRef
from sfqb.domain.status import Severity, System
from sfqb.store import Direction, InvalidTransition, QueueItem, QueueStatus, Store, StoreError

from .conftest import T0, status

ACCT = SfRef(SfObject.ACCOUNT, "0011")
FLOW = "accounts"
S = QueueStatus


def _enqueue(
    db: Store, fp: str, name: str = "Acme", at: int = 0, source: SfRef = ACCT
) -> QueueItem:
    return db.queue.enqueue(
        "acme", FLOW, Direction.SF_TO_QB, source,
        payload={"Name": name, "AnnualRevenue": Decimal("10.50"), "LastModifiedDate": T0},
        fingerprint=fp, now=T0 + timedelta(minutes=at),
    )  # fmt: skip


def test_enqueue_inserts_a_pending_row_with_a_plain_payload(db: Store) -> None:
    item = _enqueue(db, "f1")
    assert (item.status, item.attempts, item.source, item.next_attempt_at) == (
        S.PENDING,
        0,
        ACCT,
        T0,
    )
    assert item.payload == {
        "Name": "Acme", "AnnualRevenue": "10.50", "LastModifiedDate": "2026-01-15T09:00:00+00:00",
    }  # fmt: skip
    assert db.queue.get("acme", FLOW, ACCT) == item
    with pytest.raises(StoreError, match="reads SfRefs"):
        db.queue.enqueue("acme", FLOW, Direction.SF_TO_QB, QbRef(QbKind.CUSTOMER, "1"),
                         payload={}, fingerprint="x")  # fmt: skip


def test_newer_payload_replaces_and_resets(db: Store) -> None:
    first = _enqueue(db, "f1")
    failed = db.queue.mark(first.id, S.FAILED, decoded=status("3100", Severity.ERROR), now=T0)
    assert (failed.last_system, failed.last_code, failed.next_attempt_at) == (
        System.QBXML,
        "3100",
        None,
    )
    same = _enqueue(db, "f1", at=1)
    assert same.status is S.FAILED  # the same payload again changes nothing
    newer = _enqueue(db, "f2", name="Acme Inc", at=2)
    assert newer.id == first.id
    assert (newer.status, newer.payload["Name"], newer.last_code) == (S.PENDING, "Acme Inc", None)
    assert newer.next_attempt_at == T0 + timedelta(minutes=2)
    assert len(db.queue.open_items("acme")) == 1


def test_an_inflight_row_keeps_the_payload_it_was_sent_with_until_it_leaves_inflight(
    db: Store,
) -> None:
    item = _enqueue(db, "f1")
    db.queue.mark(item.id, S.INFLIGHT, now=T0)
    _enqueue(db, "f2", name="New", at=1)
    during = _enqueue(db, "f3", name="Newer", at=2)
    assert during.payload["Name"] == "Newer" and "__sfqb_sent__" not in during.payload
    assert during.sent is not None and during.sent["Name"] == "Acme"  # the first one sent
    assert db.queue.open_items("acme")[0].sent == during.sent
    after = db.queue.mark(item.id, S.DONE, sent_fingerprint="f1", now=T0)
    assert after.sent is None and after.payload["Name"] == "Newer"


def test_inflight_row_keeps_its_state_and_newer_payload_is_sent_next(db: Store) -> None:
    item = _enqueue(db, "f1")
    sent = db.queue.mark(item.id, S.INFLIGHT, outbox_id=7, now=T0)
    assert (sent.status, sent.outbox_id) == (S.INFLIGHT, 7)
    assert db.queue.due("acme", T0 + timedelta(days=1)) == []
    during = _enqueue(db, "f2", name="New", at=1)
    assert during.status is S.INFLIGHT and during.payload["Name"] == "New"
    after = db.queue.mark(item.id, S.DONE, sent_fingerprint="f1", now=T0 + timedelta(minutes=2))
    assert after.status is S.PENDING and after.attempts == 1  # f2 still has to go
    db.queue.mark(item.id, S.INFLIGHT, now=T0)
    done = db.queue.mark(item.id, S.DONE, sent_fingerprint="f2", now=T0)
    assert (done.status, done.attempts, done.next_attempt_at) == (S.DONE, 2, None)
    assert db.queue.open_items("acme") == []
    assert _enqueue(db, "f2").status is S.DONE  # an echo of what was synced
    assert _enqueue(db, "f3").status is S.PENDING


def test_due_and_transitions(db: Store) -> None:
    a = _enqueue(db, "a", source=SfRef(SfObject.ACCOUNT, "001A"))
    b = _enqueue(db, "b", source=SfRef(SfObject.ACCOUNT, "001B"), at=1)
    c = _enqueue(db, "c", source=SfRef(SfObject.ACCOUNT, "001C"), at=2)
    assert [i.id for i in db.queue.due("acme", T0 + timedelta(minutes=1))] == [a.id, b.id]
    assert [i.id for i in db.queue.due("acme", T0 + timedelta(minutes=5), limit=1)] == [a.id]
    db.queue.mark(a.id, S.INFLIGHT, now=T0)
    waited = db.queue.mark(
        a.id, S.WAITING, lock_wait=True, next_attempt_at=T0 + timedelta(minutes=10),
        decoded=status("3175", Severity.ERROR), now=T0,
    )  # fmt: skip
    assert (waited.lock_waits, waited.attempts, waited.status) == (1, 1, S.WAITING)
    db.queue.mark(b.id, S.REVIEW, error="ambiguous", now=T0)
    due = db.queue.due("acme", T0 + timedelta(minutes=10))
    assert [i.id for i in due] == [c.id, a.id]
    with pytest.raises(InvalidTransition, match="from review to inflight"):
        db.queue.mark(b.id, S.INFLIGHT)
    with pytest.raises(StoreError):
        db.queue.mark(9999, S.DONE)
    db.queue.mark(c.id, S.DONE, now=T0)
    assert db.queue.count_by_status("acme") == {S.WAITING: 1, S.REVIEW: 1, S.DONE: 1}
    assert db.queue.retry("acme", T0, ids=[b.id]) == 1
    assert db.queue.item(b.id).status is S.PENDING
    db.queue.mark(b.id, S.INFLIGHT, outbox_id=3, now=T0)
    assert db.queue.requeue_inflight("acme", T0, outbox_id=4) == 0
    assert db.queue.requeue_inflight("acme", T0, outbox_id=3) == 1
    assert db.queue.count_by_status() == {S.WAITING: 1, S.PENDING: 1, S.DONE: 1}
    assert [i.id for i in db.queue.open_items("acme")] == [a.id, b.id]


def test_qb_to_sf_rows(db: Store) -> None:
    cust = QbRef(QbKind.CUSTOMER, "80000001-1")
    item = db.queue.enqueue(
        "acme", "customers_to_accounts", Direction.QB_TO_SF, cust,
        payload={"Name": "Acme"}, fingerprint="q", now=T0,
    )  # fmt: skip
    assert db.queue.item(item.id).source == cust
    assert db.queue.get("acme", "customers_to_accounts", cust) == item


def test_a_row_waiting_for_a_parent_sleeps_until_a_cycle_finds_the_parent_bound(
    db: Store,
) -> None:
    parent, other = SfRef(SfObject.ACCOUNT, "001P"), SfRef(SfObject.ACCOUNT, "001Q")
    child = db.queue.enqueue(
        "acme", "opportunities", Direction.SF_TO_QB, SfRef(SfObject.OPPORTUNITY, "006C"),
        payload={"Name": "Deal"}, fingerprint="f", now=T0,
    )  # fmt: skip
    day = T0 + timedelta(days=1)
    asleep = db.queue.mark(child.id, S.WAITING, now=T0, next_attempt_at=day, waits_for=parent)
    assert asleep.waits_for == parent
    later = T0 + timedelta(hours=1)
    db.bindings.bind(Binding("acme", other, QbRef(QbKind.CUSTOMER, "80-1"), "fp", T0))
    db.bindings.bind(Binding("other", parent, QbRef(QbKind.CUSTOMER, "80-2"), "fp", T0))
    # another record bound, or the parent bound in another company: it sleeps on
    assert db.queue.wake_bound("acme", later) == 0
    assert db.queue.due("acme", later) == []
    db.bindings.bind(Binding("acme", parent, QbRef(QbKind.CUSTOMER, "80-3"), "fp", T0))
    assert db.queue.wake_bound("acme", later) == 1
    [woken] = db.queue.due("acme", later)
    assert (woken.id, woken.status, woken.next_attempt_at, woken.waits_for) == (
        child.id, S.WAITING, later, None,
    )  # fmt: skip
    assert db.queue.wake_bound("acme", later) == 0  # once


def test_a_waiting_row_that_moves_on_forgets_its_parent(db: Store) -> None:
    parent = SfRef(SfObject.ACCOUNT, "001P")
    child = _enqueue(db, "f1")
    db.queue.mark(child.id, S.WAITING, now=T0, next_attempt_at=T0, waits_for=parent)
    assert db.queue.mark(child.id, S.FAILED, now=T0).waits_for is None
    db.queue.mark(child.id, S.WAITING, now=T0, next_attempt_at=T0, waits_for=parent)
    assert db.queue.retry("acme", T0) == 1  # a person's retry
    assert db.queue.get("acme", FLOW, ACCT).waits_for is None  # type: ignore[union-attr]
    db.queue.mark(child.id, S.WAITING, now=T0, next_attempt_at=T0, waits_for=parent)
    changed = _enqueue(db, "f2", name="Acme Inc", at=1)  # changed in Salesforce: due at once
    assert (changed.status, changed.waits_for) == (S.PENDING, None)
