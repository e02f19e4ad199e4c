"""QuickBooks Online batches kept while any of their records is in flight, on both backends."""

from __future__ import annotations

from datetime import timedelta

from sfqb.connectors.qbo.api import BatchItem, BatchOperation
from sfqb.connectors.qbo.unanswered import UnansweredBatch
from sfqb.domain.entities import SfObject, SfRef
from sfqb.store import Direction, QueueItem, QueueStatus, Store

from .conftest import T0

ONE, TWO = SfRef(SfObject.ACCOUNT, "001000000000000001"), SfRef(SfObject.ACCOUNT, "0010000002")


def row(db: Store, sf: SfRef, company: str = "acme") -> QueueItem:
    """A queue row in flight: its batch has left."""
    item = db.queue.enqueue(
        company, "accounts", Direction.SF_TO_QB, sf, payload={"Name": sf.id}, fingerprint="f",
        now=T0,
    )  # fmt: skip
    return db.queue.mark(item.id, QueueStatus.INFLIGHT, now=T0)


def batch(rid: str, *sfs: SfRef, minutes: int = 0) -> UnansweredBatch:
    items = tuple(
        BatchItem(f"b{n}", "Customer", BatchOperation.CREATE, {"DisplayName": s.id})
        for n, s in enumerate(sfs, 1)
    )
    records = {f"b{n}": s.id for n, s in enumerate(sfs, 1)}
    return UnansweredBatch(rid, items, records, T0 + timedelta(minutes=minutes), singly=True)


def test_a_batch_is_kept_once_while_a_record_of_it_is_in_flight(db: Store) -> None:
    first, second = row(db, ONE), row(db, TWO)
    journal = db.qbo_batches.journal("acme")
    journal.keep(batch("sfqb-a", ONE, TWO))
    journal.keep(batch("sfqb-a", ONE, TWO))  # the same request written down again: one row
    journal.keep(batch("sfqb-b", TWO, minutes=1))
    journal.answered("sfqb-a")  # an answer is safe only once the cycle kept it
    assert [b.request_id for b in journal.unanswered()] == ["sfqb-a", "sfqb-b"]
    assert journal.unanswered()[0] == batch("sfqb-a", ONE, TWO)  # exactly as sent
    assert db.qbo_batches.unanswered("other") == []

    db.queue.mark(second.id, QueueStatus.DONE, now=T0)  # TWO settled; ONE still in flight
    assert [b.request_id for b in journal.unanswered()] == ["sfqb-a"]
    db.queue.mark(first.id, QueueStatus.DONE, now=T0)
    assert journal.unanswered() == []
    journal.keep(batch("sfqb-c", ONE))  # its row is done: gone at the next look
    assert journal.unanswered() == []


def test_batches_of_settled_records_are_cleaned_up_as_more_are_written(db: Store) -> None:
    done = row(db, ONE)
    db.queue.mark(done.id, QueueStatus.DONE, now=T0)  # every answer was kept: nothing flies
    for n in range(50):
        db.qbo_batches.keep("acme", batch(f"sfqb-{n}", ONE, minutes=n))
    with db.engine.connect() as connection:
        count = connection.exec_driver_sql("SELECT count(*) FROM qbo_batches").scalar()
    assert count == 50
    db.qbo_batches.keep("acme", batch("sfqb-50", ONE, minutes=50))  # the 51st cleans up first
    with db.engine.connect() as connection:
        count = connection.exec_driver_sql("SELECT count(*) FROM qbo_batches").scalar()
    assert count == 1
