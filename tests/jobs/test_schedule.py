"""CycleScheduler: when the cycles of the companies sfqb pushes to (QuickBooks Online) run.

The clock is a list the test moves; cycles are either run inline or held (a fake pool) so a
test can look while one is "running". No sleeps.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from sfqb.jobs.schedule import CycleScheduler, ScheduledCompanies

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@dataclass
class Fake:
    """The companies' side: what ran, what is pending, who is paused."""

    names: list[str] = field(default_factory=lambda: ["acme", "bolt"])
    now: list[datetime] = field(default_factory=lambda: [T0])
    cycles: list[str] = field(default_factory=list)
    pending: dict[str, list[str]] = field(default_factory=dict)
    paused_ones: set[str] = field(default_factory=set)
    expiry_checks: list[tuple[str, datetime]] = field(default_factory=list)
    minutes: dict[str, int] = field(default_factory=dict)
    failing: set[str] = field(default_factory=set)
    held: list[Callable[[], None]] = field(default_factory=list)

    def run_cycle(self, company: str) -> None:
        self.cycles.append(company)
        if company in self.failing:
            raise RuntimeError("Salesforce is down")

    def take(self, company: str) -> Sequence[object]:
        return self.pending.pop(company, [])

    def ports(self) -> ScheduledCompanies:
        return ScheduledCompanies(
            companies=lambda: list(self.names),
            run_cycle=self.run_cycle,
            interval=lambda c: timedelta(minutes=self.minutes.get(c, 15)),
            paused=lambda c: c in self.paused_ones,
            take_changes=self.take,
            check_expiry=lambda c, now: self.expiry_checks.append((c, now)),
        )

    def scheduler(self, *, hold: bool = False) -> CycleScheduler:
        submit = self.held.append if hold else (lambda work: work())
        return CycleScheduler(self.ports(), lambda: self.now[0], submit=submit)

    def later(self, **delta: float) -> None:
        self.now[0] += timedelta(**delta)

    def finish_held(self) -> None:
        held, self.held[:] = list(self.held), []
        for work in held:
            work()


@pytest.fixture
def fake() -> Fake:
    return Fake()


def test_every_company_is_swept_at_the_start_then_on_its_interval(fake: Fake) -> None:
    fake.minutes["bolt"] = 60
    scheduler = fake.scheduler()
    assert scheduler.tick() == ["acme", "bolt"]
    fake.later(minutes=14, seconds=59)
    assert scheduler.tick() == []
    fake.later(seconds=1)
    assert scheduler.tick() == ["acme"]  # bolt sweeps hourly (its sync_every_minutes)
    fake.later(minutes=45)
    assert scheduler.tick() == ["acme", "bolt"]
    assert fake.cycles == ["acme", "bolt", "acme", "acme", "bolt"]


def test_the_cdc_sweep_runs_on_schedule_without_any_webhook(fake: Fake) -> None:
    # Webhooks can be missed: nothing pending, yet each interval brings a cycle (its CDC read).
    scheduler = fake.scheduler()
    for _ in range(4):
        scheduler.tick()
        fake.later(minutes=15)
    assert fake.cycles.count("acme") == 4


def test_pending_webhook_changes_bring_the_cycle_sooner_and_are_taken(fake: Fake) -> None:
    scheduler = fake.scheduler()
    scheduler.tick()
    fake.later(minutes=1)
    fake.pending["bolt"] = ["Customer 7 Update"]
    assert scheduler.tick() == ["bolt"]
    assert "bolt" not in fake.pending  # taken: the same notification asks only once
    fake.later(minutes=1)
    assert scheduler.tick() == []


