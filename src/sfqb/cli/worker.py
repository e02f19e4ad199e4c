"""`sfqb worker`: run sync cycles, schedules and Run now requests as procrastinate jobs.

Workers need PostgreSQL (procrastinate's tables live beside sfqb's). Any number of them share
one store: a company's cycles never run twice at once (procrastinate's lock on the company),
and a job of a worker killed mid-cycle runs again elsewhere once the worker has missed its
heartbeats for --stall-seconds. SIGTERM or SIGINT stops a worker cleanly: it takes no new job
and lets its running cycles end.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from sfqb.cli.errors import fail
from sfqb.cli.serving import DatabaseOpt, freeze_startup_objects, open_store
from sfqb.cli.settings import services_of
from sfqb.store import SecretKeyError, Store

if TYPE_CHECKING:
    from sfqb.cli.context import Services
    from sfqb.jobs.embedded import EmbeddedCycles
    from sfqb.jobs.fleet import FleetTick
    from sfqb.jobs.job_queue import JobQueue
    from sfqb.jobs.procrastinate_queue import ProcrastinateQueue, WorkerOptions

log = logging.getLogger(__name__)

NEEDS_POSTGRES = (
    "workers need PostgreSQL (SFQB_DATABASE_URL=postgresql+psycopg://...); with SQLite, "
    "`sfqb serve` runs cycles itself"
)


WorkersOpt = Annotated[
    bool,
    typer.Option(
        "--workers/--no-workers",
        envvar="SFQB_WORKERS",
        help="Leave cycles and schedules to `sfqb worker` processes (PostgreSQL only): this "
        "process runs none, and the console's Run now defers a job.",
    ),
]


def register(app: typer.Typer) -> None:
    """Add `worker` to the app."""
    app.command("worker")(worker)


def require_postgres(store: Store) -> None:
    """Fail (one line) unless the store is on PostgreSQL."""
    if store.engine.dialect.name != "postgresql":
        raise fail(NEEDS_POSTGRES)


def serve_cycles(
    services: Services,
    store: Store,
    stop: threading.Event,
    schedule_seconds: int,
    watch_seconds: int,
    *,
    workers: bool,
) -> tuple[EmbeddedCycles | None, JobQueue]:
    """Who runs `sfqb serve`'s cycles and health checks, and the queue Run now and webhooks
    ask: this process (its tick's loop every `schedule_seconds` and its watcher, until `stop`:
    the cycles returned), or with `workers` the `sfqb worker` processes - the fleet's tick runs
    the checks, so this process runs none (one line and exit unless PostgreSQL)."""
    if not workers:
        from sfqb.cli.qbd import start_watcher

        services.store = store
        start_watcher(services, stop, watch_seconds)
        cycles = embedded_cycles(services)
        cycles.start(stop, schedule_seconds)
        return cycles, cycles.queue
    require_postgres(store)
    services.store = store
    return None, job_queue(services)


def defer_cycles(services: Services, company: str | None) -> None:
    """`sfqb sync --defer`: a cycle of each company (with a Salesforce connection) asked of
    the workers, one line each."""
    from sfqb.cli.sync import with_salesforce
    from sfqb.services.sync import deferred

    store = services.store
    require_postgres(store)
    queue = job_queue(services)
    for name in with_salesforce(store, company):
        typer.echo(deferred(queue, name).message)


def job_queue(services: Services, options: WorkerOptions | None = None) -> ProcrastinateQueue:
    """The fleet's job queue over `services` (its store on PostgreSQL): cycles run the way
    `sfqb sync` runs them, the tick defers those due and runs the health checks."""
    from sfqb.cli.qbd import watch_companies
    from sfqb.jobs.procrastinate_queue import ProcrastinateQueue

    tick = fleet_tick(services, lambda: watch_companies(services))
    return ProcrastinateQueue(
        services.store, cycle_of(services), tick, clock=services.clock, options=options
    )


def embedded_cycles(services: Services) -> EmbeddedCycles:
    """`sfqb serve`'s own cycles (no workers): the fleet's tick and cycles, in this process
    (its watcher runs the health checks, every --watch-seconds)."""
    from sfqb.jobs.embedded import EmbeddedCycles

    tick = fleet_tick(services, lambda: None)
    run = cycle_of(services)  # waits for the company's lock as long as it takes
    return EmbeddedCycles(lambda company: run(company, lambda: True), tick, services.clock)


def fleet_tick(services: Services, checks: Callable[[], object]) -> FleetTick:
    """The tick over `services`' QuickBooks Online companies, with `checks` each time."""
    from sfqb.cli.qbo import scheduled_companies
    from sfqb.jobs.fleet import FleetTick

    return FleetTick(services.store, scheduled_companies(services), checks)


