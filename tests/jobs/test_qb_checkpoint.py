"""Where a cycle reads QuickBooks' changes from once the checkpoint has settled: the
checkpoint's own second (both targets stamp changes to the second), and the next one once the
read that settled it began after that second was over."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sfqb.connectors.qbd.profile import QBD_PROFILE
from sfqb.jobs.qb_checkpoint import CLOSED_AFTER, qb_since, save_qb_checkpoint
from sfqb.store import Store

C = datetime(2026, 3, 2, 9, 0, 5, tzinfo=UTC)  # the newest change read: QuickBooks' 09:00:05
OVERLAP = timedelta(minutes=2)
NO_FALL_BACK = (time(0), time(0))


def wall(hour: int, minute: int, second: int) -> datetime:
    """QuickBooks' wall-clock time as sent (no offset: QuickBooks reads it as local time)."""
    return datetime(2026, 3, 2, hour, minute, second, tzinfo=UTC).replace(tzinfo=None)


def _starts(db: Store) -> set[datetime]:
    since = qb_since(
        db, "acme", QBD_PROFILE, transaction_type="Invoice", overlap=OVERLAP,
        fall_back=NO_FALL_BACK,
    )  # fmt: skip
    return set(since.values())


def test_a_settled_read_starts_at_the_checkpoints_own_second(db: Store) -> None:
    db.create_company("acme", "acme", "pw")
    save_qb_checkpoint(db, "acme", QBD_PROFILE, C)
    assert _starts(db) == {wall(8, 58, 5)}  # the overlap before it
    save_qb_checkpoint(db, "acme", QBD_PROFILE, None)  # a clean read found nothing newer
    # A person's change saved at 09:00:05 after that read has the checkpoint's time: a read
    # from 09:00:06 (as before) never saw it. The versions of 09:00:05 sfqb has seen are
    # passed over by the read.
    assert _starts(db) == {wall(9, 0, 5)}
    save_qb_checkpoint(db, "acme", QBD_PROFILE, C + timedelta(seconds=30))  # newer: unsettled
    assert _starts(db) == {wall(8, 58, 35)}


def test_a_read_that_settled_it_after_its_second_was_over_closes_it(db: Store) -> None:
    db.create_company("acme", "acme", "pw")
    answered = datetime(2026, 3, 2, 9, 0, 6, tzinfo=UTC)  # sfqb's clock: the read that set it
    save_qb_checkpoint(db, "acme", QBD_PROFILE, C, now=answered)
    # Begun a second after: QuickBooks' clock may still have been in 09:00:05, so a change
    # saved later in it could have that time. The second stays open.
    early = answered + CLOSED_AFTER - timedelta(seconds=1)
    save_qb_checkpoint(db, "acme", QBD_PROFILE, None, read_at=early, now=early)
    assert _starts(db) == {wall(9, 0, 5)}
    # Begun later: 09:00:05 was over in QuickBooks before it, and it read that second whole.
    later = answered + CLOSED_AFTER
    save_qb_checkpoint(db, "acme", QBD_PROFILE, None, read_at=later, now=later)
    assert _starts(db) == {wall(9, 0, 6)}
    newer = later + timedelta(seconds=30)
    save_qb_checkpoint(db, "acme", QBD_PROFILE, C + timedelta(seconds=30), now=newer)
    assert _starts(db) == {wall(8, 58, 35)}  # a newer change: the overlap again
    save_qb_checkpoint(db, "acme", QBD_PROFILE, None, read_at=newer, now=newer)
    assert _starts(db) == {wall(9, 0, 35)}  # settled, begun as it moved: open
