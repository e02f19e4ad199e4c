"""A cycle takes at most `max_records_per_cycle` due records (RunnerSettings, data/cycle.yaml):
a company with more finishes in several chained cycles, directly and in one Web Connector
session, with nothing lost or added twice and every parent before the records naming it
(on each store backend)."""

from __future__ import annotations

import random
from collections import Counter

from sfqb.domain.entities import SfObject, SfRef
from sfqb.jobs.cycle_report import MAX_RECORDS_PER_CYCLE, RunnerSettings
from sfqb.sandbox.salesforce import seed
from sfqb.store import QueueStatus
from sfqb.sync.ops import QbAction, QbOp
from sfqb.sync.records import Direction

from .conftest import World, web_connector

CAP = 4


def _adds(ops: list[QbOp]) -> list[SfRef]:
    return [op.sf for op in ops if op.action is QbAction.ADD and op.sf is not None]


def _change_reads(ops: list[QbOp]) -> int:
    """Reads of QuickBooks' changes started (first pages)."""
    return sum(op.action is QbAction.READ_CHANGED and op.cursor is None for op in ops)


def _parents_first(world: World, adds: list[SfRef]) -> None:
    """Each opportunity's invoice went out after its account's customer."""
    position = {sf: n for n, sf in enumerate(adds)}
    for sf in adds:
        if sf.sobject is SfObject.OPPORTUNITY:
            account = SfRef(SfObject.ACCOUNT, world.sf.org.get("Opportunity", sf.id)["AccountId"])
            assert position[account] < position[sf]


def _all_synced_once(world: World, adds: list[SfRef], records: int) -> None:
    assert len(adds) == len(set(adds)) == records  # each record added once
    assert world.qb_count("customer") == sum(a.sobject is SfObject.ACCOUNT for a in adds)
    rows = world.store.queue.of_company("demo")
    assert {r.status for r in rows if r.direction is Direction.SF_TO_QB} == {QueueStatus.DONE}
    bound = Counter(b.sf for b in world.store.bindings)
    assert set(bound) == set(adds) and set(bound.values()) == {1}


def test_the_default_cap_is_read_from_the_data_file() -> None:
    assert RunnerSettings().max_records_per_cycle == MAX_RECORDS_PER_CYCLE > CAP


def test_more_due_than_the_cap_finishes_in_chained_cycles_parents_first(world: World) -> None:
    summary = seed(world.sf.org, 5, random.Random(4), products=2, opportunities=7)
    records = len(summary.accounts) + 2 + 7
    # The opportunities are due before their accounts: a cycle that takes an opportunity
    # takes its account along, past the cap.
    world.runner.gather("demo", ["opportunity_to_invoice"])
    world.advance(5)
    world.runner.settings = RunnerSettings(max_records_per_cycle=CAP)
    runs_before = len(world.store.journal.runs("demo", limit=100))

    report, ops = world.recorded_cycle()

    runs = world.store.journal.runs("demo", limit=100)
    cycles = len(runs) - runs_before
    assert cycles >= -(-records // CAP) and report.chained == cycles - 1
    assert sum(report.synced.values()) == records
    for run in runs[:cycles]:  # each took at most CAP due records, and their parents
        assert sum(v for k, v in run.counts.items() if k.startswith("synced:")) <= 2 * CAP
    adds = _adds(ops)
    _parents_first(world, adds)
    _all_synced_once(world, adds, records)
    world.advance(60)
    again, more_ops = world.recorded_cycle()  # nothing left: one cycle, nothing added
    assert again.chained == 0 and _adds(more_ops) == []
    # QuickBooks' changes were read by the chain's first cycle only: no more reads than one
    # cycle makes (the first ever reads fewer feeds: no checkpoint yet)
    assert 0 < _change_reads(ops) <= _change_reads(more_ops)


def test_a_web_connector_session_goes_on_to_the_next_chained_cycle(world: World) -> None:
    seed(world.sf.org, 6, random.Random(5), products=2, opportunities=6)
    records = 6 + 2 + 6
    world.runner.settings = RunnerSettings(max_records_per_cycle=CAP)
    with web_connector(world) as session:
        session()  # one session: every chained cycle ran in it
        reports = list(session.reports)
    assert len(reports) >= -(-records // CAP)
    assert all(r.more for r in reports[:-1]) and not reports[-1].aborted
    assert sum(sum(r.synced.values()) for r in reports) == records
    assert world.qb_count("customer") == 6 and world.qb_count("invoice") == 6
    rows = world.store.queue.of_company("demo")
    assert {r.status for r in rows if r.direction is Direction.SF_TO_QB} == {QueueStatus.DONE}
