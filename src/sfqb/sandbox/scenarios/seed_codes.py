"""The seed-codes scenario: the seven situations of the seed article, staged and run.

The Salesforce and QuickBooks sandboxes are seeded so each situation happens; Web Connector
sessions (through the stand-in, as `run_demo` does) then run until quiet, and the QuickBooks
user's everyday actions (closing a window, turning a preference on, granting a right) happen
between sessions, as they would in an office, so sfqb's automatic remedies can be seen.

Time is a shared scenario clock that moves an hour between sessions, so backoff retries are
due at the next session instead of after a real wait.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from lxml import etree

from sfqb.codes import Catalog
from sfqb.domain.entities import SfObject, SfRef
from sfqb.domain.policy import CompanyPolicy, OnDeleted
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
from sfqb.sandbox.qbd import CompanyFile, SandboxSettings
from sfqb.sandbox.qbd.webconnector_client import Outcome, RunResult, WebConnectorClient
from sfqb.sandbox.salesforce.org import Org
from sfqb.sandbox.scenarios.summary import code_summary, situation_rows
from sfqb.store import ReviewStatus

STALLED = 3  # sessions in a row that change nothing while records are still due
SESSION_GAP = timedelta(hours=1)  # longer than the policy's backoff cap: retries are due
POLICY = CompanyPolicy(on_deleted=OnDeleted.RECREATE, backoff_cap_seconds=1800)

# role: (account name, phone); the roles name the situation each account stages.
ACCOUNTS: dict[str, tuple[str, str]] = {
    "3100-same": ("Harbor Lights Cafe", "(512) 555-0101"),
    "3100-other": ("Northwind Traders", "(512) 555-0102"),
    "3120": ("Delete Me Deli", "(512) 555-0103"),
    "3140": ("Gone Parent Garage", "(512) 555-0104"),
    "3170": ("Locked Ledger LLC", "(512) 555-0105"),
    "3200": ("Stale Sequence Supply", "(512) 555-0106"),
    "plain": ("Contoso Outfitters", "(512) 555-0107"),
}
PRODUCTS = (("Widget, Standard", "WID-STD", 25.0), ("Installation: On-site", "SVC-INST", 150.0))


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


@dataclass(slots=True)
class _Stage:
    """The staged records: Salesforce Ids and QuickBooks ListIDs by role."""

    accounts: dict[str, str] = field(default_factory=dict)
    customers: dict[str, str] = field(default_factory=dict)
    acted: set[str] = field(default_factory=set)


def run_scenario(
    name: str,
    options: DemoOptions,
    catalog: Catalog,
    progress: Callable[[str], None] = lambda line: None,
) -> ScenarioResult:
    """Run the scenario called `name`; UnknownScenario names the known ones."""
    runner = SCENARIOS.get(name)
    if runner is None:
        raise UnknownScenario(f"unknown scenario {name!r}; scenarios: {', '.join(SCENARIOS)}")
    return runner(options, catalog, progress)


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
        stage = _Stage()
        say = _narrator(result, progress)
        _stage_first_pass(world, stage, say)

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
        _stage_second_pass(world, stage, say)
        idle = 0
        for _ in range(options.max_sessions):
            report = session()
            acted = _user_reacts(world, stage, say)
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
        result.summary = _summary(world, reports)
        result.summary["quiet"] = result.quiet
        result.summary["sessions"] = len(result.sessions)
        result.summary["user_actions"] = list(result.actions)
    return result


def _narrator(result: ScenarioResult, progress: Callable[[str], None]) -> Callable[[str], None]:
    def say(line: str) -> None:
        result.actions.append(line)
        progress(f"  > {line}")

    return say


# -- staging --------------------------------------------------------------------------------


def _stage_first_pass(world: DemoWorld, stage: _Stage, say: Callable[[str], None]) -> None:
    org, qb = world.salesforce.org, world.quickbooks
    for role, (name, phone) in ACCOUNTS.items():
        stage.accounts[role] = org.create(
            "Account", {"Name": name, "Phone": phone, "BillingCity": "Austin"}
        )
    same = qb.add_as_user("Customer", ACCOUNTS["3100-same"][0], Phone=ACCOUNTS["3100-same"][1])
    other = qb.add_as_user(
        "Customer", ACCOUNTS["3100-other"][0], Phone="(737) 555-0199", Email="ap@northwind.example"
    )
    stage.customers["3100-same"], stage.customers["3100-other"] = same.id, other.id
    say("a QuickBooks user had already typed in 'Harbor Lights Cafe' (same phone) and "
        "'Northwind Traders' (another phone and e-mail)")  # fmt: skip
    qb.faults.connector_down_next(1)
    say("QuickBooks cannot be started for the next Web Connector session (0x80040408)")


def _stage_second_pass(world: DemoWorld, stage: _Stage, say: Callable[[str], None]) -> None:
    org, qb, store = world.salesforce.org, world.quickbooks, world.store
    for role in ("3120", "3140", "3170", "3200"):
        binding = store.bindings.by_sf(COMPANY, SfRef(SfObject.ACCOUNT, stage.accounts[role]))
        if binding is None:
            raise RuntimeError(f"the first pass did not bind the {role} account")
        stage.customers[role] = binding.qb.id
    for role in ("3120", "3140"):
        qb.delete_as_user(stage.customers[role])
    say("a QuickBooks user deleted 'Delete Me Deli' and 'Gone Parent Garage'")
    qb.open_record_by_user(stage.customers["3170"])
    say("a QuickBooks user opened 'Locked Ledger LLC' for editing and left the window open")
    qb.faults.before("CustomerMod", _edits_between(qb, stage.customers["3200"], say))
    qb.configure(inventory=False, denied={"Invoice": ["Add"]})
    qb.faults.before("ItemServiceAdd", _needs_inventory(qb))
    say("inventory is off in QuickBooks, and the integration user may not add invoices")
    for role, phone in (("3120", "(512) 555-0203"), ("3170", "(512) 555-0205"),
                        ("3200", "(512) 555-0206")):  # fmt: skip
        org.update("Account", stage.accounts[role], {"Phone": phone})
    entries = [_product(org, *spec) for spec in PRODUCTS]
    for role in ("3140", "plain", "3100-same"):
        _deal(org, stage.accounts[role], entries)
    say("in Salesforce: three accounts' phones changed; two products and three Closed Won "
        "deals added (one for 'Gone Parent Garage')")  # fmt: skip


def _edits_between(
    qb: CompanyFile, list_id: str, say: Callable[[str], None]
) -> Callable[[etree._Element], int | None]:
    """A QuickBooks user saves the customer just before sfqb's update of it arrives (once)."""

    def hook(request: etree._Element) -> int | None:
        if request.findtext("CustomerMod/ListID") == list_id:
            qb.faults.remove_hook("CustomerMod", hook)
            qb.modify_as_user(list_id, Notes="Called about the March order")
            say("a QuickBooks user saved a note on 'Stale Sequence Supply' just before sfqb's "
                "update arrived")  # fmt: skip
        return None

    return hook


