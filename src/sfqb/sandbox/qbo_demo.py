"""The whole product against QuickBooks Online, on loopback: the Salesforce and QuickBooks
Online sandboxes, a company connected through the sandbox's OAuth flow, and sfqb pushing cycles
until nothing is left to write.

`run_qbo_demo` is what `sfqb demo --target qbo` runs; tests and benchmarks build the same world
with `qbo_world`.
"""

from __future__ import annotations

import os
import random
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import httpx

from sfqb.codes import Catalog
from sfqb.connectors.qbo.api import Environment
from sfqb.connectors.qbo.limits import RealmLimiter, shared_limiter
from sfqb.connectors.qbo.oauth import OAuthApp
from sfqb.connectors.qbo.profile import QBO_PROFILE
from sfqb.domain.policy import CompanyPolicy
from sfqb.jobs.alerts import AlertCenter
from sfqb.jobs.circuit import Circuit
from sfqb.jobs.qbo_connection import QboConnections
from sfqb.jobs.qbo_webhooks import BadSignature, WebhookInbox
from sfqb.jobs.runner import CycleReport, Driver, RunnerSettings, SyncRunner
from sfqb.mapping import Mapper, load_flows
from sfqb.sandbox.demo import (
    COMPANY,
    DEMO_POLICY,
    LOGIN,
    DemoOptions,
    DemoResult,
    add_console_user,
    due_count,
    salesforce_gateway,
)
from sfqb.sandbox.demo_vendors import seed_vendors
from sfqb.sandbox.qbo import QboConfig, QboSandbox
from sfqb.sandbox.salesforce import SalesforceSandbox, SandboxConfig, seed
from sfqb.sandbox.salesforce.seed_family import seed_family
from sfqb.sandbox.salesforce.seed_money import seed_money
from sfqb.sandbox.salesforce.seed_orders import seed_orders
from sfqb.store import SecretBox, Store
from sfqb.store.secrets import ENV_VAR, generate_key

# Where the sandbox's OAuth endpoints live, and the redirect the demo app registers (the demo
# reads the redirect's address itself; nothing listens there).
_AUTHORIZE, _TOKEN = "/connect/oauth2", "/oauth2/v1/tokens/bearer"
_REDIRECT = "https://127.0.0.1/qbo/callback"
_VERIFIER = "sfqb-demo-verifier"
_INBOX_URL = "https://127.0.0.1/qbo/webhooks"  # read by `_delivering_to`, not over the network
_BOUND = ("Customer", "Vendor", "Item", "Invoice", "SalesReceipt", "Estimate", "CreditMemo")


@dataclass(slots=True)
class QboWorld:
    """The running parts of a QuickBooks Online world, for callers that look inside."""

    salesforce: SalesforceSandbox
    quickbooks: QboSandbox
    store: Store
    runner: SyncRunner
    connections: QboConnections
    policy: CompanyPolicy
    secret_key: str
    reports: list[CycleReport] = field(default_factory=list)

    @contextmanager
    def driver(self) -> Iterator[Driver]:
        """The company's QuickBooks Online driver, as `sfqb sync` opens it."""
        qb = self.quickbooks
        with self.connections.open_driver(
            COMPANY,
            self.policy.alerts,
            base_url=qb.base_url,
            ca_file=str(qb.ca_path),
            custom_field=self.policy.binding_definition_id,
        ) as driver:
            yield driver

    def cycle(self) -> CycleReport:
        """One cycle pushed to QuickBooks Online."""
        with self.driver() as driver:
            report = self.runner.run_direct(COMPANY, driver)
        self.reports.append(report)
        return report


def _delivering_to(inbox: WebhookInbox) -> Callable[[str, bytes, dict[str, str]], int]:
    """A webhook sender that hands each notification to `inbox` as sfqb's endpoint would."""

    def send(_url: str, body: bytes, headers: dict[str, str]) -> int:
        try:
            inbox.receive(body, headers.get("intuit-signature"))
        except BadSignature:
            return 401
        return 200

    return send


def connect(connections: QboConnections, sandbox: QboSandbox, company: str) -> None:
    """Connect `company` through the sandbox's OAuth flow, as a person would in a browser:
    open the authorization URL, follow it to the redirect, and hand that URL back."""
    config = sandbox.config
    app = OAuthApp(
        config.client_id,
        config.client_secret,
        _REDIRECT,
        authorize_url=sandbox.base_url + _AUTHORIZE,
        token_url=sandbox.base_url + _TOKEN,
        verify=str(sandbox.ca_path),
    )
    started = connections.begin(company, Environment.SANDBOX, app)
    with httpx.Client(verify=str(sandbox.ca_path)) as http:
        answer = http.get(started.url, follow_redirects=False)
    connections.complete(answer.headers["location"], lambda _env: app)


