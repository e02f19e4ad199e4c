"""`sfqb serve`, `sfqb qwc` and `sfqb sandbox qbd`: the QuickBooks Desktop side of the CLI."""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from sfqb.cli.context import Services
from sfqb.cli.errors import UserError, fail
from sfqb.cli.serve_limits import (
    LockoutOpt,
    MaxFailuresOpt,
    TrustedProxyOpt,
    WindowOpt,
    login_alarm,
    trusted_proxies,
    with_login_limits,
)
from sfqb.cli.serving import (
    DatabaseOpt,
    PublicUrlOpt,
    checked_public_url,
    freeze_startup_objects,
    open_store,
)
from sfqb.cli.worker import WorkersOpt
from sfqb.codes import Catalog
from sfqb.connectors.qbd.qbxml import (
    CustomerAdd,
    ListQuery,
    ListType,
    build_message_set,
)
from sfqb.connectors.qbd.qbxml.version import DEFAULT_VERSION
from sfqb.connectors.qbd.webconnector import (
    CompanyLogin,
    LeaseHeartbeat,
    NoWorkSource,
    OutboxItem,
    SoapEndpoint,
    WebConnectorService,
    WorkHandle,
    WorkSource,
    verify_password,
)
from sfqb.connectors.qbd.webconnector.settings import ServiceSettings, load_settings
from sfqb.domain.status import DecodedStatus
from sfqb.store import ConnectionSystem, SecretKeyError, Store

if TYPE_CHECKING:
    from sfqb.jobs.qbwc import CycleWorkSource
    from sfqb.sandbox.qbd.webconnector_client import QuickBooksProcessor
    from sfqb.web.limits import IPNetwork

log = logging.getLogger(__name__)

SANDBOX_COMPANY = "demo"
SANDBOX_LOGIN = "demo"  # the sandbox company's Web Connector user name and password


def register(app: typer.Typer, sandbox_app: typer.Typer) -> None:
    """Add serve and qwc to `app`, and qbd to the `sandbox` group."""
    from sfqb.cli.qwc import qwc

    app.command()(serve)
    app.command()(qwc)
    sandbox_app.command("qbd")(sandbox_qbd)


def _now() -> datetime:
    return datetime.now(UTC)


def _services_of(ctx: typer.Context) -> Services:
    from sfqb.cli.settings import services_of

    return services_of(ctx)


def _catalog(ctx: typer.Context) -> Catalog:
    services = ctx.obj if isinstance(ctx.obj, Services) else Services()
    return services.catalog


def _sandbox_company() -> QuickBooksProcessor:
    import random

    from sfqb.sandbox.qbd import CompanyFile, SandboxSettings

    return CompanyFile(SandboxSettings(), _now, random.Random())


