"""The journal: runs (sync cycles) and attempts, the decoded integration log."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select
from sqlalchemy.orm import aliased

from sfqb.domain.entities import QbKind, QbRef, SfObject, SfRef, role_of_flow
from sfqb.domain.status import Category, DecodedStatus, Remedy, Severity, System
from sfqb.store.common import Clock, Direction, Sessions, StoreError, require_aware
from sfqb.store.models import AttemptRow, RunRow


@dataclass(frozen=True, slots=True)
class LogCriteria:
    """Which attempts a page of the log holds; `sf_ids`/`qb_ids` (when not None) keep the
    attempts about any of those records, an empty pair keeps none."""

    company: str | None = None
    flow: str | None = None
    code: str | None = None
    system: System | None = None
    severity: Severity | None = None
    failed_only: bool = False
    sf_ids: frozenset[str] | None = None
    qb_ids: frozenset[str] | None = None
    since: datetime | None = None
    until: datetime | None = None


class RunStatus(StrEnum):
    """Where a run stands."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    PARTIAL = "partial"


class RunKind(StrEnum):
    """What a run was."""

    CYCLE = "cycle"  # a sync cycle: QuickBooks' changes read from the checkpoint
    CDC_SWEEP = "cdc_sweep"  # the nightly cycle that reads QuickBooks Online's CDC window whole


@dataclass(frozen=True, slots=True)
class Run:
    """One sync cycle of a company."""

    id: int
    company: str
    flows: tuple[str, ...]
    started_at: datetime
    finished_at: datetime | None
    status: RunStatus
    counts: dict[str, int]
    kind: RunKind = RunKind.CYCLE


@dataclass(frozen=True, slots=True)
class Attempt:
    """One logged attempt: the record on both sides, what was sent and the decoded status."""

    id: int
    run_id: int | None
    company: str
    flow: str
    direction: Direction
    sf: SfRef | None
    qb: QbRef | None
    operation: str
    summary: str
    system: System
    code: str
    severity: Severity
    category: Category
    known: bool
    message: str
    title: str
    meaning: str
    fix: tuple[str, ...]
    remedy: Remedy
    action_taken: str
    created_at: datetime

    @property
    def status_key(self) -> str:
        """`system:code`, e.g. "qbxml:3100"."""
        return f"{self.system}:{self.code}"

    @property
    def failed(self) -> bool:
        """True when the attempt's status is an error."""
        return self.severity is Severity.ERROR


def _run(row: RunRow) -> Run:
    return Run(
        id=row.id,
        company=row.company,
        flows=tuple(f for f in row.flows.split(",") if f),
        started_at=row.started_at,
        finished_at=row.finished_at,
        status=RunStatus(row.status),
        counts={str(k): int(v) for k, v in row.counts.items()},
        kind=RunKind(row.kind),
    )


def _attempt(row: AttemptRow) -> Attempt:
    sf = (
        SfRef(SfObject(row.sf_object), row.sf_id, role_of_flow(row.flow))
        if row.sf_object and row.sf_id
        else None
    )
    qb = QbRef(QbKind(row.qb_kind), row.qb_id) if row.qb_kind and row.qb_id else None
    return Attempt(
        id=row.id,
        run_id=row.run_id,
        company=row.company,
        flow=row.flow,
        direction=Direction(row.direction),
        sf=sf,
        qb=qb,
        operation=row.operation,
        summary=row.summary,
        system=System(row.system),
        code=row.code,
        severity=Severity(row.severity),
        category=Category(row.category),
        known=row.known,
        message=row.message,
        title=row.title,
        meaning=row.meaning,
        fix=tuple(row.fix.split("\n")) if row.fix else (),
        remedy=Remedy(row.remedy),
        action_taken=row.action_taken,
        created_at=row.created_at,
    )


@dataclass(frozen=True, slots=True)
class NewAttempt:
    """An attempt to log (the arguments of `Journal.record_attempt`), for the bulk writes."""

    company: str
    flow: str
    direction: Direction
    operation: str
    status: DecodedStatus
    sf: SfRef | None = None
    qb: QbRef | None = None
    summary: str = ""
    action_taken: str = ""
    run_id: int | None = None


