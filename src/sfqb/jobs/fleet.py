"""The tick of a fleet of `sfqb worker` processes: which cycles are due, read from the store.

`CycleScheduler` (sfqb.jobs.schedule) remembers when it started each cycle in its own memory,
which suits the one `sfqb serve` process of an SQLite deployment. Workers share nothing but
PostgreSQL, and procrastinate runs each period's tick on whichever worker takes it, so here a
company is due when the run table's newest run of it started an interval ago (or it has none),
or when webhook changes for it are pending. The health checks (silence, connector down, no
successful cycle; a QuickBooks Online refresh token near its end) run at every tick.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sfqb.jobs.schedule import ScheduledCompanies, each_company
from sfqb.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FleetTick:
    """One look at every company, as a periodic job of the worker fleet."""

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
        return now - runs[0].started_at >= of.interval(company)
