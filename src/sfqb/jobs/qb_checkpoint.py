"""Where a cycle reads QuickBooks' changes from: a checkpoint per target stream.

The checkpoint holds the target's own time of the newest change read (QuickBooks Desktop's
wall clock: see sync.inbound.wall_clock); the profile names the stream and how far back the
target's change feed reaches.

The read starts `overlap` before the checkpoint, for a change saved late with an earlier time.
Once a clean read has covered that span again and found nothing newer (the checkpoint did not
move), the span is settled: a change saved late would have shown by then, and the next read
starts at the checkpoint's own second. A quiet company then reads one page whatever the size
of its last burst of changes, instead of the burst's last minutes on every cycle. When the
settling read began after that second was over in the target (CLOSED_AFTER), the second is
closed too and the next read starts at the second after it: nothing is read again.

Once a day (`cdc_sweep_at` of the company's policy, else of jobs/data/schedule.yaml; UTC) a
company whose change feed reaches only so far back (QuickBooks Online's Change Data Capture:
"CDC operations can track changes within the last 30 days", Intuit's "Change data capture
operation" page on developer.intuit.com) has a sweep: its first cycle from that time on reads
the feed's whole window, to catch a change that webhooks and
the reads from the checkpoint missed (one saved with a time older than the checkpoint). The
sweep never moves the checkpoint back, and the versions sfqb has seen are passed over.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sfqb.domain.policy import CompanyPolicy
from sfqb.jobs.schedule import default_sweep_at
from sfqb.store import RunKind, Store
from sfqb.sync.inbound import read_from
from sfqb.sync.target import TargetProfile

SETTLED = ":settled"  # the stream's checkpoint whose overlap a clean read covered again
# The settled checkpoint's second was over in the target before the read that settled it.
CLOSED = ":closed"
MOVED = ":moved"  # when (sfqb's clock) the read that moved the checkpoint had been answered
# How long after that a read must begin for the checkpoint's second to be over in the target:
# the target's clock had reached that second when it answered, and both clocks run at the same
# rate; one second more than the stamp's resolution.
CLOSED_AFTER = timedelta(seconds=2)


def qb_since(
    store: Store,
    company: str,
    profile: TargetProfile,
    *,
    transaction_type: str,
    overlap: timedelta,
    fall_back: tuple[time, time],
    now: datetime | None = None,
    sweep: bool = False,
) -> dict[str, datetime]:
    """The time each of QuickBooks' change reads starts from (none before a first checkpoint).

    With a `lookback` (a change feed that reaches only so far back) and `now`, no read starts
    earlier than `now - lookback`; a `sweep` reads from there whatever the checkpoint.
    """
    since = store.checkpoints.get(company, profile.stream)
    if since is None and profile.legacy_stream:
        old = store.checkpoints.get(company, profile.legacy_stream)
        since = old - profile.legacy_spread if old is not None else None
    if since is None:
        return {}
    if sweep and profile.lookback is not None and now is not None:
        start = now.replace(tzinfo=None) - profile.lookback
        return dict.fromkeys(profile.change_feeds(transaction_type), start)
    if store.checkpoints.get(company, profile.stream + CLOSED) == since:
        # The read that settled it began once the checkpoint's second was over in the target:
        # every change of that second was there to be read, and was. From the next second, a
        # quiet company reads nothing again (not its last burst's final second every cycle).
        since, overlap = since + timedelta(seconds=1), timedelta(0)
    elif store.checkpoints.get(company, profile.stream + SETTLED) == since:
        # From the checkpoint's own second, not the next: both targets stamp changes to the
        # second, and a change saved later in that second than the read that settled it has
        # the checkpoint's time (read from the next second, it was never read). The versions
        # of that second sfqb has seen are passed over.
        overlap = timedelta(0)
    # The target's own clock, sent without an offset (QuickBooks Desktop reads it as local time).
    start = read_from(since, overlap, fall_back)
    if profile.lookback is not None and now is not None:
        start = max(start, now.replace(tzinfo=None) - profile.lookback)
    return dict.fromkeys(profile.change_feeds(transaction_type), start)


def save_qb_checkpoint(
    store: Store,
    company: str,
    profile: TargetProfile,
    high: datetime | None,
    *,
    sweep: bool = False,
    read_at: datetime | None = None,
    now: datetime | None = None,
) -> None:
    """After a clean read whose newest new change is `high` (None: it brought only versions
    sfqb had seen): the stream's new checkpoint, noted as moved `now`; or the checkpoint
    settled when the read found nothing newer, and its second closed when the read began
    (`read_at`; sfqb's clock, as `now`) at least CLOSED_AFTER after the checkpoint moved. A
    sweep only ever moves the checkpoint forward."""
    current = store.checkpoints.get(company, profile.stream)
    # A sweep only moves it forward; a cycle's read moves it wherever its newest change is.
    if high is not None and (current is None or (high > current if sweep else high != current)):
        store.checkpoints.set(company, profile.stream, high)
        if now is not None:
            store.checkpoints.set(company, profile.stream + MOVED, now, force=True)
    elif not sweep and current is not None:
        store.checkpoints.set(company, profile.stream + SETTLED, current)
        moved = store.checkpoints.get(company, profile.stream + MOVED)
        if read_at is not None and moved is not None and read_at - moved >= CLOSED_AFTER:
            store.checkpoints.set(company, profile.stream + CLOSED, current)


def clean_before(store: Store, company: str, run_id: int) -> bool:
    """True when the company's run before `run_id` read QuickBooks' changes in full and saved
    every write-back: a version its read took is then done with (see sync.reading.Reading)."""
    runs = [r for r in store.journal.runs(company, limit=2) if r.id != run_id]
    return bool(runs) and runs[0].counts.get("qb_read_clean", 0) == 1


def sweep_at_of(policy: CompanyPolicy) -> time:
    """When the company's nightly sweep runs (UTC): its policy's `cdc_sweep_at`, else the
    bundled default."""
    return time.fromisoformat(policy.cdc_sweep_at) if policy.cdc_sweep_at else default_sweep_at()


def last_sweep_moment(now: datetime, at: time) -> datetime:
    """The newest moment, at or before `now`, the daily sweep time `at` (UTC) came round."""
    today = datetime.combine(now.astimezone(UTC).date(), at, tzinfo=UTC)
    return today if today <= now else today - timedelta(days=1)


def sweep_due(store: Store, company: str, now: datetime, at: time) -> bool:
    """True when the daily time `at` came round since the company's last sweep (since its
    first run, when it has had none: a new company's first sweep is at the next `at`)."""
    last = store.journal.runs(company, limit=1, kind=RunKind.CDC_SWEEP)
    since = last[0].started_at if last else store.journal.first_started(company)
    return since is not None and since < last_sweep_moment(now, at)
