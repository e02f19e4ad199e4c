"""The seed-codes scenario: the seven situations of the seed article, staged and run.

The Salesforce and QuickBooks sandboxes are seeded so each situation happens (`staging`, and
`by_hand` for what people fix in the systems themselves: the article's fixes for 3100 and 3120,
a merge, inactive records); Web Connector sessions (through the stand-in, as `run_demo` does)
then run until quiet, and the people's everyday actions (closing a window, turning a preference
on, granting a right, pasting an Id into the SalesforceID field, clearing QuickBooks_ID__c)
happen between sessions, as they would in an office, so both sfqb's automatic remedies and the
by-hand path can be seen.

Time is a shared scenario clock that moves an hour between sessions, so backoff retries are
due at the next session instead of after a real wait.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.engine import make_url

from sfqb.codes import Catalog
from sfqb.domain.policy import CompanyPolicy, OnDeleted, OnInactive
from sfqb.jobs.runner import CycleReport
from sfqb.sandbox.demo import (
    COMPANY,
    LOGIN,
    DemoOptions,
    DemoWorld,
    WorldSetup,
    demo_world,
    summarize,
)
from sfqb.sandbox.qbd import SandboxSettings
from sfqb.sandbox.qbd.webconnector_client import Outcome, RunResult, WebConnectorClient
from sfqb.sandbox.scenarios.office import Office
from sfqb.sandbox.scenarios.staging import stage_first_pass, stage_second_pass, user_reacts
from sfqb.sandbox.scenarios.summary import (
    Staged,
    code_summary,
    situation_rows,
    situations_title,
)
from sfqb.store import ReviewStatus

STALLED = 3  # sessions in a row that change nothing while records are still due
SESSION_GAP = timedelta(hours=1)  # longer than the policy's backoff cap: retries are due
POLICY = CompanyPolicy(
    on_deleted=OnDeleted.RECREATE, on_inactive=OnInactive.REACTIVATE, backoff_cap_seconds=1800
)


class UnknownScenario(ValueError):
    """A scenario name `sfqb demo --scenario` does not know; one line."""


class ScenarioClock:
    """The clock every part of the scenario shares; each reading moves it on a little."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=250)
        return self.now

    def advance(self, delta: timedelta) -> None:
        """Let time pass between sessions."""
        self.now += delta


@dataclass(slots=True)
class ScenarioResult:
    """What the scenario did: sessions, cycle reports, the user's actions and the summary."""

    sessions: list[RunResult] = field(default_factory=list)
    reports: list[CycleReport] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    store_url: str = ""
    quiet: bool = False  # the last session wrote nothing and nothing was due
    world: DemoWorld | None = None  # the sandboxes as the scenario left them (for tests)
    office: Office | None = None  # the staged records by role, and the people who acted
    config_path: str = ""  # the SFQB_CONFIG file holding the scenario's policy
    secret_key: str = ""  # the key the store's secrets are encrypted with, if it holds any


def run_scenario(
    name: str,
    options: DemoOptions,
    catalog: Catalog,
    progress: Callable[[str], None] = lambda line: None,
    target: str = "qbd",
) -> ScenarioResult:
    """Run the scenario called `name` against `target` (qbd or qbo); UnknownScenario names
    the known ones."""
    runner = SCENARIOS.get(name)
    if runner is None:
        raise UnknownScenario(f"unknown scenario {name!r}; scenarios: {', '.join(SCENARIOS)}")
    if target == "qbo":
        from sfqb.sandbox.scenarios.qbo_seed_codes import run_seed_codes_qbo

        result = run_seed_codes_qbo(options, catalog, progress)
    else:
        result = runner(options, catalog, progress)
    result.config_path = save_policy(result.store_url)
    return result


def save_policy(store_url: str) -> str:
    """Write the scenario company's policy as an SFQB_CONFIG file beside its SQLite store, so
    `sfqb status` and `sfqb explain --company demo` on that store state the policy the day ran
    under; returns its path ("" for a store that is not a file)."""
    url = make_url(store_url)
    if not url.drivername.startswith("sqlite") or not url.database:
        return ""
    path = Path(url.database).parent / "sfqb-config.yaml"
    policy = {
        "on_deleted": str(POLICY.on_deleted),
        "on_inactive": str(POLICY.on_inactive),
        "backoff_cap_seconds": POLICY.backoff_cap_seconds,
    }
    header = "# The policy sfqb demo --scenario seed-codes ran company demo under.\n"
    body = yaml.safe_dump({"companies": {COMPANY: {"policy": policy}}}, sort_keys=False)
    path.write_text(header + body, encoding="utf-8")
    return str(path)


