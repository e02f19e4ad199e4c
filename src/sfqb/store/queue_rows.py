"""How a queue row changes: the states, the item a row reads as, the moves `mark` makes, the
upsert `enqueue` makes and the wake of rows waiting for a parent, shared by `SyncQueue` (one
row a call) and the bulk writes of `sfqb.store.work`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sfqb.domain.entities import QbKind, QbRef, Role, SfObject, SfRef, role_of_flow
from sfqb.domain.status import DecodedStatus, System
from sfqb.store.common import Direction, StoreError, chunks, require_aware
from sfqb.store.models import BindingRow, QueueRow


class QueueStatus(StrEnum):
    """Where a queued record stands."""

    PENDING = "pending"
    INFLIGHT = "inflight"
    DONE = "done"
    FAILED = "failed"
    WAITING = "waiting"
    REVIEW = "review"


_S = QueueStatus
# Which states `mark` may move a row to from each state.
TRANSITIONS: Mapping[QueueStatus, frozenset[QueueStatus]] = MappingProxyType(
    {
        _S.PENDING: frozenset({_S.INFLIGHT, _S.DONE, _S.FAILED, _S.WAITING, _S.REVIEW}),
        _S.INFLIGHT: frozenset({_S.DONE, _S.FAILED, _S.WAITING, _S.REVIEW, _S.PENDING}),
        _S.FAILED: frozenset({_S.INFLIGHT, _S.PENDING, _S.DONE, _S.WAITING, _S.REVIEW}),
        # waiting -> waiting: woken by its parent's binding, it waits again (for another parent)
        _S.WAITING: frozenset({_S.INFLIGHT, _S.PENDING, _S.DONE, _S.FAILED, _S.WAITING, _S.REVIEW}),
        _S.REVIEW: frozenset({_S.PENDING, _S.DONE}),
        _S.DONE: frozenset({_S.PENDING}),
    }
)
DUE = (_S.PENDING, _S.FAILED, _S.WAITING)
OUTCOMES = frozenset({_S.DONE, _S.FAILED, _S.WAITING, _S.REVIEW})


@dataclass(frozen=True, slots=True)
class QueueItem:
    """One queued source record and its retry state."""

    id: int
    company: str
    flow: str
    direction: Direction
    source: SfRef | QbRef
    payload: dict[str, Any]
    fingerprint: str
    status: QueueStatus
    attempts: int
    lock_waits: int
    next_attempt_at: datetime | None
    last_system: System | None
    last_code: str | None
    last_error: str | None
    outbox_id: int | None
    updated_at: datetime
    bind_request: dict[str, Any] | None = None
    sent: dict[str, Any] | None = None  # the payload in flight when a newer one replaced it
    waits_for: SfRef | None = None  # the unbound parent a waiting row sleeps on


def _source(direction: Direction, flow: str, kind: str, ident: str) -> SfRef | QbRef:
    if direction is Direction.SF_TO_QB:
        return SfRef(SfObject(kind), ident, role_of_flow(flow))
    return QbRef(QbKind(kind), ident)


def item_of(row: QueueRow) -> QueueItem:
    """The item of a stored row (the sent payload kept apart)."""
    direction = Direction(row.direction)
    return QueueItem(
        id=row.id,
        company=row.company,
        flow=row.flow,
        direction=direction,
        source=_source(direction, row.flow, row.source_type, row.source_id),
        payload={k: v for k, v in row.payload.items() if k != SENT},
        fingerprint=row.fingerprint,
        status=QueueStatus(row.status),
        attempts=row.attempts,
        lock_waits=row.lock_waits,
        next_attempt_at=row.next_attempt_at,
        last_system=System(row.last_system) if row.last_system else None,
        last_code=row.last_code,
        last_error=row.last_error,
        outbox_id=row.outbox_id,
        updated_at=row.updated_at,
        bind_request=dict(row.bind_request) if row.bind_request else None,
        sent=dict(row.payload[SENT]) if SENT in row.payload else None,
        waits_for=waited_for(row.waits_for),
    )


def new_item(item_id: int, values: Mapping[str, Any]) -> QueueItem:
    """The item of a row just inserted with `queue_rows.new_values`."""
    direction = Direction(values["direction"])
    return QueueItem(
        id=item_id, company=values["company"], flow=values["flow"], direction=direction,
        source=_source(direction, values["flow"], values["source_type"], values["source_id"]),
        payload=dict(values["payload"]), fingerprint=values["fingerprint"],
        status=QueueStatus(values["status"]), attempts=0, lock_waits=0,
        next_attempt_at=values["next_attempt_at"], last_system=None, last_code=None,
        last_error=None, outbox_id=None, updated_at=values["updated_at"],
    )  # fmt: skip


class InvalidTransition(StoreError):
    """A queue row cannot move from its state to the one asked for."""


# Kept inside the payload column (no schema change): the payload an inflight write was sent
# with, once Salesforce changed the record; a look-up after an unanswered add compares it too.
SENT = "__sfqb_sent__"


def source_type(source: SfRef | QbRef) -> str:
    return source.sobject.value if isinstance(source, SfRef) else source.kind.value


def waits_key(sf: SfRef) -> str:
    """How `sync_queue.waits_for` names the parent a row waits for."""
    return f"{sf.sobject.value}:{sf.id}:{sf.role.value}"


def waited_for(key: str | None) -> SfRef | None:
    """The parent a `waits_for` value names (None for None)."""
    if key is None:
        return None
    sobject, ident, role = key.split(":")
    return SfRef(SfObject(sobject), ident, Role(role))


def wake_bound(db: Session, company: str, now: datetime) -> int:
    """Make the company's rows waiting for a parent that is bound now due at `now`.

    Run at a cycle's start, it sees every binding made since, by a cycle or by a person, and
    reads only the waiting rows' parents (one look-up of the bindings, not one per row).
    """
    waiting = QueueRow.waits_for.is_not(None), QueueRow.status == _S.WAITING.value
    keys = set(db.scalars(select(QueueRow.waits_for).where(QueueRow.company == company, *waiting)))
    by_object: dict[str, set[str]] = {}
    for key in keys:
        parent = waited_for(key)
        assert parent is not None
        by_object.setdefault(parent.sobject.value, set()).add(parent.id)
    bound: set[str] = set()
    for sobject, ids in sorted(by_object.items()):
        for chunk in chunks(sorted(ids)):
            query = select(BindingRow.sf_object, BindingRow.sf_id, BindingRow.sf_role).where(
                BindingRow.company == company,
                BindingRow.sf_object == sobject,
                BindingRow.sf_id.in_(chunk),
            )
            found = {waits_key(SfRef(SfObject(o), i, Role(r))) for o, i, r in db.execute(query)}
            bound |= found & keys
    woken = 0
    for chunk in chunks(sorted(bound)):
        result = db.execute(
            update(QueueRow)
            .where(QueueRow.company == company, QueueRow.waits_for.in_(chunk), *waiting)
            .values(next_attempt_at=require_aware(now, "now"), waits_for=None)
            .execution_options(synchronize_session=False)
        )
        woken += int(result.rowcount)  # type: ignore[attr-defined]
    return woken


def clear_errors(row: QueueRow) -> None:
    row.last_system = row.last_code = row.last_error = None


def check_source(direction: Direction, source: SfRef | QbRef) -> None:
    """StoreError unless `source` is what a flow of `direction` reads."""
    expected = SfRef if direction is Direction.SF_TO_QB else QbRef
    if not isinstance(source, expected):
        raise StoreError(f"a {direction} flow reads {expected.__name__}s, got {source!r}")


def new_values(
    company: str,
    flow: str,
    direction: Direction,
    source: SfRef | QbRef,
    *,
    plain: dict[str, Any],
    fingerprint: str,
    now: datetime,
) -> dict[str, Any]:
    """The columns of the row a source record's first enqueue inserts: pending, due `now`."""
    return {
        "company": company, "flow": flow, "direction": direction.value,
        "source_type": source_type(source), "source_id": source.id, "payload": plain,
        "fingerprint": fingerprint, "status": _S.PENDING.value, "attempts": 0, "lock_waits": 0,
        "next_attempt_at": now, "updated_at": now,
    }  # fmt: skip