def test_one_company_never_has_two_cycles_at_once(fake: Fake) -> None:
    scheduler = fake.scheduler(hold=True)
    assert scheduler.tick() == ["acme", "bolt"]
    assert scheduler.running() == {"acme", "bolt"}
    fake.later(minutes=30)  # due again, and a webhook came during the cycle
    fake.pending["acme"] = ["Customer 1 Update"]
    assert scheduler.tick() == []
    assert fake.pending["acme"] == ["Customer 1 Update"]  # left for the cycle after this one
    fake.finish_held()
    assert scheduler.running() == frozenset()
    assert scheduler.tick() == ["acme", "bolt"]
    assert "acme" not in fake.pending


def test_a_failed_cycle_frees_the_company_and_waits_for_its_next_turn(fake: Fake) -> None:
    fake.failing.add("acme")
    scheduler = fake.scheduler()
    assert scheduler.tick() == ["acme", "bolt"]  # acme's failure does not stop bolt
    assert scheduler.running() == frozenset()
    assert scheduler.tick() == []  # no hot loop on a failing company
    fake.later(minutes=15)
    assert scheduler.tick() == ["acme", "bolt"]


def test_a_paused_company_is_skipped_until_reconnected(fake: Fake) -> None:
    scheduler = fake.scheduler()
    scheduler.tick()
    fake.paused_ones.add("acme")
    fake.pending["acme"] = ["Customer 1 Update"]
    for _ in range(3):
        fake.later(minutes=20)
        assert scheduler.tick() == ["bolt"]
    assert fake.pending["acme"] == ["Customer 1 Update"]  # kept for when it is back
    fake.later(minutes=1)
    fake.paused_ones.clear()  # reconnected: swept at once, not at its next interval
    assert scheduler.tick() == ["acme"]


def test_the_refresh_token_is_checked_once_a_day_per_company(fake: Fake) -> None:
    scheduler = fake.scheduler()
    for _ in range(24 * 4):  # a day of ticks every quarter hour
        scheduler.tick()
        fake.later(minutes=15)
    scheduler.tick()
    checked = [c for c, _ in fake.expiry_checks]
    assert checked == ["acme", "bolt", "acme", "bolt"]
    assert fake.expiry_checks[2][1] - fake.expiry_checks[0][1] == timedelta(days=1)


def test_a_paused_company_is_not_checked_for_expiry(fake: Fake) -> None:
    fake.paused_ones.add("acme")
    fake.scheduler().tick()
    assert [c for c, _ in fake.expiry_checks] == ["bolt"]


def test_trouble_scheduling_one_company_does_not_stop_the_others(fake: Fake) -> None:
    def broken(company: str) -> bool:
        if company == "acme":
            raise RuntimeError("store unreachable")
        return False

    ports = fake.ports()
    scheduler = CycleScheduler(
        ScheduledCompanies(
            ports.companies, ports.run_cycle, ports.interval, broken, ports.take_changes,
            ports.check_expiry,
        ),
        lambda: fake.now[0],
    )  # fmt: skip
    assert scheduler.tick() == ["bolt"]


def test_a_company_connected_later_is_swept_at_its_first_look(fake: Fake) -> None:
    scheduler = fake.scheduler()
    scheduler.tick()
    fake.names.append("cobalt")
    fake.later(minutes=1)
    assert scheduler.tick() == ["cobalt"]


def test_run_ticks_until_stopped_and_notify_wakes_it(fake: Fake) -> None:
    stop = threading.Event()
    fake.names = ["acme"]
    seen = threading.Event()

    def cycle(company: str) -> None:
        fake.cycles.append(company)
        if len(fake.cycles) == 2:
            stop.set()
        seen.set()

    fake.run_cycle = cycle  # type: ignore[method-assign]
    scheduler = fake.scheduler()
    thread = threading.Thread(target=scheduler.run, args=(stop, 3600))
    thread.start()
    assert seen.wait(10)
    fake.pending["acme"] = ["Customer 1 Update"]
    scheduler.notify()  # without it the loop would wait an hour
    thread.join(10)
    assert not thread.is_alive() and fake.cycles == ["acme", "acme"]
