"""Web Connector sessions in the store: one live session per company, held by a lease.

The partial unique index `uq_qbwc_sessions_live` (at most one open session per company) makes
the grant atomic on SQLite and PostgreSQL alike: of two callers inserting at once, the second
fails the constraint and is answered busy. A session whose lease lapsed is closed by a
conditional update in the transaction that inserts its successor, so two callers that both
judged it lapsed cannot both take the company over.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sfqb.connectors.qbd.webconnector.ports import (
    OutboxItem,
    OutboxStatus,
    SessionState,
    TakeOver,
    WorkClaim,
)
from sfqb.store.common import Sessions
from sfqb.store.models import Company, QbdOutbox, QbwcSession


def outbox_item(row: QbdOutbox) -> OutboxItem:
    """A stored message set as the Web Connector service sees it."""
    return OutboxItem(
        id=row.id,
        company_id=row.company_id,
        request_xml=row.request_xml,
        status=OutboxStatus(row.status),
        ticket=row.ticket,
        sent_at=row.sent_at,
        response_xml=row.response_xml,
        summary=row.summary,
    )


def session_state(row: QbwcSession) -> SessionState:
    """A stored session as the Web Connector service sees it."""
    return SessionState(
        ticket=row.ticket,
        company_id=row.company_id,
        created=row.created,
        last_seen=row.last_seen,
        hcp_response=row.hcp_response,
        company_file=row.company_file,
        qbxml_version=row.qbxml_version,
        country=row.country,
        position=row.position,
        last_error=row.last_error,
        closed=row.closed,
        owner=row.owner,
        lease_until=row.lease_until,
    )


def _columns(state: SessionState) -> dict[str, object]:
    return {
        "ticket": state.ticket,
        "company_id": state.company_id,
        "created": state.created,
        "last_seen": state.last_seen,
        "hcp_response": state.hcp_response,
        "company_file": state.company_file,
        "qbxml_version": state.qbxml_version,
        "country": state.country,
        "position": state.position,
        "last_error": state.last_error,
        "closed": state.closed,
        "owner": state.owner,
        "lease_until": state.lease_until,
    }


class SessionRows:
    """The session half of the Web Connector service's `SessionStore` (mixed into Store)."""

    _sessions: Sessions

    def open_sessions(self, company_id: int) -> Sequence[SessionState]:
        """The company's sessions that are not closed (at most one)."""
        with self._sessions() as db:
            rows = db.scalars(
                select(QbwcSession).where(
                    QbwcSession.company_id == company_id, QbwcSession.closed.is_(False)
                )
            )
            return [session_state(r) for r in rows]

    def start_session(self, state: SessionState, take_over: TakeOver | None = None) -> bool:
        """Record `state` as its company's one live session; False when the company is held.

        `take_over`, a session judged lapsed, is closed in the same transaction, and only if
        it is still open and still lapsed (its lease ended by `state.created`, or silent since
        `take_over.silent_since`). The company's last contact becomes `state.created`.
        """
        try:
            with self._sessions.begin() as db:
                if take_over is not None and not _close_lapsed(db, take_over, state.created):
                    return False
                # the live-session constraint answers here
                db.execute(insert(QbwcSession).values(**_columns(state)))
                db.execute(
                    update(Company)
                    .where(Company.id == state.company_id)
                    .values(last_contact=state.created)
                )
        except IntegrityError:
            return False
        return True

    def discard_session(self, ticket: str) -> None:
        """Delete a session that never did anything (authenticate found no work); the
        company's last contact goes back to its latest remaining session."""
        with self._sessions.begin() as db:
            company_id = db.scalar(
                delete(QbwcSession)
                .where(QbwcSession.ticket == ticket)
                .returning(QbwcSession.company_id)
            )
            if company_id is None:
                return
            latest = (
                select(func.max(QbwcSession.created))
                .where(QbwcSession.company_id == company_id)
                .scalar_subquery()
            )
            db.execute(update(Company).where(Company.id == company_id).values(last_contact=latest))

    def renew_leases(self, owner: str, until: datetime, silent_since: datetime) -> int:
        """Extend to `until` the lease of `owner`'s open sessions heard from after
        `silent_since`; how many were renewed."""
        with self._sessions.begin() as db:
            renewed = db.execute(
                update(QbwcSession)
                .where(
                    QbwcSession.owner == owner,
                    QbwcSession.closed.is_(False),
                    QbwcSession.last_seen > silent_since,
                )
                .values(lease_until=until)
            )
            # The cycles this process runs beside open sessions are held as long as it lives.
            db.execute(
                update(QbwcSession)
                .where(
                    QbwcSession.work_owner == owner,
                    QbwcSession.work_done.is_(False),
                    QbwcSession.closed.is_(False),
                )
                .values(work_until=until)
            )
            return int(renewed.rowcount)  # type: ignore[attr-defined]

    def get_session(self, ticket: str) -> SessionState | None:
        """The session with this ticket, or None."""
        with self._sessions() as db:
            row = db.get(QbwcSession, ticket)
            return session_state(row) if row else None

    def save_session(self, state: SessionState) -> None:
        """Overwrite the stored state of a session; a closed session is never reopened."""
        values = _columns(state)
        ticket = values.pop("ticket")
        with self._sessions.begin() as db:
            db.execute(
                update(QbwcSession)
                .where(QbwcSession.ticket == ticket, QbwcSession.closed.is_(False))
                .values(**values)
            )


