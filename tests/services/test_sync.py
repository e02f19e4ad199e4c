"""Run now: queued for the Web Connector's next session where QuickBooks pulls, a background
cycle where sfqb pushes, never two cycles of one company at once, and one asked for while one
runs queued to run after it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager

import pytest

from sfqb.jobs.job_queue import InProcessQueue
from sfqb.jobs.runner import CycleReport, Driver
from sfqb.jobs.salesforce_org import SalesforceOrg
from sfqb.services.sync import (
    RunDesk,
    RunFailed,
    RunInProgress,
    RunKind,
    RunRequested,
    pulls_work,
)
from sfqb.store import Store

from .conftest import T0, Clock


class FakeTarget:
    def __init__(self, pushes: bool) -> None:
        self.pushes = pushes

    @property
    def open_driver(self) -> Callable[[], AbstractContextManager[Driver]] | None:
        return self._never_opened if self.pushes else None

    def _never_opened(self) -> AbstractContextManager[Driver]:
        raise AssertionError("Run now hands the cycle to push_cycle, which opens the driver")


class FakeRunner:
    def __init__(self, backend: FakeBackend) -> None:
        self.backend = backend

    def preflight(self, company: str) -> CycleReport | None:
        return CycleReport(company, 0, held=self.backend.held) if self.backend.held else None

    def gather(self, company: str, flows: Sequence[str] | None = None) -> int:
        if self.backend.fail:
            raise RuntimeError(self.backend.fail + "\n  detail a person need not read")
        self.backend.gathered.append((company, flows))
        return 3


class FakeBackend:
    """The composition root's part a run needs, recording what it was asked."""

    def __init__(self, *, pushes: bool, held: str = "") -> None:
        self.pushes, self.held = pushes, held
        self.gathered: list[tuple[str, Sequence[str] | None]] = []
        self.pushed: list[str] = []
        self.fail = ""
        self.during: Callable[[], object] = lambda: None  # what happens while a cycle runs

    def target(self, company: str) -> FakeTarget:
        return FakeTarget(self.pushes)

    def runner(
        self, company: str, source: object = None, org: SalesforceOrg | None = None
    ) -> FakeRunner:
        return FakeRunner(self)

    def push_cycle(
        self, company: str, source: object = None, org: SalesforceOrg | None = None, *,
        flows: Sequence[str] | None = None, wrap: Callable[[Driver], Driver] | None = None,
    ) -> CycleReport:  # fmt: skip
        if self.fail:
            raise RuntimeError(self.fail)
        during, self.during = self.during, lambda: None
        during()
        self.pushed.append(company)
        return CycleReport(company, 1)


class Later:
    """Starts nothing: keeps the work for the test to run."""

    def __init__(self) -> None:
        self.work: list[Callable[[], None]] = []

    def __call__(self, work: Callable[[], None]) -> None:
        self.work.append(work)


def test_a_desktop_company_is_queued_for_the_web_connectors_next_session(
    db: Store, clock: Clock
) -> None:
    backend = FakeBackend(pushes=False)
    desk = RunDesk(backend, db, clock)
    assert pulls_work(backend, "acme")
    done = desk.request("acme", ["account_to_customer"])
    assert done.kind is RunKind.QUEUED
    assert "Web Connector's next session" in done.message
    assert done.read == 3 and backend.gathered == [("acme", ["account_to_customer"])]
    assert not desk.busy("acme")  # queued, not running: a second request is fine
    assert desk.request("acme").kind is RunKind.QUEUED


def test_a_held_company_says_why_nothing_was_queued(db: Store, clock: Clock) -> None:
    backend = FakeBackend(pushes=False, held="the Salesforce user lost the API permission")
    done = RunDesk(backend, db, clock).request("acme")
    assert done.kind is RunKind.HELD
    assert done.message == "Not queued: the Salesforce user lost the API permission"
    assert backend.gathered == []


