"""When sfqb runs the cycles of the companies it pushes to (QuickBooks Online).

No Web Connector calls in for such a company, so sfqb decides. A company's cycle starts when:

* its interval (`sync_every_minutes`) has passed since its last cycle started - a scheduled
  CDC sweep (each cycle reads QuickBooks' changes since its checkpoint), run whether or not a
  webhook came, since notifications can be missed or arrive out of order;
* webhook changes for it are pending: they are taken before the cycle starts, so one arriving
  during the cycle asks for the next one (the CDC read, not the notification, says what
  changed, so a change taken by a cycle that then fails is read again by the next sweep);
* it was paused (its connection lost) and has been reconnected; or this scheduler has not run
  it yet (a sweep when `sfqb serve` starts).

A paused company is skipped until it is reconnected. The refresh token's remaining life is
checked once a day per company. Within one process a company never has two cycles at once:
one still running is not started again. Two processes serving the same store each schedule
on their own; sharing a company between processes (a lease per company) is left to issue 16.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

log = logging.getLogger(__name__)

Submit = Callable[[Callable[[], None]], object]
"""Runs a cycle: inline by default; `sfqb serve` hands it to a thread pool."""


@dataclass(frozen=True, slots=True)
class ScheduledCompanies:
    """What the scheduler asks about the companies it runs (wired by `sfqb serve`)."""

    companies: Callable[[], Iterable[str]]  # the companies sfqb pushes to, every tick
    run_cycle: Callable[[str], object]  # one cycle of one company (the path `sfqb sync` takes)
    interval: Callable[[str], timedelta]  # the company's sweep interval
    paused: Callable[[str], bool]  # True while the company's connection is lost
    take_changes: Callable[[str], Sequence[object]]  # its pending webhook changes, taken
    check_expiry: Callable[[str, datetime], object]  # warn ahead of the refresh token's end


def each_company(companies: Iterable[str], due: Callable[[str], bool]) -> list[str]:
    """The companies `due` answers True for, in order; one company's exception is logged and
    keeps none of the others waiting."""
    chosen: list[str] = []
    for company in companies:
        try:
            if due(company):
                chosen.append(company)
        except Exception:
            log.exception("scheduling %s failed", company)
    return chosen


def _inline(work: Callable[[], None]) -> None:
    work()


class CycleScheduler:
    """Starts each company's cycle when it is due; `tick` is one look, `run` the loop."""

    def __init__(
        self,
        companies: ScheduledCompanies,
        clock: Callable[[], datetime],
        *,
        submit: Submit = _inline,
        expiry_every: timedelta = timedelta(days=1),
    ) -> None:
        self._of = companies
        self._clock = clock
        self._submit = submit
        self._expiry_every = expiry_every
        self._lock = threading.Lock()
        self._running: set[str] = set()
        self._started: dict[str, datetime] = {}
        self._expiry_checked: dict[str, datetime] = {}
        self._paused: set[str] = set()
        self._wake = threading.Event()

    def running(self) -> frozenset[str]:
        """The companies whose cycle is running now."""
        with self._lock:
            return frozenset(self._running)

    def notify(self) -> None:
        """Webhook changes were stored: look again now instead of at the next poll."""
        self._wake.set()

    def tick(self) -> list[str]:
        """Start every cycle that is due now; returns the companies started, in order."""
        now = self._clock()
        return each_company(self._of.companies(), lambda company: self._start_if_due(company, now))

    def run(self, stop: threading.Event, poll_seconds: float) -> None:
        """Tick until `stop` is set: every `poll_seconds`, and at once when notified."""
        while not stop.is_set():
            self.tick()
            self._wake.wait(poll_seconds)
            self._wake.clear()

    def _start_if_due(self, company: str, now: datetime) -> bool:
        if self._of.paused(company):
            self._paused.add(company)
            return False
        self._check_expiry(company, now)
        with self._lock:
            if company in self._running:
                return False  # its pending changes stay pending: the next cycle takes them
        if not self._due(company, now):
            return False
        with self._lock:
            self._running.add(company)
            self._started[company] = now
        self._paused.discard(company)
        try:
            self._submit(lambda: self._cycle(company))
        except Exception:
            self._finished(company)
            raise
        return True

    def _due(self, company: str, now: datetime) -> bool:
        changes = self._of.take_changes(company)  # taken either way: this cycle covers them
        last = self._started.get(company)
        if last is None or company in self._paused:
            return True
        return bool(changes) or now - last >= self._of.interval(company)

    def _check_expiry(self, company: str, now: datetime) -> None:
        last = self._expiry_checked.get(company)
        if last is not None and now - last < self._expiry_every:
            return
        self._expiry_checked[company] = now
        self._of.check_expiry(company, now)

    def _cycle(self, company: str) -> None:
        try:
            self._of.run_cycle(company)
        except Exception:  # logged; the next interval (or webhook) tries again
            log.exception("the scheduled cycle of %s failed", company)
        finally:
            self._finished(company)

    def _finished(self, company: str) -> None:
        with self._lock:
            self._running.discard(company)
        self._wake.set()  # changes that came during the cycle are looked at now
