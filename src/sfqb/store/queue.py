"""The retry queue: one row per source record and flow, with its sync state.

States: pending (due at next_attempt_at), inflight (sent, waiting for the answer), done,
failed (an error; retried at next_attempt_at, or never when that is empty), waiting (blocked,
e.g. by a parent or a record in use; retried at next_attempt_at, or, when it waits for an
unbound parent (waits_for), once a cycle finds that parent bound) and review (held for a
person).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from sfqb.domain.entities import QbRef, SfRef
from sfqb.domain.status import DecodedStatus
from sfqb.store.common import (
    Clock,
    Direction,
    Sessions,
    StoreError,
    chunks,
    require_aware,
    to_jsonable,
)
from sfqb.store.models import QueueRow
from sfqb.store.queue_rows import (
    DUE,
    OUTCOMES,
    TRANSITIONS,
    InvalidTransition,
    Move,
    QueueItem,
    QueueStatus,
    apply_move,
    check_source,
    clear_errors,
    item_of,
    new_values,
    requeued,
    source_type,
    wake_bound,
)

__all__ = [
    "DUE",
    "OUTCOMES",
    "TRANSITIONS",
    "InvalidTransition",
    "Move",
    "QueueItem",
    "QueueStatus",
    "SyncQueue",
]
_S = QueueStatus


class SyncQueue:
    """The retry queue, unique on (company, flow, source record)."""

    def __init__(self, sessions: Sessions, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def enqueue(
        self,
        company: str,
        flow: str,
        direction: Direction,
        source: SfRef | QbRef,
        *,
        payload: Mapping[str, Any],
        fingerprint: str,
        now: datetime | None = None,
    ) -> QueueItem:
        """Queue a source record, or update its row.

        A new fingerprint replaces the payload and makes the row pending (due now) with fresh
        counters, unless it is inflight: then the payload is replaced and the row stays
        inflight, and `mark(DONE, sent_fingerprint=...)` makes it pending again. The same
        fingerprint again leaves a done, failed, waiting or review row as it is.
        """
        direction = Direction(direction)
        check_source(direction, source)
        now = require_aware(now or self._clock(), "now")
        plain = to_jsonable(payload)
        kind = source_type(source)
        for _ in range(2):  # a concurrent first enqueue loses the insert race once
            try:
                with self._sessions.begin() as db:
                    row = db.scalar(
                        select(QueueRow)
                        .where(
                            QueueRow.company == company,
                            QueueRow.flow == flow,
                            QueueRow.source_type == kind,
                            QueueRow.source_id == source.id,
                        )
                        .with_for_update()
                    )
                    if row is None:
                        row = QueueRow(
                            **new_values(
                                company, flow, direction, source, plain=plain,
                                fingerprint=fingerprint, now=now,
                            )
                        )  # fmt: skip
                        db.add(row)
                    else:
                        requeued(row, plain, fingerprint, now)
                    db.flush()
                    return item_of(row)
            except IntegrityError:
                continue
        raise StoreError(f"could not queue {source} for flow {flow!r} of {company!r}")

    def mark(
        self,
        item_id: int,
        status: QueueStatus,
        *,
        now: datetime | None = None,
        next_attempt_at: datetime | None = None,
        decoded: DecodedStatus | None = None,
        error: str | None = None,
        outbox_id: int | None = None,
        sent_fingerprint: str | None = None,
        lock_wait: bool = False,
        waits_for: SfRef | None = None,
    ) -> QueueItem:
        """Move a row to `status` (InvalidTransition when TRANSITIONS forbids it).

        Leaving inflight with an outcome counts an attempt; `lock_wait` counts a wait on a
        record in use. `decoded` (and `error`) become last_system/last_code/last_error.
        DONE with a `sent_fingerprint` older than the row's makes it pending instead: a newer
        payload arrived while the old one was in flight. PENDING is due at `next_attempt_at`
        or now; FAILED and WAITING at `next_attempt_at` (never when None). A WAITING row
        with `waits_for` (an unbound parent) is also due once that parent is bound.
        """
        now = require_aware(now or self._clock(), "now")
        move = Move(
            item_id, status, next_attempt_at=next_attempt_at, decoded=decoded, error=error,
            outbox_id=outbox_id, sent_fingerprint=sent_fingerprint, lock_wait=lock_wait,
            waits_for=waits_for,
        )  # fmt: skip
        with self._sessions.begin() as db:
            row = db.get(QueueRow, item_id, with_for_update=True)
            if row is None:
                raise StoreError(f"no queue item {item_id}")
            apply_move(row, move, now)
            db.flush()
            return item_of(row)

    def set_bind_request(self, item_id: int, request: Mapping[str, Any] | None) -> QueueItem:
        """Keep a binding change asked for the row's record (None: nothing is asked any more)."""
        with self._sessions.begin() as db:
            row = db.get(QueueRow, item_id, with_for_update=True)
            if row is None:
                raise StoreError(f"no queue item {item_id}")
            row.bind_request = to_jsonable(dict(request)) if request is not None else None
            db.flush()
            return item_of(row)

    def note_payload(self, item_id: int, fields: Mapping[str, Any]) -> QueueItem:
        """Record fields of the source record as they now are, leaving state and fingerprint.

        For fields outside the fingerprint (QuickBooks_ID__c): what Salesforce holds after
        sfqb wrote it, so the next read can tell a person's edit from sfqb's own write.
        """
        with self._sessions.begin() as db:
            row = db.get(QueueRow, item_id, with_for_update=True)
            if row is None:
                raise StoreError(f"no queue item {item_id}")
            row.payload = {**row.payload, **to_jsonable(dict(fields))}  # SENT kept
            db.flush()
            return item_of(row)

    def get(self, company: str, flow: str, source: SfRef | QbRef) -> QueueItem | None:
        """The row of a source record in a flow, or None."""
        with self._sessions() as db:
            row = db.scalar(
                select(QueueRow).where(
                    QueueRow.company == company,
                    QueueRow.flow == flow,
                    QueueRow.source_type == source_type(source),
                    QueueRow.source_id == source.id,
                )
            )
            return item_of(row) if row else None

    def item(self, item_id: int) -> QueueItem | None:
        """One row by id."""
        with self._sessions() as db:
            row = db.get(QueueRow, item_id)
            return item_of(row) if row else None

    def due(
        self,
        company: str,
        now: datetime,
        flow: str | None = None,
        limit: int | None = None,
        *,
        flows: Collection[str] | None = None,
        direction: Direction | None = None,
        after: tuple[datetime, int] | None = None,
    ) -> list[QueueItem]:
        """Pending, failed and waiting rows whose next attempt is due, earliest first (at most
        `limit`; only of `flows` and `direction`, and past `after` (next attempt, id) in that
        order, when given)."""
        query = (
            select(QueueRow)
            .where(
                QueueRow.company == company,
                QueueRow.status.in_([s.value for s in DUE]),
                QueueRow.next_attempt_at <= require_aware(now, "now"),
            )
            .order_by(QueueRow.next_attempt_at, QueueRow.id)
            .limit(limit)
        )
        if flow is not None:
            query = query.where(QueueRow.flow == flow)
        if flows is not None:
            query = query.where(QueueRow.flow.in_(sorted(flows)))
        if direction is not None:
            query = query.where(QueueRow.direction == direction.value)
        if after is not None:
            at, row_id = require_aware(after[0], "after"), after[1]
            query = query.where(
                or_(
                    QueueRow.next_attempt_at > at,
                    and_(QueueRow.next_attempt_at == at, QueueRow.id > row_id),
                )
            )
        with self._sessions() as db:
            return [item_of(r) for r in db.scalars(query)]

    def in_flight(self, company: str, direction: Direction | None = None) -> list[QueueItem]:
        """The company's rows in flight (sent, answer not known), oldest first."""
        query = (
            select(QueueRow)
            .where(QueueRow.company == company, QueueRow.status == _S.INFLIGHT.value)
            .order_by(QueueRow.id)
        )
        if direction is not None:
            query = query.where(QueueRow.direction == direction.value)
        with self._sessions() as db:
            return [item_of(r) for r in db.scalars(query)]

    def rows_of(self, company: str, sources: Iterable[tuple[str, SfRef]]) -> list[QueueItem]:
        """The rows of these (flow, Salesforce record) pairs that exist, by one query per flow
        and sObject (500 Ids a query)."""
        wanted: dict[tuple[str, str], list[str]] = {}
        for flow, ref in sources:
            wanted.setdefault((flow, source_type(ref)), []).append(ref.id)
        found: list[QueueItem] = []
        with self._sessions() as db:
            for (flow, kind), ids in sorted(wanted.items()):
                ordered = sorted(set(ids))
                for chunk in chunks(ordered):
                    query = select(QueueRow).where(
                        QueueRow.company == company,
                        QueueRow.flow == flow,
                        QueueRow.source_type == kind,
                        QueueRow.source_id.in_(chunk),
                    )
                    found += [item_of(r) for r in db.scalars(query)]
        return found

    def open_items(self, company: str, flow: str | None = None) -> list[QueueItem]:
        """Every row of a company that is not done, oldest first."""
        query = (
            select(QueueRow)
            .where(QueueRow.company == company, QueueRow.status != _S.DONE.value)
            .order_by(QueueRow.id)
        )
        if flow is not None:
            query = query.where(QueueRow.flow == flow)
        with self._sessions() as db:
            return [item_of(r) for r in db.scalars(query)]

    def of_company(self, company: str) -> list[QueueItem]:
        """Every row of a company, done or not, oldest first (names as last read)."""
        query = select(QueueRow).where(QueueRow.company == company).order_by(QueueRow.id)
        with self._sessions() as db:
            return [item_of(r) for r in db.scalars(query)]

    def count_by_status(self, company: str | None = None) -> dict[QueueStatus, int]:
        """How many rows are in each state (states without rows are left out)."""
        query = select(QueueRow.status, func.count()).group_by(QueueRow.status)
        if company is not None:
            query = query.where(QueueRow.company == company)
        with self._sessions() as db:
            return {QueueStatus(s): int(n) for s, n in db.execute(query).all()}

    def _move_all(
        self,
        company: str,
        states: Iterable[QueueStatus],
        now: datetime,
        ids: Iterable[int] | None,
        outbox_id: int | None = None,
    ) -> int:
        now = require_aware(now, "now")
        query = select(QueueRow).where(
            QueueRow.company == company, QueueRow.status.in_([s.value for s in states])
        )
        if ids is not None:
            query = query.where(QueueRow.id.in_(list(ids)))
        if outbox_id is not None:
            query = query.where(QueueRow.outbox_id == outbox_id)
        with self._sessions.begin() as db:
            rows = list(db.scalars(query.with_for_update()))
            for row in rows:
                row.status, row.next_attempt_at, row.updated_at = _S.PENDING.value, now, now
                row.waits_for = None
            return len(rows)

    def wake_bound(self, company: str, now: datetime) -> int:
        """Make rows waiting for a parent bound since due now (`queue_rows.wake_bound`)."""
        with self._sessions.begin() as db:
            return wake_bound(db, company, require_aware(now, "now"))

    def retry(self, company: str, now: datetime, ids: Iterable[int] | None = None) -> int:
        """Make failed, waiting and review rows (all, or those in `ids`) due now."""
        return self._move_all(company, (_S.FAILED, _S.WAITING, _S.REVIEW), now, ids)

    def requeue(self, item_id: int, now: datetime | None = None) -> QueueItem:
        """A person decided: the row is pending now with fresh counters and no error.

        Any state but inflight (its answer is still awaited: InvalidTransition).
        """
        now = require_aware(now or self._clock(), "now")
        with self._sessions.begin() as db:
            row = db.get(QueueRow, item_id, with_for_update=True)
            if row is None:
                raise StoreError(f"no queue item {item_id}")
            if row.status == _S.INFLIGHT.value:
                raise InvalidTransition(
                    f"queue item {item_id} is in flight; wait for the next cycle to settle it"
                )
            row.attempts = row.lock_waits = 0
            clear_errors(row)
            row.status, row.next_attempt_at, row.updated_at = _S.PENDING.value, now, now
            row.waits_for = None
            db.flush()
            return item_of(row)

    def requeue_inflight(self, company: str, now: datetime, outbox_id: int | None = None) -> int:
        """Make inflight rows (all, or those of one outbox message) pending: crash recovery."""
        return self._move_all(company, (_S.INFLIGHT,), now, None, outbox_id)
