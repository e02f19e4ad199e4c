"""Set-based store writes (`Store.work`, `Store.queue_page`) and the per-cycle binding cache, on
SQLite and PostgreSQL: one transaction and a fixed number of statements per set, the same
results as the per-record methods, and nothing half-written when a set fails midway."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from sfqb.domain.bindings import Binding, BindingConflict, BindingNotFound
from sfqb.domain.entities import QbKind, QbRef, SfObject, SfRef
from sfqb.domain.status import Severity
from sfqb.store import Direction, InvalidTransition, QueueStatus, Store
from sfqb.store.binding_cache import BindingsChanged
from sfqb.store.journal import NewAttempt
from sfqb.store.queue import Move
from sfqb.store.work import Queued

from .conftest import T0, status

S = QueueStatus
FLOW = "account_to_customer"


def acct(i: int) -> SfRef:
    return SfRef(SfObject.ACCOUNT, f"001{i:05d}")


def cust(i: int) -> QbRef:
    return QbRef(QbKind.CUSTOMER, f"{i}")


def page(n: int, fp: str = "f1", start: int = 0) -> list[Queued]:
    return [Queued(acct(i), {"Name": f"Acme {i}"}, f"{fp}-{i}") for i in range(start, start + n)]


@contextmanager
def counted(db: Store) -> Iterator[dict[str, int]]:
    """Statements and commits sent to the database inside the block."""
    seen = {"statements": 0, "commits": 0}

    def statement(*_: Any) -> None:
        seen["statements"] += 1

    def commit(*_: Any) -> None:
        seen["commits"] += 1

    event.listen(db.engine, "before_cursor_execute", statement)
    event.listen(db.engine, "commit", commit)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", statement)
        event.remove(db.engine, "commit", commit)


def _batch(db: Store, n: int, at: int) -> dict[str, int]:
    """Queue n records, then write one batch's answers: n attempts, n moves, n bindings."""
    rows = db.queue_page("acme", FLOW, Direction.SF_TO_QB, page(n, start=at), now=T0)
    cache = db.binding_cache("acme")
    cache.prefetch(sf=[acct(i) for i in range(at, at + n)], qb=[cust(i) for i in range(at, at + n)])
    for i in range(at, at + n):
        cache.bind(Binding("acme", acct(i), cust(i), f"fp{i}", T0))
    with counted(db) as seen, db.work() as work:
        work.bindings(cache)
        work.log([NewAttempt("acme", FLOW, Direction.SF_TO_QB, "add", status(), sf=acct(i))
                  for i in range(at, at + n)], at=T0)  # fmt: skip
        work.move([Move(item.id, S.DONE) for _, item in rows], now=T0)
    return seen


def test_a_batch_is_one_commit_and_its_statements_do_not_grow_with_its_records(db: Store) -> None:
    small = _batch(db, 20, 0)
    large = _batch(db, 200, 1000)
    assert small["commits"] == large["commits"] == 1
    assert small["statements"] == large["statements"] <= 12
    assert len(db.bindings.for_company("acme")) == 220
    assert db.queue.count_by_status("acme") == {S.DONE: 220}
    assert len(db.journal.log("acme", limit=1000)) == 220


def test_a_page_is_queued_in_one_commit_like_enqueue_one_by_one(db: Store) -> None:
    with counted(db) as seen:
        rows = db.queue_page("acme", FLOW, Direction.SF_TO_QB, page(300), now=T0)
    assert seen["commits"] == 1
    # a look for existing rows and one insert a chunk: asked for the ids in the rows' order,
    # SQLAlchemy sent SQLite an INSERT a row
    assert seen["statements"] <= 4
    assert [after.source for _, after in rows] == [acct(i) for i in range(300)]
    assert len({after.id for _, after in rows}) == 300
    for i in (0, 7, 299):  # each item carries its own row's id
        stored = db.queue.get("acme", FLOW, acct(i))
        assert stored is not None and stored.id == rows[i][1].id
    assert all(before is None and after.status is S.PENDING for before, after in rows)
    one = db.queue.enqueue(
        "acme", "other", Direction.SF_TO_QB, acct(0), payload={"Name": "Acme 0"},
        fingerprint="f1-0", now=T0,
    )  # fmt: skip
    assert replace(rows[0][1], id=one.id, flow="other") == one
    # again: unchanged rows stay, a changed one is pending again with fresh counters
    failed = db.queue.mark(rows[1][1].id, S.FAILED, decoded=status("3100", Severity.ERROR), now=T0)
    inflight = db.queue.mark(rows[2][1].id, S.INFLIGHT, now=T0)
    later = T0 + timedelta(minutes=5)
    again = page(3)
    again[2] = Queued(acct(2), {"Name": "Acme 2 renamed"}, "f2-2")
    second = db.queue_page(
        "acme", FLOW, Direction.SF_TO_QB, again, now=later, keep_inflight_time=True
    )
    assert second[1][0] == failed and second[1][1].status is S.FAILED  # same fingerprint
    assert second[2][0] == inflight
    kept = second[2][1]
    assert (kept.status, kept.updated_at, kept.payload["Name"]) == (
        S.INFLIGHT,
        T0,
        "Acme 2 renamed",
    )
    assert kept.sent == {"Name": "Acme 2"}  # what the unanswered add carried


