"""One transaction of the store for a set of writes: a batch's answers, a Salesforce page.

A cycle writes down what it decided once per batch: the log's new attempts, the queue rows
moved, the bindings changed (`BindingCache.flush`), review items, in one transaction with bulk
statements, never a commit per record. Either all of a batch's writes are in the store or none
is: a crash before the commit leaves the batch's rows in flight (committed before the batch
went out), and the next cycle looks their records up in QuickBooks before sending anything.

Inside a work, `queue`, `journal`, `review` and `qbo_events` are the usual repositories joined
to the work's transaction (their calls do not commit). Work for other sessions (alerts, which
write through their own) waits for the commit: `after_commit`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from sfqb.domain.entities import QbRef, SfRef
from sfqb.store.binding_cache import BindingCache
from sfqb.store.common import (
    Clock,
    Direction,
    Sessions,
    StoreError,
    chunks,
    require_aware,
    to_jsonable,
)
from sfqb.store.journal import Journal, NewAttempt, attempt_values
from sfqb.store.models import AttemptRow, QueueRow, ReviewRow
from sfqb.store.qbo_events import QboEvents
from sfqb.store.queue import SyncQueue
from sfqb.store.queue_rows import (
    Move,
    QueueItem,
    QueueStatus,
    apply_move,
    check_source,
    item_of,
    new_item,
    new_values,
    requeued,
    source_type,
)
from sfqb.store.review import SFQB, ReviewList, ReviewStatus

_QUEUE = cast(Table, QueueRow.__table__)
# The columns a move may change (and the payload, written only when a move changed it).
_MOVED = (
    "status", "next_attempt_at", "updated_at", "attempts", "lock_waits", "last_system",
    "last_code", "last_error", "outbox_id", "waits_for",
)  # fmt: skip


class _Joined:
    """Sessions that all join one open transaction: repositories' calls do not commit."""

    def __init__(self, db: Session) -> None:
        self._db = db

    def __call__(self) -> AbstractContextManager[Session]:
        return nullcontext(self._db)

    def begin(self) -> AbstractContextManager[Session]:
        return nullcontext(self._db)


@dataclass(frozen=True, slots=True)
class Queued:
    """One record of a Salesforce page to queue (the arguments of `SyncQueue.enqueue`)."""

    source: SfRef | QbRef
    payload: Mapping[str, Any]
    fingerprint: str
    plain: dict[str, Any] | None = None  # `to_jsonable(payload)`, when the caller has it


