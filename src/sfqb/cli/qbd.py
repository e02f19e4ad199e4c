"""`sfqb serve`, `sfqb qwc` and `sfqb sandbox qbd`: the QuickBooks Desktop side of the CLI."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from sfqb.cli.context import Services
from sfqb.cli.errors import fail
from sfqb.codes import Catalog
from sfqb.connectors.qbd.qbxml import (
    CustomerAdd,
    ListQuery,
    ListType,
    build_message_set,
)
from sfqb.connectors.qbd.qbxml.version import DEFAULT_VERSION
from sfqb.connectors.qbd.webconnector import (
    NoWorkSource,
    QwcError,
    QwcSpec,
    SoapEndpoint,
    WebConnectorService,
    build_qwc,
)
from sfqb.store import Store, StoreError

if TYPE_CHECKING:
    from sfqb.sandbox.qbd.webconnector_client import QuickBooksProcessor

DEFAULT_URL = "http://localhost:8000/qbwc"
SANDBOX_COMPANY = "demo"
DatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="SFQB_DATABASE_URL",
        help="SQLAlchemy URL of the store (default: SQLite file var/sfqb.sqlite).",
    ),
]


def register(app: typer.Typer, sandbox_app: typer.Typer) -> None:
    """Add serve and qwc to `app`, and qbd to the `sandbox` group."""
    app.command()(serve)
    app.command()(qwc)
    sandbox_app.command("qbd")(sandbox_qbd)


def _now() -> datetime:
    return datetime.now(UTC)


def _catalog(ctx: typer.Context) -> Catalog:
    services = ctx.obj if isinstance(ctx.obj, Services) else Services()
    return services.catalog


def _sandbox_company() -> QuickBooksProcessor:
    import random

    from sfqb.sandbox.qbd import CompanyFile, SandboxSettings

    return CompanyFile(SandboxSettings(), _now, random.Random())


def _open_store(url: str | None) -> Store:
    if url is None:
        Path("var").mkdir(exist_ok=True)
        url = "sqlite:///var/sfqb.sqlite"
    try:
        store = Store.from_url(url)
        store.migrate()
    except Exception as exc:  # a bad URL or an unreachable database: one line, no traceback
        raise fail(f"cannot open the store at {url}: {exc}") from None
    return store


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    sandbox: Annotated[
        bool,
        typer.Option(help="Serve a sandbox company 'demo' (login demo/demo) with demo work."),
    ] = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Run the web app: the QuickBooks Web Connector endpoint at /qbwc (WSDL at /qbwc?wsdl)."""
    import uvicorn

    from sfqb.web import WebServices, create_app

    if sandbox and database_url is None:
        folder = Path(tempfile.mkdtemp(prefix="sfqb-sandbox-"))
        database_url = f"sqlite:///{folder / 'sfqb.sqlite'}"
    store = _open_store(database_url)
    if sandbox:
        prepare_sandbox(store)
        typer.echo(f"sandbox company '{SANDBOX_COMPANY}' (login demo/demo), store {database_url}")
    service = WebConnectorService(store, NoWorkSource(), _catalog(ctx), _now)
    app = create_app(WebServices(SoapEndpoint(service)))
    typer.echo(f"Web Connector endpoint: http://{host}:{port}/qbwc (WSDL at /qbwc?wsdl)")
    uvicorn.run(app, host=host, port=port, log_level="info")


def prepare_sandbox(store: Store) -> None:
    """Create (or reset the login of) the sandbox company and queue its demo message sets."""
    if store.company(SANDBOX_COMPANY) is None:
        store.create_company(SANDBOX_COMPANY, "demo", "demo")
    else:
        store.set_password(SANDBOX_COMPANY, "demo")
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


def qwc(  # noqa: PLR0917 - Typer options
    company: Annotated[str, typer.Option("--company", help="The company's name in sfqb.")],
    url: Annotated[str, typer.Option(help="The /qbwc address QBWC calls.")] = DEFAULT_URL,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write here instead of standard output.")
    ] = None,
    user: Annotated[
        str | None, typer.Option(help="Web Connector user name for a new company.")
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(envvar="SFQB_QBWC_PASSWORD", help="Password for a new company."),
    ] = None,
    minutes: Annotated[int, typer.Option("--every", help="RunEveryNMinutes.")] = 15,
    database_url: DatabaseOpt = None,
) -> None:
    """Write the .qwc file that connects a QuickBooks company to sfqb through the Web Connector."""
    store = _open_store(database_url)
    login = store.company(company)
    if login is None:
        if not password:
            raise fail(
                f"no company {company!r} in the store; give --password (or SFQB_QBWC_PASSWORD) "
                "to create it"
            )
        try:
            login = store.create_company(company, user or company, password)
        except StoreError as exc:
            raise fail(str(exc)) from None
    spec = QwcSpec(
        app_name=f"sfqb ({company})",
        app_url=url,
        username=login.username,
        owner_id=login.owner_id,
        file_id=login.file_id,
        run_every_minutes=minutes,
    )
    try:
        document = build_qwc(spec)
    except QwcError as exc:
        raise fail(str(exc)) from None
    if out is None:
        typer.echo(document.decode("utf-8"), nl=False)
        return
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(document)
    os.replace(tmp, out)  # nothing half-written
    typer.echo(f"wrote {out}", err=True)


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
