"""Connector circuits: per company, whether QuickBooks is reachable, since when and why not.

The state lives in the database so every process (the Web Connector endpoint, a direct run, a
watchdog) sees the same circuit; opening and closing are conditional updates, so of two
processes that trip the same circuit at once exactly one opens it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from sfqb.domain.status import (
    Actor,
    Category,
    Confidence,
    DecodedStatus,
    Remedy,
    Severity,
    System,
)
from sfqb.store.common import Clock, Sessions, require_aware
from sfqb.store.models import CircuitRow


@dataclass(frozen=True, slots=True)
class CircuitState:
    """A company's circuit: open or closed, since when, the decoded cause and the last contact.

    `since` is when it opened (open) or closed (closed; None if it never opened); `openings`
    counts how many times it has opened, which numbers each outage.
    """

    company: str
    is_open: bool
    since: datetime | None
    cause: DecodedStatus | None
    last_contact: datetime | None
    openings: int = 0
    last_trip_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """The state after a trip or a contact, and whether this call opened or closed it."""

    state: CircuitState
    changed: bool


def status_from_json(data: dict[str, Any]) -> DecodedStatus:
    """A DecodedStatus back from `DecodedStatus.to_json()`."""
    return DecodedStatus(
        system=System(data["system"]),
        code=str(data["code"]),
        severity=Severity(data["severity"]),
        message=str(data["message"]),
        title=str(data["title"]),
        meaning=str(data["meaning"]),
        fix=tuple(str(step) for step in data.get("fix", ())),
        category=Category(data["category"]),
        retryable=bool(data["retryable"]),
        remedy=Remedy(data["remedy"]),
        actor=Actor(data["actor"]),
        known=bool(data["known"]),
        confidence=Confidence(data.get("confidence", Confidence.CONFIRMED.value)),
        applies_when=str(data.get("applies_when", "")),
        details={str(k): str(v) for k, v in dict(data.get("details") or {}).items()},
    )


def _state(row: CircuitRow) -> CircuitState:
    return CircuitState(
        company=row.company,
        is_open=row.is_open,
        since=row.opened_at if row.is_open else row.closed_at,
        cause=status_from_json(row.cause) if row.is_open and row.cause else None,
        last_contact=row.last_contact,
        openings=row.openings,
        last_trip_at=row.last_trip_at,
    )


class Circuits:
    """The circuits table; one row per company, made on first use."""

    def __init__(self, sessions: Sessions, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def _ensure(self, company: str, now: datetime) -> None:
        with self._sessions() as db:
            if db.get(CircuitRow, company) is not None:
                return
        try:
            with self._sessions.begin() as db:
                db.add(CircuitRow(company=company, is_open=False, openings=0, updated_at=now))
        except IntegrityError:
            pass  # another process made it first

    def get(self, company: str) -> CircuitState:
        """The company's circuit (closed, never contacted, when there is no row yet)."""
        with self._sessions() as db:
            row = db.get(CircuitRow, company)
            if row is None:
                return CircuitState(company, False, None, None, None)
            return _state(row)

    def all(self) -> list[CircuitState]:
        """Every company's circuit, by company name."""
        with self._sessions() as db:
            return [_state(r) for r in db.scalars(select(CircuitRow).order_by(CircuitRow.company))]

    def open(self, company: str, cause: DecodedStatus, now: datetime | None = None) -> Change:
        """Open the circuit with `cause`; `changed` is False when it was open already."""
        now = require_aware(now or self._clock(), "now")
        self._ensure(company, now)
        with self._sessions.begin() as db:
            opened = db.execute(
                update(CircuitRow)
                .where(CircuitRow.company == company, CircuitRow.is_open.is_(False))
                .values(
                    is_open=True,
                    openings=CircuitRow.openings + 1,
                    opened_at=now,
                    cause_system=cause.system.value,
                    cause_code=cause.code,
                    cause=cause.to_json(),
                    last_trip_at=now,
                    updated_at=now,
                )
            ).rowcount  # type: ignore[attr-defined]
            if not opened:
                db.execute(
                    update(CircuitRow)
                    .where(CircuitRow.company == company)
                    .values(last_trip_at=now, updated_at=now)
                )
            row = db.get(CircuitRow, company, populate_existing=True)
            assert row is not None
            return Change(_state(row), bool(opened))

    def contact(self, company: str, now: datetime | None = None) -> Change:
        """Record a successful contact and close the circuit; `changed` when this closed it."""
        now = require_aware(now or self._clock(), "now")
        self._ensure(company, now)
        with self._sessions.begin() as db:
            closed = db.execute(
                update(CircuitRow)
                .where(CircuitRow.company == company, CircuitRow.is_open.is_(True))
                .values(is_open=False, closed_at=now, last_contact=now, updated_at=now)
            ).rowcount  # type: ignore[attr-defined]
            if not closed:
                db.execute(
                    update(CircuitRow)
                    .where(CircuitRow.company == company)
                    .values(last_contact=now, updated_at=now)
                )
            row = db.get(CircuitRow, company, populate_existing=True)
            assert row is not None
            return Change(_state(row), bool(closed))