def cycle_of(services: Services) -> Callable[[str, Callable[[], bool]], None]:
    """One job's cycle of a company, as `sfqb sync` runs it (logged in one line); it waits
    for the company's lock while `keep_waiting` says so (else CompanyBusy)."""
    from sfqb.cli.qbo import scheduled_companies
    from sfqb.services.sync import run_company
    from sfqb.store.cycle_lock import holding

    companies = scheduled_companies(services)

    def run_cycle(company: str, keep_waiting: Callable[[], bool]) -> None:
        from sfqb.cli.sync import report_line
        from sfqb.jobs.runner import CycleReport

        # The company's cycle lock, shared with `sfqb serve`'s cycles beside Web Connector
        # sessions (procrastinate's lock covers jobs only): wait while one of them runs.
        with holding(services.store.cycle_lock, company, keep_waiting):
            companies.take_changes(company)  # webhook changes this cycle covers: no second one
            done = run_company(services, services.store, company)
        if isinstance(done, CycleReport):
            log.info("%s", report_line(done))
        else:
            log.info("%s: read %d changed records; %d wait", company, done.read, done.waiting)

    return run_cycle


def worker(  # noqa: PLR0917 - Typer options
    ctx: typer.Context,
    database_url: DatabaseOpt = None,
    concurrency: Annotated[
        int, typer.Option(min=1, help="Cycles this worker runs at once (threads).")
    ] = 1,
    tick_seconds: Annotated[
        int,
        typer.Option(
            "--tick-seconds",
            min=1,
            help="How often the fleet looks for cycles due (each company's sync_every_minutes, "
            "webhook changes) and runs the health checks; one worker does it each period.",
        ),
    ] = 60,
    stall_seconds: Annotated[
        int,
        typer.Option(
            "--stall-seconds",
            min=2,
            help="A worker silent this long is dead: its running job is given to another.",
        ),
    ] = 30,
    heartbeat_seconds: Annotated[
        float,
        typer.Option("--heartbeat-seconds", min=0.1, help="How often a worker says it lives."),
    ] = 10.0,
    name: Annotated[str | None, typer.Option(help="The worker's name in the logs.")] = None,
) -> None:
    """Run sync cycles as jobs from PostgreSQL until SIGTERM (see docs/deploy.md)."""
    from sfqb.jobs.procrastinate_queue import WorkerOptions

    if heartbeat_seconds >= stall_seconds:
        raise fail("--heartbeat-seconds must be shorter than --stall-seconds")
    services = services_of(ctx)
    try:
        secrets = services.secrets
    except SecretKeyError as exc:
        raise fail(str(exc)) from None
    url = database_url or services.settings.store_url()
    if not url.startswith("postgresql"):
        raise fail(NEEDS_POSTGRES)
    store = open_store(url, secrets)
    require_postgres(store)
    services.store = store
    options = WorkerOptions(
        concurrency=concurrency, tick_seconds=tick_seconds, heartbeat_seconds=heartbeat_seconds,
        stall_seconds=stall_seconds, stall_check_seconds=max(1, stall_seconds // 2),
    )  # fmt: skip
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    typer.echo(f"sfqb worker {name or ''} started; SIGTERM stops it cleanly".replace("  ", " "))
    try:
        queue = job_queue(services, options)
        freeze_startup_objects()
        queue.run_worker(name)
    finally:
        store.engine.dispose()
    typer.echo("sfqb worker stopped")
