"""QuickBooks' clock: a New York company across the end of daylight saving time.

QuickBooks reads FromModifiedDate in the QuickBooks computer's local time and writes
TimeModified with its zone's standard offset even in summer (see sandbox/qbd/records.py
qb_time and queries.py date_range for the sources). sfqb keeps QuickBooks' own wall clock as
its checkpoint and reads again from an hour and a little before it, de-duplicated.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sfqb.domain.entities import SfObject, SfRef
from sfqb.jobs.runner import QB_STREAM
from sfqb.sandbox.salesforce import seed

from .conftest import World

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
    checkpoint = world.store.checkpoints.get("demo", QB_STREAM)
    assert checkpoint is not None and f"{checkpoint:%H:%M}" == "03:00"  # QuickBooks' wall clock
    writes = len(world.sf.writes)
    world.clock.advance(60)
    quiet = world.cycle()
    assert quiet.synced["customer_to_account"] == 0  # type: ignore[attr-defined]
    assert len(world.sf.writes) == writes
    for account, phone in phones.items():
        assert world.sf.org.get("Account", account)["Phone"] == phone
