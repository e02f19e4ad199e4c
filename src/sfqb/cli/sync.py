"""`sfqb sync`, `plan`, `log` (and `connect`, `secret-key`; the bindings commands
live in `sfqb.cli.bindings`, `queue` and `retry` in `sfqb.cli.queue`).

Every user mistake (unknown company or flow, a malformed Id, a binding conflict, a missing
secret key) ends with one `sfqb: ...` line on stderr and exit status 2.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table
from rich.text import Text

from sfqb.cli import bindings as bindings_cli
from sfqb.cli import connect
from sfqb.cli import queue as queue_cli
from sfqb.cli.context import Services
from sfqb.cli.errors import UserError, fail, plainly
from sfqb.cli.settings import companies, services_of
from sfqb.codes.words import flow_text, status_label
from sfqb.domain.status import System
from sfqb.jobs.bindings import BindingDesk
from sfqb.jobs.gateway import Page, SalesforceSource, change_pages
from sfqb.jobs.gather import select_flows
from sfqb.jobs.preview import PreviewAction, PreviewItem, preview
from sfqb.jobs.runner import CycleReport, Driver
from sfqb.jobs.salesforce_org import SalesforceOrg
from sfqb.mapping.soql import Condition
from sfqb.services.flows import FlowState, company_flows
from sfqb.services.log import log_rows
from sfqb.services.names import RecordNames, of_record
from sfqb.services.sync import queue_changes
from sfqb.store import ConnectionSystem, Store
from sfqb.sync.ops import QbOp, QbResult
from sfqb.sync.records import SfWrite, SfWriteResult

_COLOURS = {"info": "green", "warning": "yellow", "error": "red"}
_SEARCHED = 5000  # how far back `sfqb log --record` looks for the record's entries

CompanyOpt = Annotated[
    str | None, typer.Option("--company", help="Only this company (default: every company).")
]
FlowOpt = Annotated[
    list[str] | None, typer.Option("--flow", help="Only this flow (repeatable; default: all).")
]
DeferOpt = Annotated[
    bool,
    typer.Option(
        "--defer", help="Hand the cycles to `sfqb worker` processes (PostgreSQL) and return."
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def register(app: typer.Typer) -> None:
    """Add the sync commands, `connect`, `secret-key` and the bindings commands to the app."""
    for command in (sync, plan, log):
        app.command()(command)
    connect.register(app)
    bindings_cli.register(app)
    queue_cli.register(app)


# -- plumbing ----------------------------------------------------------------------------------


def _flows(flows: Sequence[str] | None) -> list[str] | None:
    return [f for f, _ in select_flows(flows)] if flows else None


def with_salesforce(store: Store, company: str | None) -> list[str]:
    """The companies to read from Salesforce; UserError in one line naming what is missing."""
    names = companies(store, company)
    found = [n for n in names if store.connections.get(n, ConnectionSystem.SALESFORCE)]
    if found:
        return found
    shown = names[0] if len(names) == 1 else "NAME"
    whose = f"company {names[0]!r} has no" if len(names) == 1 else "no company has a"
    raise UserError(
        f"{whose} Salesforce connection: sfqb connect salesforce --company {shown} "
        "--instance URL ... (see sfqb connect salesforce --help)"
    )


# -- sync --------------------------------------------------------------------------------------


class _Phases:
    """One progress task per company; every step of the cycle advances it."""

    def __init__(self, progress: Progress, company: str) -> None:
        self._progress, self._company = progress, company
        self._task = progress.add_task(f"{company}: starting", total=None)

    def step(self, text: str) -> None:
        self._progress.update(self._task, description=f"{self._company}: {text}", advance=1)


class _ReportingSource:
    """A SalesforceSource that shows each read and write as a phase."""

    def __init__(self, inner: SalesforceSource, phases: _Phases) -> None:
        self._inner, self._phases = inner, phases

    def streams(self, sobject: str) -> tuple[str, ...]:
        return self._inner.streams(sobject)

    def read(
        self, sobject: str, since: Any, where: Condition | None = None, *, settled: Any = ()
    ) -> tuple[list[dict[str, Any]], Any]:
        self._phases.step(f"reading Salesforce's changed {sobject} records")
        return self._inner.read(sobject, since, where, settled=settled)

    def read_pages(
        self, sobject: str, since: Any, where: Condition | None = None, *, settled: Any = ()
    ) -> Iterator[Page]:
        for number, page in enumerate(change_pages(self._inner, sobject, since, where, settled)):
            self._phases.step(f"reading Salesforce's changed {sobject} records, page {number + 1}")
            yield page

    def read_ids(
        self, sobject: str, ids: Sequence[str], where: Condition | None = None
    ) -> list[dict[str, Any]]:
        self._phases.step(f"reading {len(ids)} {sobject} records the others reference")
        return self._inner.read_ids(sobject, ids, where)

    def write(self, writes: Sequence[SfWrite]) -> list[SfWriteResult]:
        self._phases.step(f"writing {len(writes)} results back to Salesforce")
        return self._inner.write(writes)


class _ReportingDriver:
    """A Driver that shows each QuickBooks batch as a phase."""

    def __init__(self, inner: Driver, phases: _Phases) -> None:
        self._inner, self._phases, self._count = inner, phases, 0

    def execute(self, ops: Sequence[QbOp]) -> list[QbResult]:
        self._count += 1
        self._phases.step(f"QuickBooks batch {self._count} ({len(ops)} requests)")
        return self._inner.execute(ops)


def _run_direct(
    services: Services, company: str, source: SalesforceSource, *,
    phases: _Phases, flows: list[str] | None, org: SalesforceOrg,
) -> CycleReport:  # fmt: skip
    return services.push_cycle(
        company, source, org, flows=flows, wrap=lambda driver: _ReportingDriver(driver, phases)
    )


def report_line(report: CycleReport) -> str:
    """What a pushed cycle did, in one line."""
    synced = ", ".join(f"{n} {flow}" for flow, n in sorted(report.synced.items())) or "nothing"
    states = report.states
    line = (
        f"{report.company}: synced {synced}; {states.get('failed', 0)} failed, "
        f"{states.get('retry', 0)} to retry, {states.get('waiting', 0)} waiting; "
        f"{report.qb_batches} QuickBooks batches, {report.sf_writes} Salesforce writes"
    )
    if report.aborted:
        line += f"; stopped: QuickBooks unavailable ({report.aborted}), records stay queued"
    if report.held:
        line = f"{report.company}: not synced: {report.held}"
    return line


def sync(
    ctx: typer.Context, company: CompanyOpt = None, flow: FlowOpt = None, defer: DeferOpt = False
) -> None:
    """Read Salesforce's changes and run the cycle (or queue them for the Web Connector)."""
    services = services_of(ctx)
    if defer:
        from sfqb.cli.worker import defer_cycles

        if flow:
            raise fail("--defer asks for whole cycles: leave out --flow")
        with plainly():
            defer_cycles(services, company)
        return
    console = Console(highlight=False)
    problems = 0
    with plainly():
        flows = _flows(flow)
        store = services.store
        names = with_salesforce(store, company)
        progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
            TextColumn("{task.completed} steps"), console=Console(stderr=True), transient=True,
        )  # fmt: skip
        with progress:
            for name in names:
                phases = _Phases(progress, name)
                gateway = services.salesforce(name)
                source = _ReportingSource(gateway, phases)
                target = services.target(name)
                if target.open_driver is not None:  # sfqb pushes (a sandbox company file)
                    report = _run_direct(
                        services, name, source, phases=phases, flows=flows, org=gateway
                    )
                    problems += bool(report.aborted or report.held)
                    console.print(report_line(report), markup=False)
                    continue
                queued = queue_changes(services, store, name, flows, source=source, org=gateway)
                if queued.held:
                    problems += 1
                    console.print(f"{name}: not synced: {queued.held}", markup=False)
                    continue
                console.print(
                    f"{name}: read {queued.read} changed records; {queued.waiting} records wait "
                    "for the Web Connector's next call",
                    markup=False,
                )
    if problems:
        raise typer.Exit(code=1)


