"""What people did on the review list: each action on an item, and the values a person set
for one record's QuickBooks write in place of the mapped ones (revision 0011)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from sfqb.domain.entities import SfObject, SfRef, role_of_flow
from sfqb.store.common import Clock, Sessions, StoreError, require_aware, to_jsonable
from sfqb.store.review_models import RecordOverrideRow, ReviewActionRow


@dataclass(frozen=True, slots=True)
class ReviewAction:
    """One action on a review item or a held record, by whom and when, and what it did."""

    id: int
    item_id: int | None
    company: str
    flow: str
    source_type: str  # the record's: a Salesforce object, or what a company item is about
    source_id: str
    action: str
    by: str
    detail: str
    at: datetime


@dataclass(frozen=True, slots=True)
class RecordOverride:
    """A value a person set for one QuickBooks field of one record's writes."""

    company: str
    flow: str
    sf: SfRef
    field: str
    value: Any
    set_by: str
    set_at: datetime


def _action(row: ReviewActionRow) -> ReviewAction:
    return ReviewAction(
        row.id, row.item_id, row.company, row.flow, row.source_type, row.source_id,
        row.action, row.by, row.detail, row.at,
    )  # fmt: skip


class ReviewActions:
    """The actions taken on review items and held records, oldest first."""

    def __init__(self, sessions: Sessions, clock: Clock) -> None:
        self._sessions, self._clock = sessions, clock

    def record(  # noqa: PLR0917 - the action's fields
        self,
        item_id: int | None,
        company: str,
        flow: str,
        source: tuple[str, str],
        action: str,
        by: str,
        detail: str,
        now: datetime | None = None,
    ) -> ReviewAction:
        """Keep one action on a record, `source` its (type, Id), and on its review item if
        any; `by` names the person."""
        if not by.strip():
            raise StoreError("a review action needs the name of who took it")
        at = require_aware(now or self._clock(), "now")
        with self._sessions.begin() as db:
            row = ReviewActionRow(
                item_id=item_id, company=company, flow=flow, source_type=source[0],
                source_id=source[1], action=action, by=by.strip(), detail=detail, at=at,
            )  # fmt: skip
            db.add(row)
            db.flush()
            return _action(row)

    def of_item(self, item_id: int) -> list[ReviewAction]:
        """The item's actions, oldest first."""
        query = select(ReviewActionRow).where(ReviewActionRow.item_id == item_id)
        with self._sessions() as db:
            return [_action(r) for r in db.scalars(query.order_by(ReviewActionRow.id))]

    def of_record(self, company: str, source_type: str, source_id: str) -> list[ReviewAction]:
        """Every action on one record (of any of its items), oldest first."""
        query = select(ReviewActionRow).where(
            ReviewActionRow.company == company,
            ReviewActionRow.source_type == source_type,
            ReviewActionRow.source_id == source_id,
        )
        with self._sessions() as db:
            return [_action(r) for r in db.scalars(query.order_by(ReviewActionRow.id))]


class RecordOverrides:
    """Values set by a person for one record, applied by the mapping to that record only."""

    def __init__(self, sessions: Sessions, clock: Clock) -> None:
        self._sessions, self._clock = sessions, clock

    def set(  # noqa: PLR0917 - the override's fields
        self,
        company: str,
        flow: str,
        sf: SfRef,
        field: str,
        value: Any,
        by: str,
        now: datetime | None = None,
    ) -> RecordOverride:
        """Set (or replace) the value sent for `field` of this record."""
        at = require_aware(now or self._clock(), "now")
        with self._sessions.begin() as db:
            row = db.scalar(self._query(company, flow, sf).where(RecordOverrideRow.field == field))
            if row is None:
                row = RecordOverrideRow(
                    company=company, flow=flow, source_type=sf.sobject.value, source_id=sf.id,
                    field=field,
                )  # fmt: skip
                db.add(row)
            row.value, row.set_by, row.set_at = to_jsonable(value), by, at
            db.flush()
            return self._override(row)

    def clear(self, company: str, flow: str, sf: SfRef, field: str | None = None) -> int:
        """Remove the record's overrides (of one field when given); returns how many."""
        query = delete(RecordOverrideRow).where(
            RecordOverrideRow.company == company,
            RecordOverrideRow.flow == flow,
            RecordOverrideRow.source_type == sf.sobject.value,
            RecordOverrideRow.source_id == sf.id,
        )
        if field is not None:
            query = query.where(RecordOverrideRow.field == field)
        with self._sessions.begin() as db:
            return int(getattr(db.execute(query), "rowcount", 0) or 0)

    def of_record(self, company: str, flow: str, sf: SfRef) -> list[RecordOverride]:
        """The record's overrides, by field."""
        with self._sessions() as db:
            query = self._query(company, flow, sf).order_by(RecordOverrideRow.field)
            return [self._override(r) for r in db.scalars(query)]

    def of_company(self, company: str) -> dict[tuple[str, SfRef], Mapping[str, Any]]:
        """Every record's overrides in the company: {(flow, record): {field: value}}."""
        query = select(RecordOverrideRow).where(RecordOverrideRow.company == company)
        found: dict[tuple[str, SfRef], dict[str, Any]] = {}
        with self._sessions() as db:
            for row in db.scalars(query):
                o = self._override(row)
                found.setdefault((o.flow, o.sf), {})[o.field] = o.value
        return dict(found)

    @staticmethod
    def _query(company: str, flow: str, sf: SfRef) -> Any:
        return select(RecordOverrideRow).where(
            RecordOverrideRow.company == company,
            RecordOverrideRow.flow == flow,
            RecordOverrideRow.source_type == sf.sobject.value,
            RecordOverrideRow.source_id == sf.id,
        )

    @staticmethod
    def _override(row: RecordOverrideRow) -> RecordOverride:
        sf = SfRef(SfObject(row.source_type), row.source_id, role_of_flow(row.flow))
        return RecordOverride(
            row.company, row.flow, sf, row.field, row.value, row.set_by, row.set_at
        )
