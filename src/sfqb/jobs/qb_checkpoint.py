"""Where a cycle reads QuickBooks' changes from: a checkpoint in QuickBooks' own wall clock."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sfqb.store import Store
from sfqb.sync.inbound import WALL_CLOCK_SPREAD, read_from
from sfqb.sync.reading import change_feeds

# QuickBooks' wall-clock time of the newest change read (see sync.inbound.wall_clock); the
# stream before it ("qbd:changes") held UTC instants and is read once, from far enough back.
QB_STREAM = "qbd:changes:wall-clock"
_OLD_QB_STREAM = "qbd:changes"


def qb_since(
    store: Store,
    company: str,
    transaction_type: str,
    overlap: timedelta,
    fall_back: tuple[time, time],
) -> dict[str, datetime]:
    """The time each of QuickBooks' change reads starts from (none before a first checkpoint)."""
    since = store.checkpoints.get(company, QB_STREAM)
    if since is None and (old := store.checkpoints.get(company, _OLD_QB_STREAM)):
        since = old - WALL_CLOCK_SPREAD
    if since is None:
        return {}
    # QuickBooks' own wall clock, sent without an offset (read as local time).
    return dict.fromkeys(change_feeds(transaction_type), read_from(since, overlap, fall_back))


def clean_before(store: Store, company: str, run_id: int) -> bool:
    """True when the company's run before `run_id` read QuickBooks' changes in full and saved
    every write-back: a version its read took is then done with (see sync.reading.Reading)."""
    runs = [r for r in store.journal.runs(company, limit=2) if r.id != run_id]
    return bool(runs) and runs[0].counts.get("qb_read_clean", 0) == 1