def _needs_inventory(qb: CompanyFile) -> Callable[[etree._Element], int | None]:
    """Products mapped to inventory items need the inventory preference (see the data file)."""
    return lambda _request: None if qb.settings.inventory else 3250


def _product(org: Org, name: str, code: str, price: float) -> str:
    product = org.create(
        "Product2", {"Name": name, "ProductCode": code, "Family": "Hardware", "IsActive": True}
    )
    return org.create(
        "PricebookEntry",
        {"Pricebook2Id": org.standard_pricebook_id, "Product2Id": product, "UnitPrice": price,
         "IsActive": True},
    )  # fmt: skip


def _deal(org: Org, account: str, entries: list[str]) -> str:
    name = org.get("Account", account)["Name"]
    opp = org.create(
        "Opportunity",
        {"Name": f"{name} - March order", "AccountId": account, "StageName": "Closed Won",
         "CloseDate": org.now().date().isoformat(), "Pricebook2Id": org.standard_pricebook_id},
    )  # fmt: skip
    for n, entry in enumerate(entries, 1):
        org.create(
            "OpportunityLineItem",
            {"OpportunityId": opp, "PricebookEntryId": entry, "Quantity": float(n)},
        )
    return opp


# -- the QuickBooks user between sessions ---------------------------------------------------


def _user_reacts(world: DemoWorld, stage: _Stage, say: Callable[[str], None]) -> bool:
    """What the people at the company do after reading sfqb's messages; True when they acted."""
    qb, store = world.quickbooks, world.store
    acted = False
    if "3170" not in stage.acted and store.journal.log(COMPANY, code="3170", limit=1):
        qb.close_record_by_user(stage.customers["3170"])
        say("the QuickBooks user closed 'Locked Ledger LLC'")
        stage.acted.add("3170")
        acted = True
    blocks = {
        item.code
        for item in store.review.items(COMPANY, ReviewStatus.OPEN)
        if item.source_type == "company"
    }
    if "3250" in blocks and "3250" not in stage.acted:
        qb.configure(inventory=True)
        say("the QuickBooks Admin read sfqb's message and turned inventory on")
        stage.acted.add("3250")
        acted = True
    if "3260" in blocks and "3260" not in stage.acted:
        qb.configure(denied={})
        say("the QuickBooks Admin gave the integration user the right to add invoices")
        stage.acted.add("3260")
        acted = True
    return acted


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


def _summary(world: DemoWorld, reports: list[CycleReport]) -> dict[str, Any]:
    summary = summarize(world, reports)
    circuit = world.circuit.state(COMPANY) if world.circuit is not None else None
    codes = code_summary(world.store, COMPANY, circuit)
    summary["codes"] = codes
    summary["situations"] = situation_rows(world.store, COMPANY, codes)
    summary["policy"] = {"on_deleted": str(POLICY.on_deleted), "match_rule": str(POLICY.match_rule)}
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


SCENARIOS: dict[str, Callable[[DemoOptions, Catalog, Callable[[str], None]], ScenarioResult]] = {
    "seed-codes": run_seed_codes
}
