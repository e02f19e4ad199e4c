"""The overview of every company, one row each: the connector in words, last contact (with a
warning when it is older than the schedule expects), the last cycle and what it did, what needs
a person, open alerts, and whether a cycle is running now."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sfqb.codes.words import flow_text, status_label
from sfqb.jobs.health import HealthDesk
from sfqb.store import RunStatus, Store

# A run left unfinished for longer than this is a process that died, not a cycle running now.
RUNNING_AT_MOST = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Cause:
    """Why the connector is down, decoded through the catalog."""

    label: str  # "QuickBooks (connection) 0x80040408 Could not start QuickBooks"
    code: str
    message: str
    meaning: str
    fix: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Connector:
    """The connector's state: `health` is up, late, waiting or down; `words` says it."""

    health: str
    words: str
    since: datetime | None
    cause: Cause | None
    expected_minutes: int
    expected_from: str
    silent_minutes: int | None


@dataclass(frozen=True, slots=True)
class LastRun:
    """A company's newest cycle and what it did."""

    id: int
    status: str
    started_at: datetime
    finished_at: datetime | None
    did: str
    counts: dict[str, int]


@dataclass(frozen=True, slots=True)
class OpenAlert:
    """An alert still open."""

    kind: str
    subject: str
    raised_at: datetime


@dataclass(frozen=True, slots=True)
class CompanyOverview:
    """One row of the overview."""

    company: str
    connector: Connector
    last_contact: datetime | None
    contact_warning: str | None
    last_run: LastRun | None
    running: bool
    review_open: int
    open_failures: int
    alerts: tuple[OpenAlert, ...]


def span(minutes: int) -> str:
    """A number of minutes as a person reads it."""
    if minutes < 120:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes // (24 * 60)} days"


def _at(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _cause(data: Mapping[str, Any] | None) -> Cause | None:
    if not data:
        return None
    label = status_label(data["system"], data["code"], data["title"])
    return Cause(label, data["code"], data["message"], data["meaning"], tuple(data["fix"]))


def _connector(status: Mapping[str, Any]) -> tuple[Connector, str | None]:
    circuit, connector = status["circuit"], status["connector"]
    health, silent = connector["health"], connector["silent_minutes"]
    expected = f"expected at least every {span(connector['expected_minutes'])}"
    since, cause = _at(circuit["since"]), _cause(circuit["cause"])
    warning = None
    if health == "down":
        words = f"down since {since:%Y-%m-%d %H:%M} UTC" if since else "down"
        if cause is not None:
            words += f": {cause.label}"
        words += "; flows paused until the next successful contact"
    elif health == "waiting":
        words = "not heard from yet (no call from QuickBooks so far)"
    elif health == "late":
        words = "up, but QuickBooks has stopped calling"
        warning = (
            f"no contact for {span(silent or 0)} ({expected}, set by "
            f"{connector['expected_from']}): check that the Web Connector runs on the "
            "QuickBooks computer and QuickBooks is open"
        )
    else:
        words = f"up ({expected})"
    found = Connector(
        health, words, since, cause, connector["expected_minutes"],
        connector["expected_from"], silent,
    )  # fmt: skip
    return found, warning


def run_words(counts: Mapping[str, int], status: str) -> str:
    """What a cycle did, from its counts, in one line."""
    synced = [
        f"{n} {flow_text(key.split(':', 1)[1])}"
        for key, n in sorted(counts.items())
        if key.startswith("synced:") and n
    ]
    failed, retry = counts.get("state:failed", 0), counts.get("state:retry", 0)
    waiting = counts.get("state:waiting", 0)
    parts = [("synced " + ", ".join(synced)) if synced else "nothing synced"]
    parts += [f"{n} {what}" for n, what in ((failed, "failed"), (retry, "to retry"),
                                            (waiting, "waiting")) if n]  # fmt: skip
    if status == RunStatus.FAILED.value and not synced:
        parts = ["stopped before syncing (see the log)"]
    return "; ".join(parts)


def company_overview(
    store: Store,
    health: HealthDesk,
    company: str,
    *,
    now: datetime,
    busy: Callable[[str], bool] = lambda company: False,
) -> CompanyOverview:
    """One company's row; `busy` says whether this process runs a cycle for it right now."""
    status = health.status(company)
    connector, warning = _connector(status)
    last_run, running = None, busy(company)
    runs = store.journal.runs(company, limit=1)
    if runs:
        run = runs[0]
        last_run = LastRun(
            run.id, run.status.value, run.started_at, run.finished_at,
            run_words(run.counts, run.status.value) if run.finished_at else "running now",
            dict(run.counts),
        )  # fmt: skip
        running = running or (run.finished_at is None and now - run.started_at < RUNNING_AT_MOST)
    alerts = tuple(
        OpenAlert(a["kind"], a["subject"], datetime.fromisoformat(a["raised_at"]))
        for a in status["alerts_open"]
    )
    return CompanyOverview(
        company=company,
        connector=connector,
        last_contact=_at(status["last_contact"]),
        contact_warning=warning,
        last_run=last_run,
        running=running,
        review_open=status["review_open"],
        open_failures=status["open_failures"],
        alerts=alerts,
    )


def overview(
    store: Store,
    health: HealthDesk,
    companies: Iterable[str],
    *,
    now: datetime,
    busy: Callable[[str], bool] = lambda company: False,
) -> list[CompanyOverview]:
    """One row per company, in the order given."""
    return [company_overview(store, health, c, now=now, busy=busy) for c in companies]