class SessionWork:
    """The cycle a session waits on (mixed into Store): claimed, renewed, finished."""

    _sessions: Sessions

    def session_work(self, ticket: str) -> WorkClaim | None:
        """The cycle session `ticket` waits on, or None before one was started."""
        with self._sessions() as db:
            row = db.execute(
                select(
                    QbwcSession.work_owner, QbwcSession.work_id, QbwcSession.work_until,
                    QbwcSession.work_done, QbwcSession.work_error,
                ).where(QbwcSession.ticket == ticket)
            ).one_or_none()  # fmt: skip
        if row is None or not row.work_id:
            return None
        return WorkClaim(row.work_owner, row.work_id, row.work_until, row.work_done, row.work_error)

    def claim_work(self, ticket: str, claim: WorkClaim, now: datetime) -> bool:
        """Make `claim` the session's cycle unless one is held or done, or it is closed."""
        with self._sessions.begin() as db:
            claimed = db.execute(
                update(QbwcSession)
                .where(
                    QbwcSession.ticket == ticket,
                    QbwcSession.closed.is_(False),
                    QbwcSession.work_done.is_(False),
                    or_(
                        QbwcSession.work_id == "",
                        QbwcSession.work_until.is_(None),
                        QbwcSession.work_until <= now,
                    ),
                )
                .values(work_owner=claim.owner, work_id=claim.id, work_until=claim.until)
            )
            return bool(claimed.rowcount)  # type: ignore[attr-defined]

    def renew_work(self, ticket: str, work_id: str, until: datetime) -> bool:
        """Extend claim `work_id` to `until`; False when the session closed or moved on."""
        with self._sessions.begin() as db:
            renewed = db.execute(
                update(QbwcSession)
                .where(
                    QbwcSession.ticket == ticket,
                    QbwcSession.work_id == work_id,
                    QbwcSession.closed.is_(False),
                )
                .values(work_until=until)
            )
            return bool(renewed.rowcount)  # type: ignore[attr-defined]

    def finish_work(self, ticket: str, work_id: str, error: str) -> None:
        """Record that claim `work_id`'s cycle ended."""
        with self._sessions.begin() as db:
            db.execute(
                update(QbwcSession)
                .where(QbwcSession.ticket == ticket, QbwcSession.work_id == work_id)
                .values(work_done=True, work_error=error)
            )

    def withdraw_queued(self, ticket: str, why: str, now: datetime) -> Sequence[OutboxItem]:
        """Fail the message sets queued for session `ticket` alone and never sent."""
        with self._sessions.begin() as db:
            rows = list(
                db.scalars(
                    update(QbdOutbox)
                    .where(
                        QbdOutbox.ticket == ticket,
                        QbdOutbox.status == OutboxStatus.QUEUED.value,
                    )
                    .values(status=OutboxStatus.FAILED.value, summary=why, answered_at=now)
                    .returning(QbdOutbox)
                )
            )
            return [outbox_item(r) for r in rows]


def _close_lapsed(db: Session, take_over: TakeOver, now: datetime) -> bool:
    closed = db.execute(
        update(QbwcSession)
        .where(
            QbwcSession.ticket == take_over.ticket,
            QbwcSession.closed.is_(False),
            or_(
                QbwcSession.lease_until.is_(None),
                QbwcSession.lease_until <= now,
                QbwcSession.last_seen <= take_over.silent_since,
            ),
        )
        .values(closed=True, last_error=take_over.why)
    )
    return bool(closed.rowcount)  # type: ignore[attr-defined]