def attempt_values(attempt: NewAttempt, at: datetime) -> dict[str, Any]:
    """The column values of an attempt row logged at `at`."""
    sf, qb, status = attempt.sf, attempt.qb, attempt.status
    return {
        "run_id": attempt.run_id, "company": attempt.company, "flow": attempt.flow,
        "direction": Direction(attempt.direction).value,
        "sf_object": sf.sobject.value if sf else None, "sf_id": sf.id if sf else None,
        "qb_kind": qb.kind.value if qb else None, "qb_id": qb.id if qb else None,
        "operation": str(attempt.operation), "summary": attempt.summary,
        "system": status.system.value, "code": status.code, "severity": status.severity.value,
        "category": status.category.value, "known": status.known, "message": status.message,
        "title": status.title, "meaning": status.meaning,
        "fix": "\n".join(step.replace("\n", " ") for step in status.fix),
        "remedy": status.remedy.value, "action_taken": attempt.action_taken, "created_at": at,
    }  # fmt: skip


def _open_failure() -> ColumnElement[bool]:
    """An error not followed by a non-error attempt on the same record in the same flow."""
    later = aliased(AttemptRow)
    same_record = or_(
        and_(
            AttemptRow.sf_id.is_not(None),
            later.sf_object == AttemptRow.sf_object,
            later.sf_id == AttemptRow.sf_id,
        ),
        and_(
            AttemptRow.sf_id.is_(None),
            AttemptRow.qb_id.is_not(None),
            later.qb_kind == AttemptRow.qb_kind,
            later.qb_id == AttemptRow.qb_id,
        ),
        and_(
            AttemptRow.sf_id.is_(None),
            AttemptRow.qb_id.is_(None),
            later.sf_id.is_(None),
            later.qb_id.is_(None),
            later.system == AttemptRow.system,
        ),
    )
    succeeded_later = exists().where(
        later.id > AttemptRow.id,
        later.company == AttemptRow.company,
        later.flow == AttemptRow.flow,
        later.severity != Severity.ERROR.value,
        same_record,
    )
    return and_(AttemptRow.severity == Severity.ERROR.value, ~succeeded_later)


def _about(sf_ids: frozenset[str], qb_ids: frozenset[str]) -> ColumnElement[bool]:
    """The attempt is about one of these records (QuickBooks Ids compared case-blind)."""
    upper = sorted(i.upper() for i in qb_ids)
    return or_(
        AttemptRow.sf_id.in_(sorted(sf_ids)) if sf_ids else false(),
        func.upper(AttemptRow.qb_id).in_(upper) if upper else false(),
    )


