"""QuickBooks' clock: a New York company across the end of daylight saving time.

QuickBooks reads FromModifiedDate in the QuickBooks computer's local time and writes
TimeModified with its zone's standard offset even in summer (see sandbox/qbd/records.py
qb_time and queries.py date_range for the sources). sfqb keeps QuickBooks' own wall clock as
its checkpoint and reads again a few minutes before it; only near the hours a fall-back
repeats (01:00-03:00 on QuickBooks' wall clock) does it reach back past a whole hour.
What the overlap brings again that sfqb has seen (the EditSequence its binding holds) costs
nothing, unless the cycle that saw it left a write-back unsaved.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from sfqb.connectors.qbd.profile import QBD_PROFILE
from sfqb.domain.entities import SfObject, SfRef
from sfqb.jobs.runner import RunnerSettings
from sfqb.sandbox.salesforce import seed
from sfqb.sync.ops import QbAction

from .conftest import World

pytestmark = pytest.mark.desktop_only(
    "QuickBooks Desktop's local wall clock and its daylight-saving overlap; QuickBooks Online "
    "stamps LastUpdatedTime with its offset"
)

# 2025-11-02 06:00 UTC: 02:00 EDT becomes 01:00 EST in New York.
DST_ENDS = datetime(2025, 11, 2, 6, 0, tzinfo=UTC)


def _edit(world: World, account: str, phone: str) -> None:
    binding = world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, account))
    assert binding is not None
    world.qb.modify_as_user(binding.qb.id, Phone=phone)


def test_a_new_york_company_across_the_end_of_daylight_saving_misses_and_repeats_nothing(
    world: World,
) -> None:
    world.qb.configure(time_zone="America/New_York")
    world.clock.now = DST_ENDS - timedelta(hours=1, minutes=30)  # 00:30 EDT
    summary = seed(world.sf.org, 6, random.Random(31))
    world.cycle()
    phones = {a: f"(212) 555-01{n:02d}" for n, a in enumerate(summary.accounts[:4])}
    a, b, c, d = phones
    steps = [
        (DST_ENDS - timedelta(minutes=20), a),  # 01:40 EDT
        (DST_ENDS - timedelta(minutes=5), b),  # 01:55 EDT, after the checkpoint's wall time
        (DST_ENDS + timedelta(minutes=20), c),  # 01:20 EST: a wall time read before
        (DST_ENDS + timedelta(hours=2), d),  # 03:00 EST
    ]
    synced = []
    for moment, account in steps:
        world.clock.now = moment
        _edit(world, account, phones[account])
        world.clock.advance(60)
        synced.append(world.cycle().synced["customer_to_account"])  # type: ignore[attr-defined]
        assert world.sf.org.get("Account", account)["Phone"] == phones[account]
    assert synced == [1, 1, 1, 1]  # each change once, though the overlap reads some again
    checkpoint = world.store.checkpoints.get("demo", QBD_PROFILE.stream)
    assert checkpoint is not None and f"{checkpoint:%H:%M}" == "03:00"  # QuickBooks' wall clock
    writes = len(world.sf.writes)
    world.clock.advance(60)
    quiet = world.cycle()
    assert quiet.synced["customer_to_account"] == 0  # type: ignore[attr-defined]
    assert len(world.sf.writes) == writes
    for account, phone in phones.items():
        assert world.sf.org.get("Account", account)["Phone"] == phone


@pytest.mark.parametrize(
    ("edited", "reach"),
    [
        # 12:00 EST: a midday cycle reads again only the small overlap.
        (datetime(2026, 3, 2, 17, 0, tzinfo=UTC), RunnerSettings().qb_overlap),
        # 01:30 EST, in the hours a fall-back repeats: a whole hour further.
        (datetime(2026, 3, 3, 6, 30, tzinfo=UTC), timedelta(hours=1) + RunnerSettings().qb_overlap),
    ],
    ids=["midday", "night"],
)
def test_a_quiet_cycle_reads_again_a_whole_hour_only_near_the_repeated_hours(
    world: World, edited: datetime, reach: timedelta
) -> None:
    world.qb.configure(time_zone="America/New_York")
    world.clock.now = edited - timedelta(minutes=30)
    summary = seed(world.sf.org, 3, random.Random(32))
    world.cycle()
    world.clock.now = edited
    _edit(world, summary.accounts[0], "(212) 555-0142")
    world.clock.advance(60)
    world.cycle()
    checkpoint = world.store.checkpoints.get("demo", QBD_PROFILE.stream)
    assert checkpoint is not None
    world.clock.advance(600)
    report, ops = world.recorded_cycle()
    reads = [op for op in ops if op.action is QbAction.READ_CHANGED]
    assert reads and {op.since for op in reads} == {checkpoint.replace(tzinfo=None) - reach}
    assert report.sf_writes == 0 and not report.wrote_anything


def test_what_the_overlap_reads_again_costs_nothing_unless_its_write_back_was_lost(
    world: World,
) -> None:
    summary = seed(world.sf.org, 8, random.Random(33))
    world.runner.settings = RunnerSettings(qb_page_size=2)
    world.cycle()
    first, second = summary.accounts[:2]
    _edit(world, first, "(212) 555-0150")
    _edit(world, second, "(212) 555-0151")
    world.sf.faults.lock_records(second)  # its write-back fails in this cycle
    world.clock.advance(30)
    report, _ = world.recorded_cycle()
    assert report.failed_writes and not report.read_clean
    assert world.sf.org.get("Account", second)["Phone"] != "(212) 555-0151"
    world.sf.faults.unlock(second)
    world.clock.advance(30)
    # The overlap reads both again with the EditSequence their bindings hold: the one whose
    # write-back was lost is written now, the other costs nothing.
    report, _ = world.recorded_cycle()
    assert world.sf.org.get("Account", second)["Phone"] == "(212) 555-0151"
    assert report.sf_writes == 1 and report.read_clean
    world.clock.advance(30)
    report, ops = world.recorded_cycle()  # everything again, in pages of 2: nothing to do
    assert report.qb_pages > 0 and report.sf_writes == 0 and not report.wrote_anything
    assert {op.action for op in ops} <= {
        QbAction.DEFINE_MARKER,
        QbAction.READ_FIELD_DEFS,
        QbAction.READ_FIELD_SLOTS,
        QbAction.READ_PREFERENCES,
        QbAction.READ_CHANGED,
        QbAction.READ_DELETED,  # the transactions deleted since the checkpoint (sync/gone.py)
    }