class StoreWork:
    """The writes of one transaction; made by `Store.work()`, committed when it closes."""

    def __init__(self, db: Session, clock: Clock) -> None:
        self.db = db
        self._clock = clock
        joined = _Joined(db)
        self.queue = SyncQueue(joined, clock)
        self.journal = Journal(joined, clock)
        self.review = ReviewList(joined, clock)
        self.qbo_events = QboEvents(joined, clock)
        self._after: list[Callable[[], object]] = []
        self._caches: list[BindingCache] = []

    def after_commit(self, action: Callable[[], object]) -> None:
        """Run `action` once the work is committed (never when it is rolled back)."""
        self._after.append(action)

    def bindings(self, cache: BindingCache) -> None:
        """Write the cycle's unwritten binding changes in this transaction."""
        cache.flush(self.db)
        self._caches.append(cache)

    # -- the log -----------------------------------------------------------------------------

    def log(self, attempts: Sequence[NewAttempt], at: datetime | None = None) -> int:
        """Log attempts in one statement; returns how many."""
        when = require_aware(at or self._clock(), "created_at")
        if attempts:
            self.db.execute(insert(AttemptRow), [attempt_values(a, when) for a in attempts])
        return len(attempts)

    # -- the queue ---------------------------------------------------------------------------

    def _rows(self, ids: Iterable[int]) -> dict[int, Any]:
        """The rows of `ids`, locked, as plain objects (`QueueRow`'s attributes, no ORM
        instance): `apply_move` changes them and `_write` stores what it changed."""
        wanted = sorted(set(ids))
        found: dict[int, Any] = {}
        for chunk in chunks(wanted):
            query = select(_QUEUE).where(_QUEUE.c.id.in_(chunk)).with_for_update()
            found.update((r.id, SimpleNamespace(**r._mapping)) for r in self.db.execute(query))
        missing = [i for i in wanted if i not in found]
        if missing:
            raise StoreError(f"no queue item {missing[0]}")
        return found

    def _write(self, rows: Sequence[Any], columns: Sequence[str]) -> None:
        """Store `columns` of `rows` (from `_rows`) in one statement."""
        if not rows:
            return
        statement = (
            update(_QUEUE)
            .where(_QUEUE.c.id == bindparam("row_id"))
            .values({c: bindparam(c) for c in columns})
        )
        params = [{"row_id": r.id, **{c: getattr(r, c) for c in columns}} for r in rows]
        self.db.execute(statement, params)

    def move(self, moves: Sequence[Move], now: datetime | None = None) -> dict[int, QueueItem]:
        """Move queue rows as `SyncQueue.mark` does, each in turn; the rows as they end.

        InvalidTransition (nothing of the work written) when any move is not allowed.
        """
        now = require_aware(now or self._clock(), "now")
        rows = self._rows(m.item_id for m in moves)
        payloads = {i: row.payload for i, row in rows.items()}
        for move in moves:
            apply_move(rows[move.item_id], move, now)
        self._write(list(rows.values()), _MOVED)
        self._write([r for i, r in rows.items() if r.payload is not payloads[i]], ("payload",))
        return {i: item_of(rows[i]) for i in dict.fromkeys(m.item_id for m in moves)}

    def note_payloads(self, fields: Mapping[int, Mapping[str, Any]]) -> dict[int, QueueItem]:
        """`SyncQueue.note_payload` for many rows: fields as they now are in Salesforce."""
        rows = self._rows(fields)
        for item_id, values in fields.items():
            row = rows[item_id]
            row.payload = {**row.payload, **to_jsonable(dict(values))}  # SENT kept
        self._write([rows[i] for i in fields], ("payload",))
        return {i: item_of(rows[i]) for i in fields}

    def enqueue(
        self,
        company: str,
        flow: str,
        direction: Direction,
        records: Sequence[Queued],
        *,
        now: datetime | None = None,
        keep_inflight_time: bool = False,
    ) -> list[tuple[QueueItem | None, QueueItem]]:
        """`SyncQueue.enqueue` for a page of records: (the row before, or None; after) each.

        `keep_inflight_time`: an in-flight row keeps its updated_at (when its unanswered add
        was sent: the next cycle looks for it from then on).
        """
        direction = Direction(direction)
        now = require_aware(now or self._clock(), "now")
        for record in records:
            check_source(direction, record.source)
        plain = [r.plain if r.plain is not None else to_jsonable(r.payload) for r in records]
        rows: dict[tuple[str, str], QueueRow] = {}
        for kind in sorted({source_type(r.source) for r in records}):
            ids = sorted({r.source.id for r in records if source_type(r.source) == kind})
            for chunk in chunks(ids):
                query = select(QueueRow).where(
                    QueueRow.company == company, QueueRow.flow == flow,
                    QueueRow.source_type == kind, QueueRow.source_id.in_(chunk),
                )  # fmt: skip
                query = query.with_for_update().execution_options(populate_existing=True)
                rows.update(((r.source_type, r.source_id), r) for r in self.db.scalars(query))
        before = {key: item_of(row) for key, row in rows.items()}
        # Records queued for the first time are inserted in one statement, without ORM objects
        # (the first read of a company queues every record); a record twice in the page keeps
        # its last payload, as a pending row requeued would.
        fresh: dict[tuple[str, str], dict[str, Any]] = {}
        for record, payload in zip(records, plain, strict=True):
            key = (source_type(record.source), record.source.id)
            row = rows.get(key)
            if row is None:
                fresh[key] = new_values(
                    company, flow, direction, record.source, plain=payload,
                    fingerprint=record.fingerprint, now=now,
                )  # fmt: skip
            else:
                inflight_at = row.updated_at if row.status == QueueStatus.INFLIGHT.value else None
                requeued(row, payload, record.fingerprint, now)
                if keep_inflight_time and inflight_at is not None:
                    row.updated_at = inflight_at
        self.db.flush()
        items = {key: item_of(row) for key, row in rows.items()}
        if fresh:
            # Each new row's id comes back with its key, not in the rows' order: asked to keep
            # the order, SQLAlchemy sends SQLite one INSERT a row (a 16x load: 16,000).
            statement = insert(QueueRow).returning(
                QueueRow.id, QueueRow.source_type, QueueRow.source_id
            )
            made = self.db.execute(statement, list(fresh.values())).all()
            made_ids = {(kind, ident): row_id for row_id, kind, ident in made}
            items.update((k, new_item(made_ids[k], v)) for k, v in fresh.items())
        out = []
        for record in records:
            key = (source_type(record.source), record.source.id)
            out.append((before.get(key), items[key]))
        return out

    # -- the review list ---------------------------------------------------------------------

    def resolve_records(self, company: str, records: Iterable[tuple[str, SfRef]]) -> int:
        """Close the open review items of records sfqb synced after all (`resolve_record` for
        many); returns how many were closed."""
        wanted = {(flow, sf.sobject.value, sf.id) for flow, sf in records}
        if not wanted:
            return 0
        ids: list[int] = []
        for chunk in chunks(sorted({w[2] for w in wanted})):
            query = select(
                ReviewRow.id, ReviewRow.flow, ReviewRow.source_type, ReviewRow.source_id
            ).where(
                ReviewRow.company == company,
                ReviewRow.status == ReviewStatus.OPEN.value,
                ReviewRow.source_id.in_(chunk),
            )
            ids += [i for i, *key in self.db.execute(query) if tuple(key) in wanted]
        closed = {
            "status": ReviewStatus.RESOLVED.value, "resolution": "synced by sfqb",
            "resolved_at": self._clock(), "resolved_by": SFQB,
        }  # fmt: skip
        for part in chunks(ids):
            self.db.execute(
                update(ReviewRow)
                .where(ReviewRow.id.in_(part), ReviewRow.status == ReviewStatus.OPEN.value)
                .values(**closed)
            )
        return len(ids)


@contextmanager
def store_work(sessions: Sessions, clock: Clock) -> Iterator[StoreWork]:
    """A work in one transaction: committed at the end, rolled back on an exception."""
    with sessions.begin() as db:
        work = StoreWork(db, clock)
        yield work
    for cache in work._caches:
        cache.flushed()
    for action in work._after:
        action()


__all__ = ["Queued", "StoreWork", "store_work"]