def test_a_pushed_cycle_runs_in_the_background_one_at_a_time(db: Store, clock: Clock) -> None:
    backend, later = FakeBackend(pushes=True), Later()
    desk = RunDesk(backend, db, clock, start=later)
    started = desk.request("acme")
    assert started.kind is RunKind.STARTED and backend.pushed == []
    assert desk.busy("acme") and not desk.busy("beta")
    later.work.pop()()
    assert backend.pushed == ["acme"] and not desk.busy("acme")
    backend.fail = "company 'acme' is connected to QuickBooks Online: reconnect it"
    desk.request("acme")
    later.work.pop()()
    assert desk.failure("acme") == backend.fail and not desk.busy("acme")


def test_run_now_during_a_cycle_queues_one_cycle_after_it(db: Store, clock: Clock) -> None:
    backend, later = FakeBackend(pushes=True), Later()
    desk = RunDesk(backend, db, clock, start=later)
    answers: list[RunRequested] = []
    backend.during = lambda: answers.extend([desk.request("acme"), desk.request("acme")])
    assert desk.request("acme").kind is RunKind.STARTED
    later.work.pop()()  # the cycle runs; Run now is pressed twice meanwhile
    after, again = answers
    assert after.kind is RunKind.AFTER_CURRENT
    assert after.message == "Queued: a cycle of acme runs after the current cycle."
    assert again.kind is RunKind.AFTER_CURRENT  # at most one waits: this one adds nothing
    assert again.message == "A cycle of acme is already waiting to run; it covers this request."
    assert backend.pushed == ["acme"] and desk.busy("acme") and len(later.work) == 1
    later.work.pop()()  # the one waiting runs after the first has ended
    assert backend.pushed == ["acme", "acme"] and not desk.busy("acme") and not later.work


def test_a_cycle_the_journal_shows_running_refuses_another(db: Store, clock: Clock) -> None:
    db.journal.start_run("acme", ["account_to_customer"], at=T0)
    desk = RunDesk(FakeBackend(pushes=False), db, clock)
    assert desk.busy("acme")
    with pytest.raises(RunInProgress):
        desk.request("acme")


def test_a_run_that_cannot_start_says_why_in_one_line_and_leaves_nothing_busy(
    db: Store, clock: Clock
) -> None:
    backend = FakeBackend(pushes=False)
    backend.fail = "company 'acme' has no Salesforce connection"
    desk = RunDesk(backend, db, clock)
    with pytest.raises(RunFailed) as refused:
        desk.request("acme")
    assert str(refused.value) == "company 'acme' has no Salesforce connection"
    assert not desk.busy("acme")


def test_a_cycle_serve_runs_takes_run_now_after_it(db: Store, clock: Clock) -> None:
    backend, later = FakeBackend(pushes=True), Later()
    cycles = InProcessQueue(backend.push_cycle, start=later)  # sfqb serve's own queue
    desk = RunDesk(backend, db, clock, cycles=cycles)
    answers: list[object] = []
    backend.during = lambda: answers.extend([desk.busy("acme"), desk.request("acme").kind])
    assert cycles.defer_cycle("acme")  # the tick asks for a cycle of acme
    assert not cycles.defer_cycle("acme")  # a second tick adds nothing while it waits
    later.work.pop()()
    assert answers == [True, RunKind.AFTER_CURRENT]  # Run now pressed while it ran
    later.work.pop()()
    assert backend.pushed == ["acme", "acme"] and not desk.busy("acme")


def test_run_now_of_a_web_connector_company_is_refused_while_the_store_lock_is_held(
    db: Store, clock: Clock
) -> None:
    backend = FakeBackend(pushes=False)
    desk = RunDesk(backend, db, clock)
    assert db.cycle_lock.take("acme")  # a cycle beside a session, here or in another process
    with pytest.raises(RunInProgress):
        desk.request("acme")
    assert backend.gathered == []
    db.cycle_lock.release("acme")
    assert desk.request("acme").kind is RunKind.QUEUED
    assert not db.cycle_lock.held("acme")  # the read let it go


def test_a_pushed_cycle_holds_the_store_lock_while_it_runs(db: Store, clock: Clock) -> None:
    backend, later = FakeBackend(pushes=True), Later()
    desk = RunDesk(backend, db, clock, start=later)
    seen: list[bool] = []
    backend.during = lambda: seen.append(db.cycle_lock.held("acme"))
    desk.request("acme")
    later.work.pop()()
    assert seen == [True] and backend.pushed == ["acme"]
    assert not db.cycle_lock.held("acme")