def requeued(row: QueueRow, plain: dict[str, Any], fingerprint: str, now: datetime) -> None:
    """Apply an enqueue of an existing row (see `SyncQueue.enqueue`)."""
    if row.status == _S.INFLIGHT.value:
        sent = row.payload.get(SENT, row.payload)  # the first one sent
        if plain != sent:
            plain = {**plain, SENT: sent}
        row.payload, row.fingerprint, row.updated_at = plain, fingerprint, now
    elif row.fingerprint != fingerprint or row.status == _S.PENDING.value:
        if row.fingerprint != fingerprint:
            row.attempts = row.lock_waits = 0
            clear_errors(row)
        row.payload, row.fingerprint = plain, fingerprint
        row.status, row.next_attempt_at, row.waits_for = _S.PENDING.value, now, None
        row.updated_at = now


@dataclass(frozen=True, slots=True)
class Move:
    """One queue row moved to `status` (the arguments of `SyncQueue.mark`)."""

    item_id: int
    status: QueueStatus
    next_attempt_at: datetime | None = None
    decoded: DecodedStatus | None = None
    error: str | None = None
    outbox_id: int | None = None
    sent_fingerprint: str | None = None
    lock_wait: bool = False
    waits_for: SfRef | None = None  # WAITING only: the unbound parent whose binding wakes it


def apply_move(row: QueueRow, move: Move, now: datetime) -> None:
    """Move `row` as `SyncQueue.mark` documents (InvalidTransition when it may not)."""
    status = QueueStatus(move.status)
    next_attempt_at = move.next_attempt_at
    if next_attempt_at is not None:
        next_attempt_at = require_aware(next_attempt_at, "next_attempt_at")
    current = QueueStatus(row.status)
    if status not in TRANSITIONS[current]:
        raise InvalidTransition(f"queue item {row.id} cannot go from {current} to {status}")
    if current is _S.INFLIGHT and status in OUTCOMES:
        row.attempts += 1
    if move.lock_wait:
        row.lock_waits += 1
    if move.decoded is not None:
        decoded = move.decoded
        row.last_system, row.last_code = decoded.system.value, decoded.code
        row.last_error = move.error or decoded.message or decoded.title
    elif move.error is not None:
        row.last_error = move.error
    if move.outbox_id is not None:
        row.outbox_id = move.outbox_id
    if status is _S.DONE and move.sent_fingerprint not in (None, row.fingerprint):
        status, next_attempt_at = _S.PENDING, now
    elif status is _S.DONE:
        clear_errors(row)
    if status is _S.PENDING:
        next_attempt_at = next_attempt_at or now
    elif status in (_S.INFLIGHT, _S.DONE, _S.REVIEW):
        next_attempt_at = None
    if current is _S.INFLIGHT and status is not _S.INFLIGHT and SENT in row.payload:
        row.payload = {k: v for k, v in row.payload.items() if k != SENT}
    row.status, row.next_attempt_at, row.updated_at = status.value, next_attempt_at, now
    waits = move.waits_for if status is _S.WAITING else None
    row.waits_for = waits_key(waits) if waits is not None else None
