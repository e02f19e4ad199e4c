"""The workers' tick: which cycles are due, read from the run table (not a process's memory)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta

from sfqb.jobs.fleet import FleetTick, ScheduledCompanies
from sfqb.jobs.qb_checkpoint import sweep_due
from sfqb.store import RunKind, RunStatus, Store

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def _tick(
    db: Store,
    *,
    paused: set[str] = frozenset(),
    changes: Sequence[str] = (),
    sweep_at: time | None = None,
) -> FleetTick:
    pending = set(changes)
    checked: list[str] = []

    def take(company: str) -> list[str]:
        if company in pending:
            pending.discard(company)
            return ["a webhook change"]
        return []

    companies = ScheduledCompanies(
        companies=lambda: ["fresh", "recent", "old", "paused", "broken"],
        interval=lambda company: timedelta(minutes=15),
        paused=lambda company: company in paused,
        take_changes=take,
        check_expiry=lambda company, now: checked.append(company),
        sweep_at=lambda company: sweep_at,
    )

    def checks() -> None:
        raise RuntimeError("the health checks failed")  # logged; the cycles are still looked at

    return FleetTick(db, companies, checks)


def _ran(db: Store, company: str, minutes_ago: int, kind: RunKind = RunKind.CYCLE) -> None:
    at = NOW - timedelta(minutes=minutes_ago)
    run = db.journal.start_run(company, [], at=at, kind=kind)
    db.journal.finish_run(run.id, RunStatus.SUCCEEDED, {}, at=at)


def test_due_from_the_run_table_whoever_ran_it(db: Store) -> None:
    _ran(db, "recent", 5)
    _ran(db, "old", 20)
    _ran(db, "paused", 60)
    _ran(db, "broken", 5)
    tick = _tick(db, paused={"paused"})
    assert tick(NOW) == ["fresh", "old"]
    _ran(db, "fresh", 0)  # another worker ran it since
    assert tick(NOW) == ["old"]


def test_pending_webhook_changes_make_a_company_due_once(db: Store) -> None:
    _ran(db, "recent", 1)
    _ran(db, "old", 1)
    _ran(db, "fresh", 1)
    _ran(db, "broken", 1)
    _ran(db, "paused", 1)
    tick = _tick(db, changes=["recent"])
    assert tick(NOW) == ["recent"]
    assert tick(NOW) == []


def test_one_company_failing_keeps_none_waiting(db: Store) -> None:
    tick = _tick(db)
    companies = tick.companies

    def interval(company: str) -> timedelta:
        if company == "broken":
            raise RuntimeError("its policy cannot be read")
        return timedelta(minutes=15)

    _ran(db, "broken", 30)
    _ran(db, "old", 30)
    broken = FleetTick(
        db,
        ScheduledCompanies(
            companies.companies, interval, companies.paused,
            companies.take_changes, companies.check_expiry,
        ),
        tick.checks,
    )  # fmt: skip
    assert broken(NOW) == ["fresh", "recent", "old", "paused"]  # none of them ran yet but old


def test_each_tick_runs_one_round_of_health_checks(db: Store) -> None:
    rounds: list[int] = []
    tick = FleetTick(db, _tick(db).companies, lambda: rounds.append(1))
    tick(NOW)
    tick(NOW)
    assert rounds == [1, 1]  # with workers this is the only place they run (serve runs none)


def test_the_nightly_sweep_is_due_once_a_day_from_its_time_on(db: Store) -> None:
    for company in ("fresh", "recent", "old", "paused", "broken"):
        _ran(db, company, 60 * 24 * 3)  # their first runs, three days ago
    for company in ("fresh", "recent", "old", "paused", "broken"):
        _ran(db, company, 1)  # and a cycle a minute ago: no interval is due
    tick = _tick(db, sweep_at=time(11, 30), paused={"paused"})  # NOW is 12:00 UTC
    assert tick(NOW) == ["fresh", "recent", "old", "broken"]  # none swept since 11:30 today
    _ran(db, "recent", 0, RunKind.CDC_SWEEP)  # the cycle that ran then was the sweep
    _ran(db, "old", 60, RunKind.CDC_SWEEP)  # 11:00, before today's time: not today's sweep
    assert tick(NOW) == ["fresh", "old", "broken"]
    for company in ("fresh", "old", "broken"):
        _ran(db, company, 0, RunKind.CDC_SWEEP)
    assert tick(NOW) == []  # once a day, not twice
    at = time(11, 30)
    assert not sweep_due(db, "fresh", NOW + timedelta(hours=23), at)  # 11:00 the next day
    assert sweep_due(db, "fresh", NOW + timedelta(hours=23, minutes=31), at)  # 11:31


def test_a_company_never_swept_waits_for_the_next_sweep_time(db: Store) -> None:
    for company in ("fresh", "recent", "old", "paused", "broken"):
        _ran(db, company, 5)  # first runs at 11:55
    tick = _tick(db, sweep_at=time(11, 30))
    assert tick(NOW) == []  # 11:30 came round before their first run
    assert sweep_due(db, "fresh", NOW + timedelta(days=1), time(11, 30))
