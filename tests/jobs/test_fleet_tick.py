"""The workers' tick: which cycles are due, read from the run table (not a process's memory)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sfqb.jobs.fleet import FleetTick
from sfqb.jobs.schedule import ScheduledCompanies
from sfqb.store import RunStatus, Store

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def _tick(db: Store, *, paused: set[str] = frozenset(), changes: Sequence[str] = ()) -> FleetTick:
    pending = set(changes)
    checked: list[str] = []

    def take(company: str) -> list[str]:
        if company in pending:
            pending.discard(company)
            return ["a webhook change"]
        return []

    companies = ScheduledCompanies(
        companies=lambda: ["fresh", "recent", "old", "paused", "broken"],
        run_cycle=lambda company: None,
        interval=lambda company: timedelta(minutes=15),
        paused=lambda company: company in paused,
        take_changes=take,
        check_expiry=lambda company, now: checked.append(company),
    )

    def checks() -> None:
        raise RuntimeError("the health checks failed")  # logged; the cycles are still looked at

    return FleetTick(db, companies, checks)


def _ran(db: Store, company: str, minutes_ago: int) -> None:
    run = db.journal.start_run(company, [], at=NOW - timedelta(minutes=minutes_ago))
    db.journal.finish_run(run.id, RunStatus.SUCCEEDED, {}, at=NOW - timedelta(minutes=minutes_ago))


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
            companies.companies, companies.run_cycle, interval, companies.paused,
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