class Journal:
    """Runs and the attempts logged in them."""

    def __init__(self, sessions: Sessions, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    # -- runs ------------------------------------------------------------------------------

    def start_run(
        self,
        company: str,
        flows: Sequence[str],
        at: datetime | None = None,
        kind: RunKind = RunKind.CYCLE,
    ) -> Run:
        """Open a run of `flows` for a company."""
        if any("," in f for f in flows):
            raise StoreError("flow names cannot contain commas")
        row = RunRow(
            company=company,
            flows=",".join(flows),
            started_at=require_aware(at or self._clock(), "started_at"),
            status=RunStatus.RUNNING.value,
            counts={},
            kind=kind.value,
        )
        with self._sessions.begin() as db:
            db.add(row)
            db.flush()
            return _run(row)

    def finish_run(
        self,
        run_id: int,
        status: RunStatus,
        counts: Mapping[str, int],
        at: datetime | None = None,
    ) -> Run:
        """Close a run with its outcome and counts."""
        with self._sessions.begin() as db:
            row = db.get(RunRow, run_id)
            if row is None:
                raise StoreError(f"no run {run_id}")
            row.status = RunStatus(status).value
            row.counts = {str(k): int(v) for k, v in counts.items()}
            row.finished_at = require_aware(at or self._clock(), "finished_at")
            db.flush()
            return _run(row)

    def run(self, run_id: int) -> Run | None:
        """One run by id."""
        with self._sessions() as db:
            row = db.get(RunRow, run_id)
            return _run(row) if row else None

    def runs(
        self, company: str | None = None, limit: int = 50, kind: RunKind | None = None
    ) -> list[Run]:
        """The newest runs first (of one `kind`, or all)."""
        query = select(RunRow).order_by(RunRow.id.desc()).limit(limit)
        if company is not None:
            query = query.where(RunRow.company == company)
        if kind is not None:
            query = query.where(RunRow.kind == kind.value)
        with self._sessions() as db:
            return [_run(r) for r in db.scalars(query)]

    def first_started(self, company: str) -> datetime | None:
        """When the company's first run started (None: it has none)."""
        query = select(func.min(RunRow.started_at)).where(RunRow.company == company)
        with self._sessions() as db:
            return db.scalar(query)

    # -- attempts --------------------------------------------------------------------------

    def record_attempt(
        self,
        *,
        company: str,
        flow: str,
        direction: Direction,
        operation: str,
        status: DecodedStatus,
        sf: SfRef | None = None,
        qb: QbRef | None = None,
        summary: str = "",
        action_taken: str = "",
        run_id: int | None = None,
        at: datetime | None = None,
    ) -> Attempt:
        """Log one attempt with its decoded status."""
        row = AttemptRow(
            **attempt_values(
                NewAttempt(company, flow, direction, operation, status, sf, qb, summary,
                           action_taken, run_id),
                require_aware(at or self._clock(), "created_at"),
            )
        )  # fmt: skip
        with self._sessions.begin() as db:
            db.add(row)
            db.flush()
            return _attempt(row)

    def _filtered(
        self,
        query: Select[AttemptRow],
        *,
        company: str | None,
        failed_only: bool,
        code: str | None,
        system: System | None,
        run_id: int | None,
    ) -> Select[AttemptRow]:
        if company is not None:
            query = query.where(AttemptRow.company == company)
        if code is not None:
            query = query.where(AttemptRow.code == code)
        if system is not None:
            query = query.where(AttemptRow.system == System(system).value)
        if run_id is not None:
            query = query.where(AttemptRow.run_id == run_id)
        if failed_only:
            query = query.where(_open_failure())
        return query

    def log(
        self,
        company: str | None = None,
        *,
        failed_only: bool = False,
        code: str | None = None,
        system: System | None = None,
        run_id: int | None = None,
        record: SfRef | None = None,
        limit: int = 100,
    ) -> list[Attempt]:
        """Attempts, newest first (of one Salesforce record when `record` is given).

        `failed_only` keeps errors that no later non-error attempt on the same record in the
        same flow has superseded (the open failures).
        """
        query = self._filtered(
            select(AttemptRow), company=company, failed_only=failed_only, code=code,
            system=system, run_id=run_id,
        )  # fmt: skip
        if record is not None:
            query = query.where(
                AttemptRow.sf_object == record.sobject.value, AttemptRow.sf_id == record.id
            )
        with self._sessions() as db:
            rows = db.scalars(query.order_by(AttemptRow.id.desc()).limit(limit))
            return [_attempt(r) for r in rows]

    def page(
        self,
        criteria: LogCriteria,
        *,
        limit: int,
        before: tuple[datetime, int] | None = None,
        after: tuple[datetime, int] | None = None,
    ) -> list[Attempt]:
        """Attempts newest first by (created_at, id), keyset-paged: older than `before`, or
        the `limit` oldest ones newer than `after` (still returned newest first)."""
        c = criteria
        query = self._filtered(
            select(AttemptRow), company=c.company, failed_only=c.failed_only, code=c.code,
            system=c.system, run_id=None,
        )  # fmt: skip
        if c.flow is not None:
            query = query.where(AttemptRow.flow == c.flow)
        if c.severity is not None:
            query = query.where(AttemptRow.severity == Severity(c.severity).value)
        if c.since is not None:
            query = query.where(AttemptRow.created_at >= require_aware(c.since, "since"))
        if c.until is not None:
            query = query.where(AttemptRow.created_at < require_aware(c.until, "until"))
        if c.sf_ids is not None or c.qb_ids is not None:
            query = query.where(_about(c.sf_ids or frozenset(), c.qb_ids or frozenset()))
        at, key = AttemptRow.created_at, AttemptRow.id
        if before is not None:
            b_at, b_id = require_aware(before[0], "cursor"), before[1]
            query = query.where(or_(at < b_at, and_(at == b_at, key < b_id)))
        order = (at.desc(), key.desc())
        if after is not None:
            a_at, a_id = require_aware(after[0], "cursor"), after[1]
            query = query.where(or_(at > a_at, and_(at == a_at, key > a_id)))
            order = (at.asc(), key.asc())
        with self._sessions() as db:
            found = [_attempt(r) for r in db.scalars(query.order_by(*order).limit(limit))]
        return found[::-1] if after is not None else found

    def count_open_failures(self, company: str | None = None) -> int:
        """How many attempts `log(failed_only=True)` would list without a limit."""
        query = self._filtered(
            select(AttemptRow), company=company, failed_only=True, code=None, system=None,
            run_id=None,
        )  # fmt: skip
        with self._sessions() as db:
            return db.scalar(select(func.count()).select_from(query.subquery())) or 0

    def attempts_by_code(self, company: str | None = None) -> dict[str, int]:
        """How many attempts each `system:code` has, e.g. {"qbxml:0": 12, "qbxml:3100": 1}."""
        query = select(AttemptRow.system, AttemptRow.code, func.count()).group_by(
            AttemptRow.system, AttemptRow.code
        )
        if company is not None:
            query = query.where(AttemptRow.company == company)
        with self._sessions() as db:
            rows = db.execute(query).all()
        return {f"{system}:{code}": int(n) for system, code, n in sorted(rows)}