@contextmanager
def qbo_world(
    options: DemoOptions,
    catalog: Catalog,
    clock: Callable[[], datetime],
    *,
    policy: CompanyPolicy | None = None,
    quickbooks: QboConfig | None = None,
    seed_salesforce: bool = True,
    limiter: Callable[[str], RealmLimiter] = shared_limiter,
    sweep_at: time | None = None,
) -> Iterator[QboWorld]:
    """Start both sandboxes, connect the demo company, build its runner (with its nightly CDC
    sweep at `sweep_at`, UTC; None: no sweeps); stop all on exit."""
    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="sfqb-demo-qbo-"))
    workdir.mkdir(parents=True, exist_ok=True)
    key = options.secret_key or os.environ.get(ENV_VAR) or generate_key()
    url = options.database_url or f"sqlite:///{workdir / 'sfqb.sqlite'}"
    store = Store.from_url(url, secrets=SecretBox(key))
    store.migrate()
    if store.company(COMPANY) is None:
        store.create_company(COMPANY, *LOGIN)
    add_console_user(store)
    policy = policy or CompanyPolicy()
    config = quickbooks or QboConfig()
    alerts = AlertCenter(store, lambda _settings: [], clock)
    circuit = Circuit(store, alerts, clock, catalog=catalog)
    connections = QboConnections(store, circuit, alerts, catalog, clock, limiter=limiter)
    # Webhooks reach sfqb's inbox in-process (the sandbox signs them as Intuit does; the inbox
    # verifies and stores them, as /qbo/webhooks would).
    inbox = WebhookInbox(store, _VERIFIER)
    qb_config = QboConfig(
        **{
            **config.__dict__,
            "tls_dir": workdir / "qbo-tls",
            "webhook_url": config.webhook_url or _INBOX_URL,
            "verifier_token": config.verifier_token or _VERIFIER,
        }
    )
    sender = None if config.webhook_url else _delivering_to(inbox)
    with (
        QboSandbox(qb_config, sender=sender) as quickbooks_online,
        SalesforceSandbox(SandboxConfig(tls_dir=workdir / "tls", clock=clock)) as salesforce,
    ):
        if seed_salesforce:
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
        connect(connections, quickbooks_online.start(), COMPANY)
        gateway = salesforce_gateway(salesforce, catalog, clock, policy)
        runner = SyncRunner(
            store,
            gateway,
            Mapper(load_flows(maps=QBO_PROFILE.maps), policy),
            catalog,
            clock=clock,
            rng=random.Random(options.seed),
            policy=policy,
            profile=QBO_PROFILE,
            circuit=circuit,
            settings=RunnerSettings(),
            sweep_at=sweep_at,
        )
        yield QboWorld(salesforce, quickbooks_online, store, runner, connections, policy, key)
    store.engine.dispose()


def run_qbo_demo(
    options: DemoOptions, catalog: Catalog, progress: Callable[[str], None] = lambda line: None
) -> DemoResult:
    """Seed, then push cycles to QuickBooks Online until one has nothing left to write."""
    clock = lambda: datetime.now(UTC)  # noqa: E731 - the demo runs on real time
    result = DemoResult()
    with qbo_world(options, catalog, clock, policy=DEMO_POLICY) as world:
        result.store_url, result.secret_key = str(world.store.engine.url), world.secret_key
        seeded = seed_money(world.salesforce.org)
        for number in range(1, options.max_sessions + 1):
            report = world.cycle()
            synced = ", ".join(f"{f} {n}" for f, n in sorted(report.synced.items())) or "nothing"
            progress(
                f"cycle {number}: {report.qb_batches} QuickBooks Online requests; synced "
                f"{synced}; {report.sf_writes} Salesforce writes"
            )
            if report.held or (not report.wrote_anything and not due_count(world.store)):
                break
        result.reports = list(world.reports)
        result.summary = qbo_summary(world)
        result.summary["seeded"] = seeded.counts()
    return result


def qbo_summary(world: QboWorld) -> dict[str, Any]:
    """The demo's JSON summary, with the keys of the Desktop demo's.

    The demo's company has no custom field for the Salesforce Id (Intuit's sandbox companies
    have no Custom Fields API), so a duplicate is a record of a bound kind that no binding names
    (the sandbox company starts with none of them).
    """
    synced: Counter[str] = Counter()
    for report in world.reports:
        synced.update(report.synced)
    journal = world.store.journal
    log = journal.log(COMPANY, limit=1_000_000)
    bound = {(b.qb.kind.value, b.qb.id) for b in world.store.bindings.for_company(COMPANY)}
    records = {kind: world.quickbooks.records(kind) for kind in _BOUND}
    unbound = sum(
        1
        for kind, rs in records.items()
        for r in rs
        if (kind, str(r["Id"])) not in bound  # Ids are per entity; entity = binding kind
    )
    calls = world.store.qbo_calls.month(COMPANY)
    return {
        "synced": dict(sorted(synced.items())),
        "attempts_by_code": dict(sorted(journal.attempts_by_code(COMPANY).items())),
        "open_failures": journal.count_open_failures(COMPANY),
        "undecoded": sum(1 for row in log if not row.known),
        "duplicates": unbound,
        "cycles": len(world.reports),
        "round_trips": sum(r.qb_batches for r in world.reports),
        "api_calls": {"reads": calls.reads, "writes": calls.writes},
        "quickbooks": {
            "customers": len(records["Customer"]),
            "vendors": len(records["Vendor"]),
            "jobs": sum(1 for c in records["Customer"] if c.get("ParentRef")),
            "with_contact": sum(
                1
                for c in records["Customer"]
                if c.get("FamilyName") or (c.get("PrimaryEmailAddr") or {}).get("Address")
            ),
            "items": len(records["Item"]),
            "invoices": len(records["Invoice"]),
            "credit_memos": len(records["CreditMemo"]),
        },
    }
