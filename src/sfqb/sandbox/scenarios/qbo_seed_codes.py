"""The seed-codes scenario on QuickBooks Online (`sfqb demo --target qbo --scenario seed-codes`).

The same frame as the QuickBooks Desktop scenario (`seed_codes`): staged situations, sfqb
pushing cycles on a shared scenario clock that moves an hour between them, people reacting
between cycles, and a summary with the same keys, its situations read from
data/seed_codes_qbo.yaml.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sfqb.codes import Catalog
from sfqb.jobs.runner import CycleReport
from sfqb.sandbox.demo import COMPANY, DemoOptions
from sfqb.sandbox.qbo import QboConfig
from sfqb.sandbox.qbo_demo import QboWorld, connect, qbo_summary, qbo_world
from sfqb.sandbox.scenarios import qbo_staging
from sfqb.sandbox.scenarios.office import Office
from sfqb.sandbox.scenarios.seed_codes import (
    POLICY,
    SESSION_GAP,
    STALLED,
    ScenarioClock,
    ScenarioResult,
    narrator,
    policy_summary,
)
from sfqb.sandbox.scenarios.summary import (
    Staged,
    code_summary,
    situation_rows,
    situations_title,
)
from sfqb.store import ReviewStatus

DATA = "seed_codes_qbo.yaml"
_BOUND = ("Customer", "Item", "Invoice", "SalesReceipt", "Estimate")


def run_seed_codes_qbo(
    options: DemoOptions,
    catalog: Catalog,
    progress: Callable[[str], None] = lambda line: None,
) -> ScenarioResult:
    """Stage the QuickBooks Online situations, push cycles until quiet, summarise by code."""
    clock = ScenarioClock()
    result = ScenarioResult()
    with qbo_world(options, catalog, clock, policy=POLICY, quickbooks=QboConfig(clock=clock),
                   seed_salesforce=False) as world:  # fmt: skip
        result.store_url, result.secret_key = str(world.store.engine.url), world.secret_key
        result.office = office = Office(world, narrator(result, progress))

        def cycle() -> CycleReport:
            clock.advance(SESSION_GAP)
            report = world.cycle()
            progress(_describe(len(world.reports), report))
            return report

        def reconnect() -> None:
            connect(world.connections, world.quickbooks, COMPANY)

        qbo_staging.stage_first_pass(office)
        cycle()  # QuickBooks Online is out of reach: the circuit opens
        qbo_staging.react(office, reconnect)
        cycle()  # the next cycle closes it; the first pass binds the accounts
        office.since = clock.now
        qbo_staging.stage_second_pass(office)
        idle = 0
        for _ in range(options.max_sessions):
            report = cycle()
            acted = qbo_staging.react(office, reconnect)
            still = not report.aborted and not report.wrote_anything and not acted
            idle = idle + 1 if still else 0
            if still and not world.store.queue.due(COMPANY, clock.now + SESSION_GAP):
                result.quiet = True
                break
            if idle >= STALLED:
                progress(f"stopped: {STALLED} cycles in a row changed nothing, records still due")
                break
        result.reports = list(world.reports)
        result.summary = _summary(world, office)
        result.summary.update(quiet=result.quiet, sessions=len(world.reports),
                              user_actions=list(result.actions))  # fmt: skip
    return result


def _describe(number: int, report: CycleReport) -> str:
    line = f"cycle {number}: {report.qb_batches} QuickBooks Online requests"
    if report.aborted:
        return f"{line}; cycle stopped ({report.aborted})"
    synced = ", ".join(f"{flow} {n}" for flow, n in sorted(report.synced.items())) or "nothing"
    states = ", ".join(f"{s} {n}" for s, n in sorted(report.states.items()) if s != "done")
    return f"{line}; synced {synced}" + (f"; {states}" if states else "")


def _summary(world: QboWorld, office: Office) -> dict[str, Any]:
    summary = qbo_summary(world)
    # What people typed in is theirs, not a duplicate sfqb made: a duplicate is a record of a
    # bound kind that neither a binding nor a person's staging names.
    bound = {b.qb.id for b in world.store.bindings.for_company(COMPANY)}
    people = set(office.customers.values())
    summary["duplicates"] = sum(
        1
        for kind in _BOUND
        for record in world.quickbooks.records(kind)
        if str(record["Id"]) not in bound and not (kind == "Customer" and record["Id"] in people)
    )
    circuit = world.store.circuits.get(COMPANY)
    codes = code_summary(world.store, COMPANY, circuit)
    staged = Staged(office.records, office.since, frozenset())
    summary["situations_title"] = situations_title(DATA)
    summary["codes"] = codes
    summary["situations"] = situation_rows(world.store, COMPANY, codes, staged, data=DATA)
    summary["policy"] = policy_summary()
    summary["circuit"] = {"openings": circuit.openings if circuit else 0,
                          "open": circuit.is_open if circuit else False}  # fmt: skip
    summary["review"] = [
        {"flow": r.flow, "source": f"{r.source_type}:{r.source_id}", "code": r.code,
         "reason": r.reason, "candidates": len(r.candidates)}
        for r in world.store.review.items(COMPANY, ReviewStatus.OPEN)
    ]  # fmt: skip
    return summary