def serve(  # noqa: PLR0917 - Typer options
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    sandbox: Annotated[
        bool,
        typer.Option(
            help="Serve a sandbox company 'demo' (login demo/demo) with demo work, in a store "
            "of its own; refused for a store that holds real companies."
        ),
    ] = False,
    database_url: DatabaseOpt = None,
    public_url: PublicUrlOpt = None,
    watch_seconds: Annotated[
        int,
        typer.Option(
            "--watch-seconds", min=1, help="How often to check silence, outages and failed runs."
        ),
    ] = 60,
    session_timeout: Annotated[
        int | None,
        typer.Option(
            "--session-timeout",
            min=1,
            help="Seconds after which a silent Web Connector session counts as abandoned "
            "(default: session_timeout_seconds of the service's defaults.yaml, 600).",
        ),
    ] = None,
    lease_seconds: Annotated[
        int | None,
        typer.Option(
            "--lease-seconds",
            min=1,
            help="How long this process's hold on a session lasts unless renewed; a killed "
            "process's company is taken over after it (default: lease_seconds of the "
            "service's defaults.yaml, 45).",
        ),
    ] = None,
    trusted_proxy: TrustedProxyOpt = None,
    login_max_failures: MaxFailuresOpt = None,
    login_window_seconds: WindowOpt = None,
    login_lockout_seconds: LockoutOpt = None,
    schedule_seconds: Annotated[
        int,
        typer.Option(
            "--schedule-seconds",
            min=1,
            help="How often to look for QuickBooks Online companies due a cycle (every "
            "sync_every_minutes of their policy, 15 by default) or with webhook changes "
            "waiting; a webhook this process receives is looked at at once.",
        ),
    ] = 10,
    workers: WorkersOpt = False,
) -> None:
    """Run the web app: the QuickBooks Web Connector endpoint at /qbwc (WSDL at /qbwc?wsdl).

    Every company of the store is served: its Web Connector sessions run sync cycles, and its
    connector (up, or paused while QuickBooks cannot be reached) and alerts are checked every
    --watch-seconds. A company connected to QuickBooks Online has its cycles run here instead
    (every sync_every_minutes, sooner when a webhook at /qbo/webhooks reports a change, and a
    nightly sweep of QuickBooks' last 30 days of changes). With --sandbox, a company 'demo'
    drains demo message sets instead.
    """
    public = checked_public_url(public_url)
    overrides = {
        name: timedelta(seconds=seconds)
        for name, seconds in (("session_timeout", session_timeout), ("lease", lease_seconds))
        if seconds is not None
    }
    settings = with_login_limits(
        load_settings(**overrides), login_max_failures, login_window_seconds, login_lockout_seconds
    )
    proxies = trusted_proxies(trusted_proxy)
    folder: Path | None = None
    if sandbox and database_url is not None:
        refuse_real_store(database_url)
    elif sandbox:
        folder = Path(tempfile.mkdtemp(prefix="sfqb-sandbox-"))
        database_url = f"sqlite:///{folder / 'sfqb.sqlite'}"
    try:
        _serve(
            ctx, host, port, sandbox, database_url, public, watch_seconds, settings, proxies,
            schedule_seconds, workers,
        )  # fmt: skip
    finally:
        if folder is not None:  # the sandbox's own store goes with it
            shutil.rmtree(folder, ignore_errors=True)


def _serve(  # noqa: PLR0917 - serve's options, checked
    ctx: typer.Context,
    host: str,
    port: int,
    sandbox: bool,
    database_url: str | None,
    public: str | None,
    watch_seconds: int,
    settings: ServiceSettings,
    proxies: tuple[IPNetwork, ...],
    schedule_seconds: int,
    workers: bool = False,
) -> None:
    import uvicorn

    from sfqb.cli.console_app import build_console, console_banner
    from sfqb.cli.qbo import qbo_web
    from sfqb.cli.worker import serve_cycles
    from sfqb.web import WebServices, create_app
    from sfqb.web.server import KEEP_ALIVE_SECONDS

    services = _services_of(ctx)
    try:
        secrets = None if sandbox else services.secrets
    except SecretKeyError as exc:
        raise fail(str(exc)) from None
    store = open_store(database_url, secrets)
    stop = threading.Event()
    cycles = queue = None
    if sandbox:
        prepare_sandbox(store)
        typer.echo(f"sandbox company '{SANDBOX_COMPANY}' (login demo/demo), store {database_url}")
        work: WorkSource = NoWorkSource()
    else:
        from sfqb.cli.secret_keys import require_one_key

        require_one_key(store, secrets)  # else every Web Connector call would answer "none"
        services.store = store  # the store --database-url names, for every collaborator
        try:
            _ = services.config  # a broken SFQB_CONFIG is reported now, not at the first call
        except UserError as exc:
            raise fail(str(exc)) from None
        work = served_work(services, settings.max_cycle_threads)
        cycles, queue = serve_cycles(
            services, store, stop, schedule_seconds, watch_seconds, workers=workers
        )
    alarm = None if sandbox else login_alarm(services)
    service = WebConnectorService(store, work, _catalog(ctx), _now, settings, login_alarm=alarm)
    heartbeat = LeaseHeartbeat(service, service.settings.lease.total_seconds() / 3)
    heartbeat.start()
    # A webhook asks for the company's cycle in the transaction that stores its changes.
    qbo = None if sandbox else qbo_web(services, None, queue)
    console = build_console(services, store, public, proxies, queue)
    web = WebServices(
        SoapEndpoint(service), qbo, trusted_proxies=proxies, public_url=public, console=console
    )
    app = create_app(web)
    shown = public or f"http://{host}:{port}"
    typer.echo(f"Web Connector endpoint: {shown}/qbwc (WSDL at /qbwc?wsdl)")
    typer.echo(console_banner(store, shown))
    freeze_startup_objects()
    try:
        uvicorn.run(
            app, host=host, port=port, log_level="info", timeout_keep_alive=KEEP_ALIVE_SECONDS
        )
    finally:
        stop.set()
        if cycles is not None:
            cycles.notify()  # its loop sees `stop` at once
        heartbeat.stop()
        store.engine.dispose()


