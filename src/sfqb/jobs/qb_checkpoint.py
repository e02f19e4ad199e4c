"""Where a cycle reads QuickBooks' changes from: a checkpoint per target stream.

The checkpoint holds the target's own time of the newest change read (QuickBooks Desktop's
wall clock: see sync.inbound.wall_clock); the profile names the stream and how far back the
target's change feed reaches.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sfqb.store import Store
from sfqb.sync.inbound import read_from
from sfqb.sync.target import TargetProfile


def qb_since(
    store: Store,
    company: str,
    profile: TargetProfile,
    *,
    transaction_type: str,
    overlap: timedelta,
    fall_back: tuple[time, time],
    now: datetime | None = None,
) -> dict[str, datetime]:
    """The time each of QuickBooks' change reads starts from (none before a first checkpoint).

    With a `lookback` (a change feed that reaches only so far back) and `now`, no read starts
    earlier than `now - lookback`.
    """
    since = store.checkpoints.get(company, profile.stream)
    if since is None and profile.legacy_stream:
        old = store.checkpoints.get(company, profile.legacy_stream)
        since = old - profile.legacy_spread if old is not None else None
    if since is None:
        return {}
    # The target's own clock, sent without an offset (QuickBooks Desktop reads it as local time).
    start = read_from(since, overlap, fall_back)
    if profile.lookback is not None and now is not None:
        start = max(start, now.replace(tzinfo=None) - profile.lookback)
    return dict.fromkeys(profile.change_feeds(transaction_type), start)


def clean_before(store: Store, company: str, run_id: int) -> bool:
    """True when the company's run before `run_id` read QuickBooks' changes in full and saved
    every write-back: a version its read took is then done with (see sync.reading.Reading)."""
    runs = [r for r in store.journal.runs(company, limit=2) if r.id != run_id]
    return bool(runs) and runs[0].counts.get("qb_read_clean", 0) == 1
