"""Checkpoints: how far each stream of changes has been read, per company."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from sfqb.store.common import Clock, Sessions, StoreError, require_aware
from sfqb.store.models import Checkpoint


def stream_name(system: str, kind: str) -> str:
    """The stream of one kind of record on one system, e.g. "salesforce:Account"."""
    return f"{system}:{kind}"


class Checkpoints:
    """(company, stream) -> an aware UTC datetime that only moves forward unless forced."""

    def __init__(self, sessions: Sessions, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def get(self, company: str, stream: str) -> datetime | None:
        """The checkpoint of a stream, or None when it was never read."""
        with self._sessions() as db:
            return db.scalar(
                select(Checkpoint.at).where(
                    Checkpoint.company == company, Checkpoint.stream == stream
                )
            )

    def set(self, company: str, stream: str, at: datetime, *, force: bool = False) -> datetime:
        """Move the checkpoint to `at` and return the stored value.

        An earlier `at` leaves a later checkpoint where it is unless `force` (e.g. a full
        re-read the user asked for).
        """
        at = require_aware(at, "a checkpoint")
        if not stream:
            raise StoreError("a checkpoint needs a stream name")
        for _ in range(2):  # a concurrent first write loses the insert race once
            try:
                with self._sessions.begin() as db:
                    row = db.scalar(
                        select(Checkpoint)
                        .where(Checkpoint.company == company, Checkpoint.stream == stream)
                        .with_for_update()
                    )
                    if row is None:
                        db.add(
                            Checkpoint(
                                company=company, stream=stream, at=at, updated_at=self._clock()
                            )
                        )
                        return at
                    if force or at > row.at:
                        row.at = at
                        row.updated_at = self._clock()
                    return row.at
            except IntegrityError:
                continue
        raise StoreError(f"could not set the checkpoint {stream!r} of {company!r}")

    def for_company(self, company: str) -> dict[str, datetime]:
        """Every checkpoint of a company by stream."""
        with self._sessions() as db:
            rows = db.execute(
                select(Checkpoint.stream, Checkpoint.at)
                .where(Checkpoint.company == company)
                .order_by(Checkpoint.stream)
            )
            return {stream: at for stream, at in rows}

    def clear(self, company: str, stream: str | None = None) -> int:
        """Forget the checkpoints of a company (or one stream) so it is read from the start."""
        with self._sessions.begin() as db:
            query = select(Checkpoint).where(Checkpoint.company == company)
            if stream is not None:
                query = query.where(Checkpoint.stream == stream)
            rows = list(db.scalars(query))
            for row in rows:
                db.delete(row)
            return len(rows)