def test_moves_in_bulk_match_mark_one_by_one(db: Store) -> None:
    rows = [after for _, after in db.queue_page("acme", FLOW, Direction.SF_TO_QB, page(4), now=T0)]
    twins = [
        after for _, after in db.queue_page("acme", "twin", Direction.SF_TO_QB, page(4), now=T0)
    ]
    for row in rows + twins:
        db.queue.mark(row.id, S.INFLIGHT, now=T0)
    later = T0 + timedelta(minutes=1)
    error = status("3100", Severity.ERROR)
    asks: list[dict[str, Any]] = [
        {"status": S.DONE, "sent_fingerprint": "f1-0"},
        {"status": S.DONE, "sent_fingerprint": "older"},  # a newer payload arrived: pending
        {"status": S.FAILED, "decoded": error, "next_attempt_at": later},
        {"status": S.WAITING, "lock_wait": True, "next_attempt_at": later},
    ]
    with db.work() as work:
        moved = work.move([Move(r.id, **ask) for r, ask in zip(rows, asks, strict=True)], now=later)
    for row, twin, ask in zip(rows, twins, asks, strict=True):
        one = db.queue.mark(twin.id, now=later, **ask)
        assert replace(moved[row.id], id=one.id, flow="twin") == one
    assert [moved[r.id].status for r in rows] == [S.DONE, S.PENDING, S.FAILED, S.WAITING]


def test_moves_and_noted_payloads_store_what_they_return(db: Store) -> None:
    rows = [after for _, after in db.queue_page("acme", FLOW, Direction.SF_TO_QB, page(3), now=T0)]
    for row in rows:
        db.queue.mark(row.id, S.INFLIGHT, now=T0)
    renamed = [Queued(acct(i), {"Name": f"Acme {i} renamed"}, f"f2-{i}") for i in range(2)]
    db.queue_page("acme", FLOW, Direction.SF_TO_QB, renamed, now=T0)  # sent ones kept aside
    later = T0 + timedelta(minutes=1)
    with db.work() as work:
        noted = work.note_payloads({rows[0].id: {"QuickBooks_ID__c": "80-1"}})
        moved = work.move(
            [Move(rows[0].id, S.DONE, sent_fingerprint="f1-0"), Move(rows[2].id, S.DONE)],
            now=later,
        )
    assert noted[rows[0].id].sent == {"Name": "Acme 0"}  # a noted field keeps the sent one
    first = moved[rows[0].id]  # a newer payload arrived while in flight: pending, sent dropped
    assert (first.status, first.sent, first.attempts) == (S.PENDING, None, 1)
    assert first.payload == {"Name": "Acme 0 renamed", "QuickBooks_ID__c": "80-1"}
    assert moved[rows[2].id].status is S.DONE
    for item in moved.values():
        assert db.queue.item(item.id) == item
    untouched = db.queue.item(rows[1].id)  # not moved
    assert untouched is not None and untouched.sent == {"Name": "Acme 1"}


def test_a_failure_mid_batch_leaves_no_half_written_set(db: Store) -> None:
    rows = [after for _, after in db.queue_page("acme", FLOW, Direction.SF_TO_QB, page(3), now=T0)]
    done = db.queue.mark(rows[2].id, S.DONE, now=T0)
    cache = db.binding_cache("acme")
    cache.bind(Binding("acme", acct(0), cust(0), "fp", T0))
    after: list[str] = []
    with pytest.raises(InvalidTransition), db.work() as work:
        work.bindings(cache)
        work.log([NewAttempt("acme", FLOW, Direction.SF_TO_QB, "add", status(), sf=acct(0))])
        work.after_commit(lambda: after.append("ran"))
        # the first two moves are fine; done -> in flight is not: the whole set is refused
        work.move(
            [Move(rows[0].id, S.INFLIGHT), Move(rows[1].id, S.INFLIGHT), Move(done.id, S.INFLIGHT)]
        )
    assert db.bindings.for_company("acme") == []
    assert db.journal.log("acme") == []
    assert [db.queue.item(r.id) for r in rows] == [rows[0], rows[1], done]
    assert after == []
    assert cache.dirty  # not written: a later work writes it again (or the cycle is dropped)