def refuse_real_store(url: str) -> None:
    """Fail (one line) unless the store at `url` is empty or holds only the sandbox company.

    Checked before anything is written, the schema included: a sandbox must never queue demo
    work for, or reset the login of, a company that syncs for real.
    """
    try:
        store = Store.from_url(url)
        try:
            real = real_companies(store)
        finally:
            store.engine.dispose()
    except Exception as exc:  # a bad URL or an unreachable database: one line, no traceback
        raise fail(f"cannot open the store at {url}: {exc}") from None
    if real:
        raise fail(
            f"sfqb serve --sandbox will not write into {url}: it holds real companies "
            f"({', '.join(real)}); leave out --database-url and SFQB_DATABASE_URL to give the "
            "sandbox a store of its own"
        )


def real_companies(store: Store) -> list[str]:
    """Companies of the store other than an untouched sandbox company, by name."""
    from sqlalchemy import inspect, select

    from sfqb.store.models import Connection

    names = {login.name for login in store.companies() if not _is_sandbox_login(login)}
    if inspect(store.engine).has_table(Connection.__tablename__):
        with store.engine.connect() as db:
            names |= set(db.scalars(select(Connection.company).distinct()))
    return sorted(names)


def _is_sandbox_login(login: CompanyLogin) -> bool:
    sandbox = login.name == SANDBOX_COMPANY and login.username == SANDBOX_LOGIN
    return sandbox and verify_password(SANDBOX_LOGIN, login.password_hash)


class ServedWork:
    """The work source of `sfqb serve`: sync cycles for companies with a Salesforce connection.

    A company without one only drains what is already queued for it; a company whose
    connection cannot be used (e.g. SFQB_SECRET_KEY missing) is logged and skipped.
    """

    def __init__(self, cycles: CycleWorkSource, store: Store) -> None:
        self._cycles = cycles
        self._store = store

    def begin(self, company: str, handle: WorkHandle) -> bool:
        """Start the company's cycle beside the session; False without a Salesforce
        connection (a connection that cannot be used fails the cycle: logged, and told to
        the Web Connector by getLastError)."""
        if self._store.connections.get(company, ConnectionSystem.SALESFORCE) is None:
            return False
        return self._cycles.begin(company, handle)

    def wait(self, company: str, seconds: float) -> bool:
        """Until the company's cycle queued or finished something, or `seconds` passed; True
        while that cycle is at work."""
        return self._cycles.wait(company, seconds)

    def deliver(self, company: str, item: OutboxItem) -> None:
        """An answered message set: to the cycle, and the circuit hears of the contact."""
        self._cycles.deliver(company, item)

    def outage(self, company: str, status: DecodedStatus) -> None:
        """connectionError: the cycle stops and the company's circuit opens."""
        self._cycles.outage(company, status)


