"""QuickBooks Online bookkeeping: API calls per company and month, and webhook events.

Events are stored once per change (realm, entity, id, operation, lastUpdated: Intuit may send
the same notification again), and taken by a worker with one conditional UPDATE, so two workers
never take the same event.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from sfqb.connectors.qbo.webhooks import WebhookChange
from sfqb.store.common import Clock, Sessions
from sfqb.store.qbo_models import QboCallRow, QboEventRow


def month_of(when: datetime) -> str:
    """The meter's month key of a time, e.g. "2026-01" (UTC)."""
    return f"{when:%Y-%m}"


@dataclass(frozen=True, slots=True)
class CallCount:
    """A company's API calls in one month."""

    month: str
    reads: int
    writes: int

    @property
    def total(self) -> int:
        """Reads and writes together."""
        return self.reads + self.writes


class QboCalls:
    """The qbo_api_calls table: counters per company and month."""

    def __init__(self, sessions: Sessions, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def add(self, company: str, *, reads: int = 0, writes: int = 0) -> None:
        """Add calls to the company's counter of the current month."""
        if reads < 0 or writes < 0 or not (reads or writes):
            return
        now = self._clock()
        month = month_of(now)
        for _ in range(2):  # the month's first count may race another process's insert once
            with self._sessions.begin() as db:
                done = db.execute(
                    update(QboCallRow)
                    .where(QboCallRow.company == company, QboCallRow.month == month)
                    .values(
                        reads=QboCallRow.reads + reads,
                        writes=QboCallRow.writes + writes,
                        updated_at=now,
                    )
                ).rowcount  # type: ignore[attr-defined]
                if done:
                    return
            try:
                with self._sessions.begin() as db:
                    db.add(QboCallRow(company=company, month=month, reads=reads,
                                      writes=writes, updated_at=now))  # fmt: skip
                return
            except IntegrityError:
                continue

    def month(self, company: str, month: str | None = None) -> CallCount:
        """The company's calls in `month` (default: the current one)."""
        key = month or month_of(self._clock())
        with self._sessions() as db:
            row = db.get(QboCallRow, (company, key))
            return CallCount(key, row.reads, row.writes) if row else CallCount(key, 0, 0)


class StoredCallMeter:
    """The CallMeter of one company, over the store."""

    def __init__(self, calls: QboCalls, company: str) -> None:
        self._calls = calls
        self.company = company

    def count(self, *, reads: int = 0, writes: int = 0) -> None:
        """Record calls just made."""
        self._calls.add(self.company, reads=reads, writes=writes)


@dataclass(frozen=True, slots=True)
class StoredChange:
    """A stored webhook change and the company it belongs to."""

    id: int
    company: str
    change: WebhookChange
    received_at: datetime


def _stored(row: QboEventRow) -> StoredChange:
    change = WebhookChange(row.realm_id, row.entity, row.entity_id, row.operation, row.last_updated,
                    row.deleted_id)  # fmt: skip
    return StoredChange(row.id, row.company, change, row.received_at)


def _insert_of(dialect: str) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT (the store runs on SQLite or PostgreSQL)."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


MERGE = "Merge"  # the operation of a merge, in Intuit's legacy wording (webhooks page)


class QboEvents:
    """The qbo_webhook_events table."""

    def __init__(self, sessions: Sessions, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def add(self, company: str, changes: Iterable[WebhookChange]) -> int:
        """Store the changes not stored before; returns how many were new.

        One INSERT ... ON CONFLICT DO NOTHING per change, no savepoint: a notification stored
        by another request just now is skipped, and inside a `StoreWork` the rows stay part of
        its transaction (SQLite's driver would commit a savepoint opened before its BEGIN).
        """
        now = self._clock()
        added = 0
        with self._sessions.begin() as db:
            insert = _insert_of(db.get_bind().dialect.name)
            for change in dict.fromkeys(changes):
                values = dict(
                    company=company, realm_id=change.realm_id, entity=change.entity,
                    entity_id=change.entity_id, operation=change.operation,
                    last_updated=change.last_updated, deleted_id=change.deleted_id,
                    received_at=now,
                )  # fmt: skip
                statement = insert(QboEventRow).values(**values).on_conflict_do_nothing()
                added += db.execute(statement.returning(QboEventRow.id)).first() is not None
        return added

    def take(self, company: str, limit: int = 1000) -> list[StoredChange]:
        """Take up to `limit` of the company's pending changes, oldest first (each only once)."""
        claim = uuid.uuid4().hex
        with self._sessions.begin() as db:
            ids = (
                select(QboEventRow.id)
                .where(QboEventRow.company == company, QboEventRow.taken_at.is_(None))
                .order_by(QboEventRow.id)
                .limit(limit)
            )
            db.execute(
                update(QboEventRow)
                .where(QboEventRow.id.in_(ids), QboEventRow.taken_at.is_(None))
                .values(taken_at=self._clock(), claim=claim)
            )
        with self._sessions() as db:
            rows = db.scalars(
                select(QboEventRow).where(QboEventRow.claim == claim).order_by(QboEventRow.id)
            )
            return [_stored(r) for r in rows]

    def survivor(self, company: str, entity: str, deleted_id: str) -> str | None:
        """The record QuickBooks Online said `deleted_id` was merged into (its newest Merge
        event, taken or not), or None."""
        with self._sessions() as db:
            found = db.scalar(
                select(QboEventRow.entity_id)
                .where(
                    QboEventRow.company == company,
                    QboEventRow.entity == entity,
                    QboEventRow.operation == MERGE,
                    QboEventRow.deleted_id == deleted_id,
                )
                .order_by(QboEventRow.id.desc())
                .limit(1)
            )
        return str(found) if found is not None else None

    def pending_count(self, company: str) -> int:
        """How many of the company's changes wait to be taken."""
        with self._sessions() as db:
            count = db.scalar(
                select(func.count())
                .select_from(QboEventRow)
                .where(QboEventRow.company == company, QboEventRow.taken_at.is_(None))
            )
            return int(count or 0)