# -- plan --------------------------------------------------------------------------------------


def _plan_table(company: str, items: list[PreviewItem]) -> Table:
    table = Table(title=f"{company}: what the next sync would do", box=box.SIMPLE_HEAD)
    for column in ("record", "name", "flow", "action", "why", "mapping changes"):
        table.add_column(column, overflow="fold")
    for item in items:
        table.add_row(
            Text(str(item.record)), Text(item.name), Text(item.flow), Text(item.action.value),
            Text(item.reason), Text("\n".join(item.changes)),
        )  # fmt: skip
    return table


def _flows_table(company: str, flows: list[FlowState]) -> Table:
    """How each flow is set up for the company: on or off (and who says), what it reads
    (the filter as sfqb sends it), what it makes, the fields it maps its own way."""
    table = Table(title=f"{company}: flows", box=box.SIMPLE_HEAD)
    for column in ("flow", "state", "reads", "makes", "own mapping"):
        table.add_column(column, overflow="fold")
    for flow in flows:
        setup = flow.setup
        state = "on" if flow.enabled else "off"
        if flow.switched:
            state += " (switched in the console)"
        elif setup is not None and not setup.configured_on:
            state += " (config file)"
        reads = makes = own = ""
        if setup is not None:
            reads = setup.reads()
            makes = setup.target
            if setup.target != setup.default_target:
                makes += f" (default {setup.default_target})"
            own = ", ".join(setup.overridden)
        table.add_row(Text(flow.flow), Text(state), Text(reads), Text(makes), Text(own))
    return table


def _totals(items: list[PreviewItem]) -> str:
    counts = Counter(item.action for item in items)
    return ", ".join(f"{counts.get(a, 0)} {a.value}" for a in PreviewAction)


