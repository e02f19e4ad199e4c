"""The whole product on loopback: Salesforce and QuickBooks sandboxes, sfqb's Web Connector
endpoint, and the Web Connector stand-in calling it until every record has gone across.

`run_demo` is what `sfqb demo` (and so `make demo`) runs; the acceptance tests use it too.
"""

from __future__ import annotations

import random
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sfqb.codes import Catalog
from sfqb.connectors.qbd.profile import QBD_PROFILE
from sfqb.connectors.qbd.qbxml import SFQB_OWNER_ID
from sfqb.connectors.qbd.webconnector import SoapEndpoint, WebConnectorService, load_settings
from sfqb.connectors.salesforce import ExistingSession, SalesforceConnector
from sfqb.connectors.salesforce.records import CURRENCY_FIELDS
from sfqb.domain.contacts import PrimaryContactRule
from sfqb.domain.people import Role
from sfqb.domain.policy import CompanyPolicy, CreditMemoSettings, OrderTarget
from sfqb.jobs.alerts import AlertCenter
from sfqb.jobs.circuit import Circuit
from sfqb.jobs.gateway import SalesforceGateway
from sfqb.jobs.qbwc import CycleWorkSource
from sfqb.jobs.runner import CycleReport, SyncRunner
from sfqb.mapping import Mapper, load_flows
from sfqb.sandbox.demo_vendors import seed_vendors
from sfqb.sandbox.qbd import CompanyFile, SandboxSettings
from sfqb.sandbox.qbd.records import Record, data_ext_key
from sfqb.sandbox.qbd.webconnector_client import Outcome, RunResult, WebConnectorClient
from sfqb.sandbox.salesforce import SalesforceSandbox, SandboxConfig, seed
from sfqb.sandbox.salesforce.seed_family import seed_family
from sfqb.sandbox.salesforce.seed_money import DEMO_CREDIT_TYPE, seed_money
from sfqb.sandbox.salesforce.seed_orders import seed_orders
from sfqb.services.people import add_user
from sfqb.store import Store
from sfqb.web.app import WebServices, create_app
from sfqb.web.server import running_server

COMPANY = "demo"
LOGIN = ("demo", "demo")
DEMO_ANSWER_WITHIN = 20.0  # seconds a Web Connector call of the demo waits for its cycle
# The demo company's policy: Opportunities of the seeded credit type become credit memos.
DEMO_POLICY = CompanyPolicy(credit_memos=CreditMemoSettings(opportunity_type=DEMO_CREDIT_TYPE))
CONSOLE_LOGIN = ("demo", "demo")  # the console user every demo store has (admin, all companies)


@dataclass(frozen=True, slots=True)
class DemoOptions:
    """What to seed and how long to go on."""

    accounts: int | str = "demo"
    products: int | None = None
    opportunities: int | None = None
    orders: int = 0  # Salesforce Orders (plus one reduction order) seeded after the rest
    workdir: Path | None = None
    database_url: str | None = None
    max_sessions: int = 12
    seed: int = 7
    secret_key: str | None = None  # encrypts stored tokens (QuickBooks Online); else generated
    vendors: bool = False  # also seed suppliers (sandbox/demo_vendors.py); `sfqb demo` does
    family: bool = False  # also a parent account with two child accounts (jobs) and contacts


@dataclass(slots=True)
class DemoResult:
    """What the demo did, for the summary and for tests."""

    reports: list[CycleReport] = field(default_factory=list)
    sessions: list[RunResult] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    store_url: str = ""
    secret_key: str = ""  # the key the store's secrets are encrypted with, if it holds any


@dataclass(slots=True)
class DemoWorld:
    """The running parts, for callers that want to look inside (tests)."""

    salesforce: SalesforceSandbox
    quickbooks: CompanyFile
    store: Store
    endpoint: str
    circuit: Circuit | None = None


def salesforce_id_of(record: Record, field: str = "SalesforceID") -> str | None:
    """The Salesforce Id sfqb stored on a record: its visible custom field `field` (lists
    only: a transaction's are its customer's), else sfqb's private SalesforceID."""
    keys = [data_ext_key(SFQB_OWNER_ID, "SalesforceID")]
    if record.txn_number == 0:
        keys.insert(0, data_ext_key("0", field))
    for key in keys:
        value = record.data_ext.get(key)
        if value is not None:
            return str(value["DataExtValue"])
    return None


