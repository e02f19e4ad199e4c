"""QuickBooks Online batch requests written down before they leave (`BatchJournal`).

A batch is kept while any Salesforce record it wrote for is in flight in the company's queue:
until then the answer may not have been written down (lost on the way, or the worker stopped
before the cycle kept it), and the next cycle sends the batch again to learn it. Once none of
its records is in flight, the batch is forgotten.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sfqb.connectors.qbo.unanswered import UnansweredBatch
from sfqb.store.common import Clock, Sessions
from sfqb.store.models import QueueRow
from sfqb.store.qbo_models import QboBatchRow
from sfqb.store.queue import QueueStatus

# Batches written down between two clean-ups of those whose records all left flight: often
# enough to keep the table small, seldom enough that a cycle of thousands of records does not
# compare every batch with every row in flight at each send.
_CLEAN_EVERY = 50


class QboBatches:
    """The qbo_batches table: per company, the batches whose answer may not be kept."""

    def __init__(self, sessions: Sessions, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def journal(self, company: str) -> CompanyBatches:
        """One company's batches, as the QuickBooks Online driver keeps them."""
        return CompanyBatches(self, company)

    def keep(self, company: str, batch: UnansweredBatch) -> None:
        """Write the batch down (again: the same requestid is one row); every `_CLEAN_EVERY`
        batches, those of the company none of whose records is in flight are forgotten."""
        row = QboBatchRow(
            company=company, request_id=batch.request_id, sf_ids=sorted(batch.sf_ids),
            batch=batch.to_json(), sent_at=batch.sent_at,
        )  # fmt: skip
        try:
            with self._sessions.begin() as db:
                kept = db.scalar(
                    select(func.count())
                    .select_from(QboBatchRow)
                    .where(QboBatchRow.company == company)
                )
                if kept and kept % _CLEAN_EVERY == 0:
                    self._forget_settled(db, company)
                known = db.scalar(
                    select(QboBatchRow.id).where(
                        QboBatchRow.company == company,
                        QboBatchRow.request_id == batch.request_id,
                    )
                )
                if known is None:
                    db.add(row)
        except IntegrityError:
            pass  # another worker wrote the same request down at the same moment

    def unanswered(self, company: str) -> list[UnansweredBatch]:
        """The company's batches with a record in flight, oldest first."""
        with self._sessions.begin() as db:
            self._forget_settled(db, company)
            rows = db.scalars(
                select(QboBatchRow)
                .where(QboBatchRow.company == company)
                .order_by(QboBatchRow.sent_at, QboBatchRow.id)
            ).all()
        return [UnansweredBatch.from_json(r.batch) for r in rows]

    @staticmethod
    def _forget_settled(db: Session, company: str) -> None:
        rows = db.execute(
            select(QboBatchRow.id, QboBatchRow.sf_ids).where(QboBatchRow.company == company)
        ).all()
        if not rows:
            return
        flying = set(
            db.scalars(
                select(QueueRow.source_id).where(
                    QueueRow.company == company, QueueRow.status == QueueStatus.INFLIGHT.value
                )
            )
        )
        settled = [i for i, sf_ids in rows if not flying.intersection(sf_ids)]
        if settled:
            db.execute(delete(QboBatchRow).where(QboBatchRow.id.in_(settled)))


class CompanyBatches:
    """One company's view of `QboBatches`: a `BatchJournal` for its driver."""

    def __init__(self, batches: QboBatches, company: str) -> None:
        self._batches = batches
        self._company = company

    def keep(self, batch: UnansweredBatch) -> None:
        """Write the batch down before it is sent."""
        self._batches.keep(self._company, batch)

    def answered(self, request_id: str) -> None:
        """Nothing yet: the batch is forgotten once its records leave flight, which the
        cycle does only after writing the answer down."""

    def unanswered(self) -> list[UnansweredBatch]:
        """The batches whose answer may not have been kept, oldest first."""
        return self._batches.unanswered(self._company)