def plan(
    ctx: typer.Context, company: CompanyOpt = None, flow: FlowOpt = None, as_json: JsonOpt = False
) -> None:
    """A dry run: what the next sync would create, update or skip, and why. Writes nothing."""
    services = services_of(ctx)
    console = Console(highlight=False)
    out: list[dict[str, Any]] = []
    with plainly():
        flows = _flows(flow)
        store = services.store
        for name in with_salesforce(store, company):
            items = preview(
                store, services.salesforce(name), services.mapper(name), name, flows,
                profile=services.target(name).profile, now=services.clock(),
            )  # fmt: skip
            if as_json:
                out.extend({"company": name, **item.to_json()} for item in items)
                continue
            setups = services.flow_setups(name)
            console.print(_flows_table(name, company_flows(store, name, setups)))
            shown = [i for i in items if i.action is not PreviewAction.SKIP]
            if shown:
                console.print(_plan_table(name, shown))
            console.print(f"{name}: {_totals(items)}", markup=False)
    if as_json:
        typer.echo(json.dumps(out, indent=2))


# -- log ---------------------------------------------------------------------------------------


def _names(services: Services) -> RecordNames:
    desk = BindingDesk(
        services.store, services.catalog, services.alerts, clock=services.clock,
        profile_of=services.profile,
    )  # fmt: skip
    return RecordNames(services.store, desk.listing)


def log(  # noqa: PLR0917 - Typer options
    ctx: typer.Context,
    company: CompanyOpt = None,
    status: Annotated[
        str | None, typer.Option("--status", help="`failed`: only open failures.")
    ] = None,
    code: Annotated[str | None, typer.Option("--code", help="Only this status code.")] = None,
    system: Annotated[
        str | None, typer.Option("--system", help="Only this system (qbxml, salesforce, ...).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 100,
    record: Annotated[
        str | None,
        typer.Option(
            "--record",
            metavar="NAME_OR_ID",
            help="Only this record: its name, or its Salesforce or QuickBooks Id.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """The integration log, newest first: every attempt with its decoded status."""
    services = services_of(ctx)
    with plainly():
        if status not in (None, "failed", "all"):
            raise UserError(f"unknown --status {status!r}; use failed or all")
        systems = [s.value for s in System]
        if system is not None and system.lower() not in systems:
            raise UserError(f"unknown --system {system!r}; the systems are {', '.join(systems)}")
        if company is not None:
            companies(services.store, company)
        names = _names(services)
        window = limit if record is None else max(limit, _SEARCHED)
        if status == "failed":  # the list behind `sfqb status`'s "open failures"
            wanted = system.lower() if system else None
            attempts = [
                a for a in services.health.open_failures(company)
                if (code is None or a.code == code) and (wanted is None or a.system == wanted)
            ][:window]  # fmt: skip
        else:
            attempts = services.store.journal.log(
                company, code=code, system=System(system.lower()) if system else None,
                limit=window,
            )  # fmt: skip
        if record is not None:
            attempts = of_record(attempts, names, record, limit)
            if not attempts:
                raise UserError(
                    f"no log entry is about {record!r} (a record's name, or its Salesforce or "
                    "QuickBooks Id; names as last read from Salesforce)"
                )
    if as_json:
        rows = [row.to_json() for row in log_rows(attempts, names)]
        typer.echo(json.dumps(rows, indent=2))
        return
    console = Console(highlight=False)
    if console.width < 120:  # a narrow terminal: one block per attempt reads better than columns
        for a in attempts:
            head = Text(f"{a.created_at:%Y-%m-%d %H:%M:%S}  ")
            head.append(
                status_label(a.system, a.code, a.title), style=_COLOURS.get(a.severity.value, "")
            )
            head.append(f"  {flow_text(a.flow)} {a.operation}")
            console.print(head)
            for line in names.records(a):
                console.print(Text(f"    {line}"))
            console.print(Text(f"    sfqb: {a.action_taken}"))
            if detail := names.detail(a):
                console.print(Text(f"    why: {detail}"))
            if a.summary:
                console.print(Text(f"    changed: {a.summary}"))
    else:
        table = Table(title="Integration log (newest first)", box=box.SIMPLE_HEAD)
        for column in ("time", "flow", "record(s)", "operation", "system:code", "title", "action"):
            table.add_column(column, overflow="fold", no_wrap=column in ("time", "system:code"))
        for a in attempts:
            table.add_row(
                Text(f"{a.created_at:%Y-%m-%d %H:%M:%S}"), Text(flow_text(a.flow)),
                Text("\n".join(names.records(a)) or "-"),
                Text(a.operation), Text(a.status_key, style=_COLOURS.get(a.severity.value, "")),
                Text(a.title), Text("\n".join(filter(None, (a.action_taken, names.detail(a))))),
            )  # fmt: skip
        console.print(table)
    console.print(f"{len(attempts)} attempts shown", markup=False)