def quickbooks_markers(company: CompanyFile) -> Counter[str]:
    """How many QuickBooks records carry each Salesforce Id (a count above 1 is a duplicate).

    An Account's vendor carries its Id as its customer does: vendors are counted apart.
    """
    found: Counter[str] = Counter()
    for record in company.records(*_KINDS):
        value = salesforce_id_of(record)
        if value is not None:
            found[f"vendor:{value}" if record.kind == "Vendor" else value] += 1
    return found


_KINDS = (
    "Customer",
    "Vendor",
    "ItemService",
    "ItemNonInventory",
    "ItemInventory",
    "Invoice",
    "SalesReceipt",
    "Estimate",
    "CreditMemo",
    "SalesOrder",
)


@dataclass(frozen=True, slots=True)
class WorldSetup:
    """How a scenario wants the world built; the defaults are the plain demo's."""

    quickbooks: SandboxSettings = field(default_factory=SandboxSettings)
    policy: CompanyPolicy | None = None
    circuit: bool = False  # give the work source a connector circuit, as `sfqb serve` does
    seed_salesforce: bool = True


@contextmanager
def demo_world(
    options: DemoOptions,
    catalog: Catalog,
    clock: Callable[[], datetime],
    setup: WorldSetup | None = None,
) -> Iterator[tuple[DemoWorld, CycleWorkSource, list[CycleReport]]]:
    """Start everything on loopback; stop it all when the block ends.

    Every part shares `clock` (the Salesforce sandbox, the connector, the runner, QuickBooks).
    """
    setup = setup or WorldSetup()
    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="sfqb-demo-"))
    workdir.mkdir(parents=True, exist_ok=True)
    store = Store.from_url(options.database_url or f"sqlite:///{workdir / 'sfqb.sqlite'}")
    store.migrate()
    if store.company(COMPANY) is None:
        store.create_company(COMPANY, *LOGIN)
    add_console_user(store)
    quickbooks = CompanyFile(setup.quickbooks, clock, random.Random(options.seed))
    reports: list[CycleReport] = []
    circuit = (
        Circuit(store, AlertCenter(store, lambda _settings: [], clock), clock, catalog=catalog)
        if setup.circuit
        else None
    )
    with SalesforceSandbox(SandboxConfig(tls_dir=workdir / "tls", clock=clock)) as salesforce:
        if setup.seed_salesforce:
            seeded = seed(
                salesforce.org,
                options.accounts,
                random.Random(options.seed),
                products=options.products,
                opportunities=options.opportunities,
            )
            if options.vendors:
                seed_vendors(salesforce.org, seeded)
            if options.family:
                seed_family(salesforce.org)
            seed_orders(salesforce.org, options.orders, random.Random(options.seed))
        runner = SyncRunner(
            store,
            salesforce_gateway(salesforce, catalog, clock, setup.policy),
            Mapper(load_flows(), setup.policy),
            catalog,
            clock=clock,
            rng=random.Random(options.seed),
            profile=QBD_PROFILE,
            policy=setup.policy,
        )
        source = CycleWorkSource(
            lambda company: runner, catalog, on_report=reports.append, circuit=circuit
        )
        # The demo's Web Connector waits for the cycle (well under its 30 s call timeout), so
        # its runs are reproducible; `sfqb serve` answers within a few seconds (defaults.yaml).
        settings = load_settings(answer_within=DEMO_ANSWER_WITHIN)
        service = WebConnectorService(store, source, catalog, clock, settings)
        app = create_app(WebServices(SoapEndpoint(service)))
        with running_server(app) as base:
            world = DemoWorld(salesforce, quickbooks, store, f"{base}/qbwc", circuit)
            yield world, source, reports
    store.engine.dispose()


def salesforce_gateway(
    salesforce: SalesforceSandbox,
    catalog: Catalog,
    clock: Callable[[], datetime],
    policy: CompanyPolicy | None,
) -> SalesforceGateway:
    """sfqb's Salesforce reads on the sandbox org, with the company's primary-contact rule
    (and the currency fields when the company has multiple currencies)."""
    policy = policy or CompanyPolicy()
    contacts = PrimaryContactRule.parse(policy.primary_contact)
    extra: dict[str, tuple[str, ...]] = {"Contact": tuple(contacts.contact_fields)}
    if policy.multicurrency:
        extra.update(CURRENCY_FIELDS)
    connector = SalesforceConnector(
        ExistingSession(salesforce.instance, salesforce.session_id),
        salesforce.requests_session(),
        catalog,
        clock=clock,
        extra_fields=extra,
    )
    return SalesforceGateway(connector, contacts)


