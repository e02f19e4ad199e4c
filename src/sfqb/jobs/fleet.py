"""The tick: which companies' cycles are due, read from the store.

One tick decides for every process that runs cycles: `sfqb worker` processes (procrastinate
runs each period's tick on whichever worker takes it) and `sfqb serve` on SQLite (its own
loop, `sfqb.jobs.embedded`). A company sfqb pushes to (QuickBooks Online) is due when:

* the run table's newest run of it started an interval (`sync_every_minutes`) ago, or it has
  none - a cycle reads QuickBooks' changes since its checkpoint whether or not a webhook
  came, since notifications can be missed or arrive out of order;
* webhook changes for it are pending: they are taken here, so one arriving later asks for the
  next cycle (the CDC read, not the notification, says what changed);
* its daily sweep is due (sfqb.jobs.qb_checkpoint): the cycle that runs then reads the whole
  Change Data Capture window.

A paused company (its connection lost) is skipped until it is reconnected. The refresh
token's remaining life and the health checks (silence, connector down, no successful cycle)
are looked at every tick.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sfqb.jobs.qb_checkpoint import sweep_due
from sfqb.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ScheduledCompanies:
    """What the tick asks about the companies sfqb pushes to (wired in sfqb.cli.qbo)."""

    companies: Callable[[], Iterable[str]]  # the companies sfqb pushes to, every tick
    interval: Callable[[str], timedelta]  # the company's interval between cycles
    paused: Callable[[str], bool]  # True while the company's connection is lost
    take_changes: Callable[[str], Sequence[object]]  # its pending webhook changes, taken
    check_expiry: Callable[[str, datetime], object]  # warn ahead of the refresh token's end
    sweep_at: Callable[[str], time | None] = lambda company: None  # its daily sweep (UTC)


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


@dataclass(frozen=True, slots=True)
class FleetTick:
    """One look at every company: the workers' periodic job, `sfqb serve`'s loop."""

    store: Store
    companies: ScheduledCompanies
    checks: Callable[[], object]  # one round of health checks over every company

    def __call__(self, now: datetime) -> list[str]:
        """The companies whose cycle is due now (the caller defers them); runs the checks."""
        try:
            self.checks()
        except Exception:  # the cycles are still looked at
            log.exception("the health checks failed")
        return each_company(self.companies.companies(), lambda company: self._due(company, now))

    def _due(self, company: str, now: datetime) -> bool:
        of = self.companies
        if of.paused(company):
            return False
        of.check_expiry(company, now)
        changes = of.take_changes(company)  # a deferred cycle covers them (or one waiting does)
        runs = self.store.journal.runs(company, limit=1)
        if not runs or changes:
            return True
        at = of.sweep_at(company)
        if at is not None and sweep_due(self.store, company, now, at):
            return True
        return now - runs[0].started_at >= of.interval(company)