def test_the_cache_reads_a_batch_in_one_query_and_answers_from_memory(db: Store) -> None:
    for i in range(0, 50, 2):
        db.bindings.bind(Binding("acme", acct(i), cust(i), "fp", T0))
    cache = db.binding_cache("acme")
    cache.prefetch(sf=[acct(i) for i in range(50)], qb=[cust(i) for i in range(50)])
    assert cache.queries == 2
    for _ in range(11):  # the engine asks many times a record
        for i in range(50):
            expected = db.bindings.by_sf("acme", acct(i))
            assert cache.by_sf("acme", acct(i)) == expected
            assert cache.by_qb("acme", cust(i)) == expected
    assert cache.queries == 2
    assert cache.by_sf("acme", acct(99)) is None  # not prefetched: read once
    assert cache.by_sf("acme", acct(99)) is None
    assert cache.queries == 3


def test_the_cycles_own_writes_are_seen_before_and_stored_after_the_flush(db: Store) -> None:
    db.bindings.bind(Binding("acme", acct(1), cust(1), "fp", T0))
    db.bindings.bind(Binding("acme", acct(2), cust(2), "fp", T0))
    cache = db.binding_cache("acme")
    assert cache.by_sf("acme", acct(3)) is None  # cached as unbound...
    cache.bind(Binding("acme", acct(3), cust(3), "fp", T0))
    assert cache.by_sf("acme", acct(3)) == cache.by_qb("acme", cust(3)) is not None  # ...no more
    with pytest.raises(BindingConflict):
        cache.bind(Binding("acme", acct(4), cust(1), "fp", T0))
    moved = cache.unbind("acme", acct(1))  # acct 1 -> customer 5; customer 1 -> acct 4
    cache.bind(replace(moved, qb=cust(5)))
    cache.bind(Binding("acme", acct(4), cust(1), "fp", T0))
    second = cache.by_sf("acme", acct(2))
    assert second is not None
    cache.update(replace(second, version="7"))
    gone = cache.unbind("acme", cust(2))
    with pytest.raises(BindingNotFound):
        cache.update(gone)
    seen = {(b.sf, b.qb) for b in cache.for_company("acme")}
    assert seen == {(acct(1), cust(5)), (acct(3), cust(3)), (acct(4), cust(1))}
    assert {(b.sf, b.qb) for b in db.bindings.for_company("acme")} == {
        (acct(1), cust(1)), (acct(2), cust(2))
    }  # fmt: skip
    with db.work() as work:
        work.bindings(cache)
    assert {(b.sf, b.qb) for b in db.bindings.for_company("acme")} == seen
    assert not cache.dirty
    assert db.bindings.by_sf("acme", acct(3)) == cache.by_sf("acme", acct(3))


def test_a_binding_changed_by_someone_else_refuses_the_whole_batch(db: Store) -> None:
    db.bindings.bind(Binding("acme", acct(1), cust(1), "fp", T0))
    rows = [after for _, after in db.queue_page("acme", FLOW, Direction.SF_TO_QB, page(1), now=T0)]
    cache = db.binding_cache("acme")
    bound = cache.by_sf("acme", acct(1))
    assert bound is not None
    db.bindings.unbind("acme", acct(1))  # a person, in the console, meanwhile
    cache.update(replace(bound, version="9"))
    with pytest.raises(BindingsChanged), db.work() as work:
        work.move([Move(rows[0].id, S.INFLIGHT)])
        work.bindings(cache)
    assert db.queue.item(rows[0].id) == rows[0]
    assert db.bindings.for_company("acme") == []


def test_review_items_of_synced_records_close_in_one_statement(db: Store) -> None:
    for i in range(3):
        db.review.hold("acme", FLOW, "Account", acct(i).id, "why", now=T0)
    db.review.hold("acme", "other", "Account", acct(0).id, "why", now=T0)
    with db.work() as work:
        closed = work.resolve_records("acme", [(FLOW, acct(0)), (FLOW, acct(2)), (FLOW, acct(7))])
    assert closed == 2
    still = {(i.flow, i.source_id) for i in db.review.items("acme")}
    assert still == {(FLOW, acct(1).id), ("other", acct(0).id)}
