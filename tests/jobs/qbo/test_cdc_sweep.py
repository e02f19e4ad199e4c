"""The nightly CDC sweep against the QuickBooks Online sandbox.

Intuit's "Change data capture operation" page (developer.intuit.com, QuickBooks Online,
explore-the-quickbooks-online-api/change-data-capture): "CDC operations can track changes
within the last 30 days", so the sweep reads from 30 days back, not further. A change saved
"behind sfqb's back" with a time older than the checkpoint (a late save, a missed webhook) is
outside every read from the checkpoint; the day's sweep reads the whole window and finds it,
without moving the checkpoint back, and a version sfqb has seen is not applied twice.
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from sfqb.domain.entities import SfObject
from sfqb.sandbox.demo import COMPANY
from sfqb.store import RunKind

from .conftest import Qbo

OLD_PHONE, NEW_PHONE = "(512) 555-0100", "(512) 555-0199"


def _behind_the_back(qbo: Qbo, customer: str, hours_ago: float) -> None:
    """A person changes the customer's phone; QuickBooks stamps it `hours_ago` (a save that
    reached the company's change feed late, or one whose webhook never came)."""
    books = qbo.sandbox.api.books
    current = books.read("Customer", customer)
    qbo.clock.now -= timedelta(hours=hours_ago)
    books.update(
        "Customer",
        {"Id": customer, "SyncToken": current["SyncToken"], "sparse": True,
         "PrimaryPhone": {"FreeFormNumber": NEW_PHONE}},
    )  # fmt: skip
    qbo.clock.now += timedelta(hours=hours_ago)


def _kind_of_last_run(qbo: Qbo) -> RunKind:
    return qbo.world.store.journal.runs(COMPANY, limit=1)[0].kind


def test_cdc_30_day_sweep_finds_an_old_change_a_cycle_from_the_checkpoint_misses(
    qbo_factory: Any,
) -> None:
    qbo: Qbo = qbo_factory(sweep_at=time(10, 0))  # the world's clock starts at 09:00 UTC
    store, stream = qbo.world.store, qbo.world.runner.profile.stream
    account = qbo.account("Acme Tools", Phone=OLD_PHONE)
    qbo.cycle()
    customer = qbo.qb_id(SfObject.ACCOUNT, account)
    assert customer is not None
    qbo.cycle(60)
    checkpoint = store.checkpoints.get(COMPANY, stream)
    assert checkpoint is not None

    _behind_the_back(qbo, customer, hours_ago=1)
    qbo.cycle(60)  # 09:02: no sweep due (10:00 has not come round since the first run)
    assert _kind_of_last_run(qbo) is RunKind.CYCLE
    assert qbo.org.get("Account", account)["Phone"] == OLD_PHONE  # missed from the checkpoint

    qbo.clock.advance(60 * 60)  # past 10:00: the day's first cycle is the sweep
    swept = qbo.cycle()
    assert _kind_of_last_run(qbo) is RunKind.CDC_SWEEP
    assert swept.read_clean and swept.sf_writes == 1
    assert qbo.org.get("Account", account)["Phone"] == NEW_PHONE
    after = store.checkpoints.get(COMPANY, stream)
    assert after is not None and after >= checkpoint  # never moved back

    again = qbo.cycle(60)  # once a day, not twice
    assert _kind_of_last_run(qbo) is RunKind.CYCLE and again.sf_writes == 0

    qbo.clock.advance(24 * 60 * 60)  # the next day's sweep reads the same version again
    next_day = qbo.cycle()
    assert _kind_of_last_run(qbo) is RunKind.CDC_SWEEP
    assert next_day.sf_writes == 0 and sum(next_day.synced.values()) == 0  # not re-applied
    assert store.checkpoints.get(COMPANY, stream) == after


def test_without_a_sweep_time_no_cycle_reaches_behind_the_checkpoint(qbo_factory: Any) -> None:
    qbo: Qbo = qbo_factory()  # sweeps off
    account = qbo.account("Acme Tools", Phone=OLD_PHONE)
    qbo.cycle()
    customer = qbo.qb_id(SfObject.ACCOUNT, account)
    assert customer is not None
    _behind_the_back(qbo, customer, hours_ago=1)
    for _ in range(2):
        qbo.clock.advance(24 * 60 * 60)
        qbo.cycle()
        assert _kind_of_last_run(qbo) is RunKind.CYCLE
    assert qbo.org.get("Account", account)["Phone"] == OLD_PHONE
