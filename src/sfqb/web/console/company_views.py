"""What the overview and flows pages and their API share: the health desk, the overview rows,
and "Run now" (no routes here)."""

from __future__ import annotations

from collections.abc import Sequence

from sfqb.domain.policy import CompanyPolicy
from sfqb.jobs.alerts import AlertCenter, AlertChannels
from sfqb.jobs.circuit import Circuit
from sfqb.jobs.health import HealthDesk, policy_in_force, recorded_schedule
from sfqb.services.overview import CompanyOverview, overview
from sfqb.services.sync import RunFailed, RunInProgress, RunRequested
from sfqb.web.console import Console

RUN_NOT_SERVED = "Run now is not available from this server: it was started without sync."


class RunRefused(Exception):
    """Run now refused: a cycle is running, or it could not start; the message says why."""


def health_of(console: Console) -> HealthDesk:
    """The console's health desk (one over its store, with the default policy, when none)."""
    if console.health is not None:
        return console.health
    store, clock = console.store, console.clock
    alerts = AlertCenter(store, AlertChannels(), clock)
    circuit = Circuit(store, alerts, clock, catalog=console.catalog)
    return HealthDesk(
        store,
        circuit,
        lambda company: policy_in_force(CompanyPolicy(), (), recorded_schedule(store, company)),
        clock=clock,
    )


def busy(console: Console, company: str) -> bool:
    """True while a cycle of the company runs (as far as this server knows)."""
    return console.runs is not None and console.runs.busy(company)


def rows(console: Console, companies: Sequence[str]) -> list[CompanyOverview]:
    """The overview rows of `companies`."""
    return overview(
        console.store, health_of(console), companies, now=console.clock(),
        busy=lambda company: busy(console, company),
    )  # fmt: skip


def run_now(console: Console, company: str) -> RunRequested:
    """Run now for the company; RunRefused with the reason when it cannot."""
    if console.runs is None:
        raise RunRefused(RUN_NOT_SERVED)
    try:
        return console.runs.request(company)
    except (RunInProgress, RunFailed) as exc:
        raise RunRefused(
            str(exc) if isinstance(exc, RunInProgress) else f"Not run: {exc}"
        ) from None


def last_failure(console: Console, company: str) -> str | None:
    """Why the last cycle started from here stopped before its run was logged."""
    return console.runs.failure(company) if console.runs is not None else None


def pulls_work(console: Console, company: str) -> bool | None:
    """True when Run now queues for the Web Connector, False when it runs a cycle here, None
    when this server cannot tell (no sync, or the company's QuickBooks is not usable)."""
    return console.runs.pulls_work(company) if console.runs is not None else None