def run_seed_codes(
    options: DemoOptions,
    catalog: Catalog,
    progress: Callable[[str], None] = lambda line: None,
) -> ScenarioResult:
    """Stage the seven situations, run sessions until quiet, and summarise by code."""
    clock = ScenarioClock()
    setup = WorldSetup(quickbooks=SandboxSettings(), policy=POLICY, circuit=True,
                       seed_salesforce=False)  # fmt: skip
    result = ScenarioResult()
    with demo_world(options, catalog, clock, setup) as (world, _source, reports):
        result.store_url = str(world.store.engine.url)
        client = WebConnectorClient(f"{world.endpoint}?wsdl", world.quickbooks)
        result.office = office = Office(world, narrator(result, progress))
        result.world = world
        stage_first_pass(office)

        def session() -> CycleReport | None:
            clock.advance(SESSION_GAP)
            before = len(reports)
            run = client.run(*LOGIN)
            result.sessions.append(run)
            report = reports[-1] if len(reports) > before else None
            progress(_describe(len(result.sessions), run, report))
            return report

        session()  # the connector is down: connectionError, the circuit opens
        session()  # the next session closes it; the first pass binds the accounts
        office.since = clock.now
        stage_second_pass(office)
        idle = 0
        for _ in range(options.max_sessions):
            report = session()
            acted = user_reacts(office)
            last = result.sessions[-1]
            wrote = report is None or report.wrote_anything
            still = last.outcome is Outcome.DONE and not wrote and not acted
            idle = idle + 1 if still else 0
            if still and not _due(world, clock):
                result.quiet = True
                break
            if idle >= STALLED:
                progress(f"stopped: {STALLED} sessions in a row changed nothing, records still due")
                break
        result.reports = list(reports)
        result.summary = _summary(world, reports, office)
        result.summary["quiet"] = result.quiet
        result.summary["sessions"] = len(result.sessions)
        result.summary["user_actions"] = list(result.actions)
    return result


def narrator(result: ScenarioResult, progress: Callable[[str], None]) -> Callable[[str], None]:
    """What people do, told through `progress` and kept in `result.actions`."""

    def say(line: str) -> None:
        result.actions.append(line)
        progress(f"  > {line}")

    return say


def _due(world: DemoWorld, clock: ScenarioClock) -> int:
    return len(world.store.queue.due(COMPANY, clock.now + SESSION_GAP))


def _describe(number: int, session: RunResult, report: CycleReport | None) -> str:
    line = f"session {number}: {session.outcome.value}, {len(session.exchanges)} round trips"
    if report is not None and report.aborted:
        return f"{line}; cycle stopped ({report.aborted})"
    if report is not None:
        synced = ", ".join(f"{flow} {n}" for flow, n in sorted(report.synced.items())) or "nothing"
        states = ", ".join(f"{s} {n}" for s, n in sorted(report.states.items()) if s != "done")
        line += f"; synced {synced}" + (f"; {states}" if states else "")
    return line


def _summary(world: DemoWorld, reports: list[CycleReport], office: Office) -> dict[str, Any]:
    summary = summarize(world, reports)
    circuit = world.circuit.state(COMPANY) if world.circuit is not None else None
    codes = code_summary(world.store, COMPANY, circuit)
    summary["codes"] = codes
    staged = Staged(office.records, office.since, frozenset(office.acted))
    summary["situations"] = situation_rows(world.store, COMPANY, codes, staged)
    summary["situations_title"] = situations_title()
    summary["policy"] = policy_summary()
    summary["circuit"] = {
        "openings": circuit.openings if circuit else 0,
        "open": circuit.is_open if circuit else False,
    }
    summary["review"] = [
        {"flow": r.flow, "source": f"{r.source_type}:{r.source_id}", "code": r.code,
         "reason": r.reason, "candidates": len(r.candidates)}
        for r in world.store.review.items(COMPANY, ReviewStatus.OPEN)
    ]  # fmt: skip
    return summary


def policy_summary() -> dict[str, str]:
    """The scenario company's policy, as the summary shows it."""
    return {"on_deleted": str(POLICY.on_deleted), "on_inactive": str(POLICY.on_inactive),
            "match_rule": str(POLICY.match_rule)}  # fmt: skip


SCENARIOS: dict[str, Callable[[DemoOptions, Catalog, Callable[[str], None]], ScenarioResult]] = {
    "seed-codes": run_seed_codes
}
