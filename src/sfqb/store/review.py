"""The review list: records sfqb holds for a person to decide on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from sfqb.domain.entities import SfRef
from sfqb.domain.status import DecodedStatus, System
from sfqb.store.common import Clock, Sessions, StoreError, require_aware, to_jsonable
from sfqb.store.models import ReviewRow


class ReviewStatus(StrEnum):
    """Where a review item stands."""

    OPEN = "open"
    RESOLVED = "resolved"
    IGNORED = "ignored"


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A record held for review: why, the decoded status, and candidate matches."""

    id: int
    company: str
    flow: str
    source_type: str
    source_id: str
    reason: str
    system: System | None
    code: str | None
    meaning: str | None
    candidates: list[Any]
    status: ReviewStatus
    resolution: str | None
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None = None  # a person's name, or SFQB when the record went through
    assigned_to: str | None = None


SFQB = "sfqb"  # who closed an item when sfqb synced its record after all


def _item(row: ReviewRow) -> ReviewItem:
    return ReviewItem(
        id=row.id,
        company=row.company,
        flow=row.flow,
        source_type=row.source_type,
        source_id=row.source_id,
        reason=row.reason,
        system=System(row.system) if row.system else None,
        code=row.code,
        meaning=row.meaning,
        candidates=list(row.candidates),
        status=ReviewStatus(row.status),
        resolution=row.resolution,
        created_at=row.created_at,
        resolved_at=row.resolved_at,
        resolved_by=row.resolved_by,
        assigned_to=row.assigned_to,
    )


class ReviewList:
    """Open review items, at most one open item per (company, flow, source record)."""

    def __init__(self, sessions: Sessions, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def hold(
        self,
        company: str,
        flow: str,
        source_type: str,
        source_id: str,
        reason: str,
        *,
        status: DecodedStatus | None = None,
        candidates: Sequence[Any] = (),
        now: datetime | None = None,
    ) -> ReviewItem:
        """Open a review item, or update the open one of the same record (no duplicates)."""
        if not reason.strip():
            raise StoreError("a review item needs a reason")
        now = require_aware(now or self._clock(), "now")
        with self._sessions.begin() as db:
            row = db.scalar(
                select(ReviewRow)
                .where(
                    ReviewRow.company == company,
                    ReviewRow.flow == flow,
                    ReviewRow.source_type == str(source_type),
                    ReviewRow.source_id == source_id,
                    ReviewRow.status == ReviewStatus.OPEN.value,
                )
                .with_for_update()
            )
            if row is None:
                row = ReviewRow(
                    company=company, flow=flow, source_type=str(source_type),
                    source_id=source_id, status=ReviewStatus.OPEN.value, created_at=now,
                )  # fmt: skip
                db.add(row)
            row.reason = reason
            row.system = status.system.value if status else None
            row.code = status.code if status else None
            row.meaning = status.meaning if status else None
            row.candidates = to_jsonable(list(candidates))
            db.flush()
            return _item(row)

    def resolve_record(self, company: str, flow: str, sf: SfRef) -> int:
        """Close a record's open item because sfqb synced it after all; returns how many."""
        closed = 0
        for item in self.items(company):
            if (item.flow, item.source_type, item.source_id) == (flow, sf.sobject.value, sf.id):
                self.close(item.id, "synced by sfqb", by=SFQB)
                closed += 1
        return closed

    def close(
        self,
        item_id: int,
        resolution: str,
        status: ReviewStatus = ReviewStatus.RESOLVED,
        now: datetime | None = None,
        *,
        by: str | None = None,
    ) -> ReviewItem:
        """Resolve or ignore an open item, saying what was done (and who did it)."""
        status = ReviewStatus(status)
        if status is ReviewStatus.OPEN:
            raise StoreError("close() takes resolved or ignored")
        with self._sessions.begin() as db:
            row = db.get(ReviewRow, item_id, with_for_update=True)
            if row is None:
                raise StoreError(f"no review item {item_id}")
            if row.status != ReviewStatus.OPEN.value:
                raise StoreError(f"review item {item_id} is already {row.status}")
            row.status, row.resolution = status.value, resolution
            row.resolved_at = require_aware(now or self._clock(), "now")
            row.resolved_by = by
            db.flush()
            return _item(row)

    def assign(self, item_id: int, person: str | None) -> ReviewItem:
        """Assign an item to a person (None: to nobody)."""
        with self._sessions.begin() as db:
            row = db.get(ReviewRow, item_id, with_for_update=True)
            if row is None:
                raise StoreError(f"no review item {item_id}")
            row.assigned_to = person
            db.flush()
            return _item(row)

    def of_record(self, company: str, source_type: str, source_id: str) -> list[ReviewItem]:
        """Every item of one source record (any status), oldest first."""
        query = (
            select(ReviewRow)
            .where(
                ReviewRow.company == company,
                ReviewRow.source_type == str(source_type),
                ReviewRow.source_id == source_id,
            )
            .order_by(ReviewRow.id)
        )
        with self._sessions() as db:
            return [_item(r) for r in db.scalars(query)]

    def get(self, item_id: int) -> ReviewItem | None:
        """One item by id."""
        with self._sessions() as db:
            row = db.get(ReviewRow, item_id)
            return _item(row) if row else None

    def items(
        self,
        company: str | None = None,
        status: ReviewStatus | None = ReviewStatus.OPEN,
        limit: int = 200,
    ) -> list[ReviewItem]:
        """Items (open ones by default), oldest first."""
        query = select(ReviewRow).order_by(ReviewRow.id).limit(limit)
        if company is not None:
            query = query.where(ReviewRow.company == company)
        if status is not None:
            query = query.where(ReviewRow.status == ReviewStatus(status).value)
        with self._sessions() as db:
            return [_item(r) for r in db.scalars(query)]