def served_work(services: Services, max_threads: int | None = None) -> ServedWork:
    """Sync cycles over `services` (runner per company, catalog, circuit), at most
    `max_threads` at once, each under the store's cycle lock of its company."""
    from sfqb.jobs.qbwc import MAX_THREADS, CycleWorkSource

    cycles = CycleWorkSource(
        services.runner, services.catalog, circuit=services.circuit,
        lock=services.store.cycle_lock, max_threads=max_threads or MAX_THREADS,
    )  # fmt: skip
    return ServedWork(cycles, services.store)


def watch_companies(services: Services) -> None:
    """One round of checks for every company: silence, connector down, no successful cycle."""
    from sfqb.services.companies import known_companies

    for company in known_companies(services.store):
        try:
            services.circuit.watch(company, services.policy(company), services.clock())
        except Exception:  # one company's trouble must not stop the others' checks
            log.exception("checking %s failed", company)


WATCHER = "sfqb-watch"


def start_watcher(services: Services, stop: threading.Event, seconds: int) -> threading.Thread:
    """Run `watch_companies` every `seconds` in a thread of its own until `stop`."""
    watcher = threading.Thread(
        target=_watch_loop, args=(services, stop, seconds), name=WATCHER, daemon=True
    )
    watcher.start()
    return watcher


def _watch_loop(services: Services, stop: threading.Event, seconds: int) -> None:
    while not stop.wait(seconds):
        watch_companies(services)


def prepare_sandbox(store: Store) -> None:
    """Create (or reset the login of) the sandbox company and queue its demo message sets."""
    if store.company(SANDBOX_COMPANY) is None:
        store.create_company(SANDBOX_COMPANY, SANDBOX_LOGIN, SANDBOX_LOGIN)
    else:
        store.set_password(SANDBOX_COMPANY, SANDBOX_LOGIN)
    for message_set in demo_message_sets(_now()):
        store.enqueue_for(SANDBOX_COMPANY, message_set)


def demo_message_sets(now: datetime) -> list[str]:
    """A CustomerAdd of a uniquely named customer, then a CustomerQuery that reads it back."""
    name = f"sfqb demo {now:%Y%m%d %H%M%S}"
    query = ListQuery(list_type=ListType.CUSTOMER, full_names=(name,))
    return [
        build_message_set([CustomerAdd(name=name)], DEFAULT_VERSION),
        build_message_set([query], DEFAULT_VERSION),
    ]


def sandbox_qbd(
    url: Annotated[str, typer.Option(help="The /qbwc endpoint of a running sfqb serve.")] = (
        "http://127.0.0.1:8000/qbwc"
    ),
    user: Annotated[str, typer.Option(help="Web Connector user name.")] = "demo",
    password: Annotated[str, typer.Option(help="Web Connector password.")] = "demo",  # noqa: S107 - the sandbox's documented login
) -> None:
    """Run the Web Connector stand-in once against a running `sfqb serve`."""
    from sfqb.sandbox.qbd.webconnector_client import Outcome, WebConnectorClient

    quickbooks = _sandbox_company()
    try:
        client = WebConnectorClient(f"{url}?wsdl", quickbooks, address=url)
        result = client.run(user, password)
    except Exception as exc:  # zeep, HTTP or connection errors: say which, no traceback
        raise fail(f"cannot run the Web Connector session against {url}: {exc}") from None
    console = Console(highlight=False)
    console.print(f"server: {result.server_version}  calls: {' '.join(result.calls)}")
    for number, exchange in enumerate(result.exchanges, 1):
        console.print(f"round {number}: {exchange.percent}% done", markup=False)
    console.print(f"outcome: {result.outcome.value}", markup=False)
    for text in (result.last_error, result.close_answer):
        if text:
            console.print(text, markup=False)
    if result.outcome not in (Outcome.DONE, Outcome.NO_WORK, Outcome.NOTHING_SENT):
        raise typer.Exit(code=1)
