"""Alerts sfqb raised: de-duplicated while open, rate-limited per company, delivery logged.

At most one alert per (company, kind, key) is open at a time (a partial unique index, so the
rule holds across processes). An alert admitted over the company's hourly limit is stored as
suppressed; the next alert that is sent carries a summary of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from sfqb.store.common import Clock, Sessions, StoreError, require_aware
from sfqb.store.models import AlertRow

HOUR = timedelta(hours=1)


class AlertStatus(StrEnum):
    """Whether the situation an alert reports still holds."""

    OPEN = "open"
    RESOLVED = "resolved"


class Delivery(StrEnum):
    """What became of an alert's notification."""

    PENDING = "pending"  # admitted for sending; the notifiers have not answered yet
    SENT = "sent"  # at least one notifier took it
    FAILED = "failed"  # every notifier failed (see error)
    SUPPRESSED = "suppressed"  # over the hourly limit: summarised in the next sent alert
    UNSENT = "unsent"  # the company has no email or webhook configured


SENDING = (Delivery.PENDING.value, Delivery.SENT.value, Delivery.FAILED.value)


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """One stored alert."""

    id: int
    company: str
    kind: str
    key: str
    subject: str
    body: str
    status: AlertStatus
    delivery: Delivery
    raised_at: datetime
    sent_at: datetime | None
    resolved_at: datetime | None
    summarised_in: int | None
    error: str | None


@dataclass(frozen=True, slots=True)
class Admitted:
    """A newly stored alert and, when it is to be sent, the suppressed ones it summarises."""

    alert: AlertRecord
    summarised: tuple[AlertRecord, ...] = ()


def _record(row: AlertRow) -> AlertRecord:
    return AlertRecord(
        id=row.id,
        company=row.company,
        kind=row.kind,
        key=row.key,
        subject=row.subject,
        body=row.body,
        status=AlertStatus(row.status),
        delivery=Delivery(row.delivery),
        raised_at=row.raised_at,
        sent_at=row.sent_at,
        resolved_at=row.resolved_at,
        summarised_in=row.summarised_in,
        error=row.error,
    )


class Alerts:
    """The alerts table."""

    def __init__(self, sessions: Sessions, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def find_open(self, company: str, kind: str, key: str) -> AlertRecord | None:
        """The open alert of this company, kind and key, or None."""
        with self._sessions() as db:
            row = db.scalar(
                select(AlertRow).where(
                    AlertRow.company == company,
                    AlertRow.kind == kind,
                    AlertRow.key == key,
                    AlertRow.status == AlertStatus.OPEN.value,
                )
            )
            return _record(row) if row else None

    def admit(
        self,
        company: str,
        kind: str,
        key: str,
        subject: str,
        body: str,
        *,
        max_per_hour: int,
        can_send: bool = True,
        now: datetime | None = None,
    ) -> Admitted | None:
        """Store a new open alert; None when one with the same company, kind and key is open.

        It is PENDING (to be sent) while the company has had fewer than `max_per_hour` alerts
        sent in the last hour, SUPPRESSED otherwise, and UNSENT when `can_send` is False.
        """
        if not kind or not key:
            raise StoreError("an alert needs a kind and a key")
        now = require_aware(now or self._clock(), "now")
        if self.find_open(company, kind, key) is not None:
            return None
        try:
            with self._sessions.begin() as db:
                delivery = Delivery.UNSENT
                if can_send:
                    recent = db.scalar(
                        select(func.count())
                        .select_from(AlertRow)
                        .where(
                            AlertRow.company == company,
                            AlertRow.delivery.in_(SENDING),
                            AlertRow.raised_at > now - HOUR,
                        )
                    )
                    over = (recent or 0) >= max_per_hour
                    delivery = Delivery.SUPPRESSED if over else Delivery.PENDING
                row = AlertRow(
                    company=company, kind=kind, key=key, subject=subject, body=body,
                    status=AlertStatus.OPEN.value, delivery=delivery.value, raised_at=now,
                )  # fmt: skip
                db.add(row)
                db.flush()
                summarised: list[AlertRow] = []
                if delivery is Delivery.PENDING:
                    summarised = list(
                        db.scalars(
                            select(AlertRow)
                            .where(
                                AlertRow.company == company,
                                AlertRow.delivery == Delivery.SUPPRESSED.value,
                                AlertRow.summarised_in.is_(None),
                            )
                            .order_by(AlertRow.id)
                            .with_for_update()
                        )
                    )
                    for old in summarised:
                        old.summarised_in = row.id
                    db.flush()
                return Admitted(_record(row), tuple(_record(r) for r in summarised))
        except IntegrityError:
            return None  # another process opened the same alert a moment ago

    def delivered(
        self, alert_id: int, delivery: Delivery, error: str | None, now: datetime | None = None
    ) -> AlertRecord:
        """Record what the notifiers did with an admitted alert."""
        now = require_aware(now or self._clock(), "now")
        with self._sessions.begin() as db:
            row = db.get(AlertRow, alert_id)
            if row is None:
                raise StoreError(f"no alert {alert_id}")
            row.delivery = Delivery(delivery).value
            row.error = error
            if delivery is Delivery.SENT:
                row.sent_at = now
            db.flush()
            return _record(row)

    def resolve(
        self, company: str, kind: str, key: str | None = None, now: datetime | None = None
    ) -> int:
        """Resolve the open alerts of this kind (and key, if given); returns how many."""
        now = require_aware(now or self._clock(), "now")
        query = update(AlertRow).where(
            AlertRow.company == company,
            AlertRow.kind == kind,
            AlertRow.status == AlertStatus.OPEN.value,
        )
        if key is not None:
            query = query.where(AlertRow.key == key)
        with self._sessions.begin() as db:
            done = db.execute(query.values(status=AlertStatus.RESOLVED.value, resolved_at=now))
            return int(done.rowcount)  # type: ignore[attr-defined]

    def get(self, alert_id: int) -> AlertRecord | None:
        """One alert by id."""
        with self._sessions() as db:
            row = db.get(AlertRow, alert_id)
            return _record(row) if row else None

    def items(
        self,
        company: str | None = None,
        status: AlertStatus | None = AlertStatus.OPEN,
        limit: int = 200,
    ) -> list[AlertRecord]:
        """Alerts (open ones by default), newest first."""
        query = select(AlertRow).order_by(AlertRow.id.desc()).limit(limit)
        if company is not None:
            query = query.where(AlertRow.company == company)
        if status is not None:
            query = query.where(AlertRow.status == AlertStatus(status).value)
        with self._sessions() as db:
            return [_record(r) for r in db.scalars(query)]