def add_console_user(store: Store) -> None:
    """Give the demo's store its console user demo/demo (an admin of every company), unless it
    has one: `sfqb serve --database-url` on the store then opens the console on the demo."""
    name, password = CONSOLE_LOGIN
    if store.people.get(name) is None:
        # The demo's password is shorter than a person may choose: the demo sets it directly.
        add_user(store, name, password, Role.ADMIN, all_companies=True, min_length=0)


def run_demo(
    options: DemoOptions, catalog: Catalog, progress: Callable[[str], None] = lambda line: None
) -> DemoResult:
    """Seed, then run Web Connector sessions until a cycle has nothing left to write."""
    clock = lambda: datetime.now(UTC)  # noqa: E731 - the demo runs on real time
    result = DemoResult()
    # The Desktop sandbox is Enterprise with sales orders on: the demo's orders become them.
    policy = (
        replace(DEMO_POLICY, order_target=OrderTarget.SALES_ORDER)
        if options.orders
        else DEMO_POLICY
    )
    setup = WorldSetup(policy=policy)
    with demo_world(options, catalog, clock, setup) as (world, _source, reports):
        result.store_url = str(world.store.engine.url)
        seeded = seed_money(world.salesforce.org)
        client = WebConnectorClient(f"{world.endpoint}?wsdl", world.quickbooks)
        for number in range(1, options.max_sessions + 1):
            session = client.run(*LOGIN)
            result.sessions.append(session)
            report = reports[-1] if reports else None
            progress(_describe(number, session, report))
            if session.outcome is not Outcome.DONE or report is None:
                break
            if not report.wrote_anything and not due_count(world.store):
                break
        result.reports = list(reports)
        result.summary = summarize(world, reports)
        result.summary["seeded"] = seeded.counts()
    return result


def due_count(store: Store) -> int:
    """How many of the demo company's records are still due (pending or waiting)."""
    return sum(
        n
        for status, n in store.queue.count_by_status(COMPANY).items()
        if status.value in ("pending", "waiting")
    )


def _describe(number: int, session: RunResult, report: CycleReport | None) -> str:
    rounds = len(session.exchanges)
    line = f"session {number}: {session.outcome.value}, {rounds} round trips"
    if report is not None:
        synced = ", ".join(f"{flow} {n}" for flow, n in sorted(report.synced.items())) or "nothing"
        line += f"; synced {synced}; {report.sf_writes} Salesforce writes"
    return line


def summarize(world: DemoWorld, reports: list[CycleReport]) -> dict[str, Any]:
    """The demo's JSON summary."""
    synced: Counter[str] = Counter()
    for report in reports:
        synced.update(report.synced)
    log = world.store.journal.log(COMPANY, limit=1_000_000)
    markers = quickbooks_markers(world.quickbooks)
    return {
        "synced": dict(sorted(synced.items())),
        "attempts_by_code": dict(sorted(world.store.journal.attempts_by_code(COMPANY).items())),
        "open_failures": world.store.journal.count_open_failures(COMPANY),
        "undecoded": sum(1 for row in log if not row.known),
        "duplicates": sum(1 for n in markers.values() if n > 1),
        "cycles": len(reports),
        "round_trips": sum(r.qb_batches for r in reports),
        "quickbooks": {
            "customers": len(world.quickbooks.customers()),
            "vendors": len(world.quickbooks.vendors()),
            "jobs": sum(1 for c in world.quickbooks.customers() if c.ref_id("ParentRef")),
            "with_contact": sum(
                1 for c in world.quickbooks.customers() if c.text("LastName") or c.text("Email")
            ),
            "items": len(world.quickbooks.items()),
            "invoices": len(world.quickbooks.invoices()),
            "credit_memos": len(world.quickbooks.records("CreditMemo")),
            "sales_orders": len(world.quickbooks.records("SalesOrder")),
        },
    }
