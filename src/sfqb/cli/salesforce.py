"""`sfqb salesforce setup`: the custom fields sfqb needs, checked and packaged for deployment."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import requests
import typer
from rich.console import Console
from rich.table import Table

from sfqb.cli.errors import fail
from sfqb.cli.render import status_panel
from sfqb.codes import Catalog, load_catalog
from sfqb.connectors.salesforce import ExistingSession, SalesforceConnector, SalesforceError
from sfqb.connectors.salesforce.custom_fields import (
    CustomFieldError,
    CustomFieldSpec,
    FieldCheck,
    check_org,
    load_custom_fields,
)
from sfqb.connectors.salesforce.metadata import write_package
from sfqb.connectors.salesforce.settings import load_settings

if TYPE_CHECKING:
    from sfqb.services.connections import SalesforceConnected


def register(app: typer.Typer) -> None:
    """Add the `salesforce` command group to the app."""
    group = typer.Typer(
        name="salesforce",
        help="Salesforce: the custom fields sfqb needs, and checking a connected org.",
        no_args_is_help=True,
    )
    group.command("setup")(setup)
    app.add_typer(group, name="salesforce")


def setup(
    ctx: typer.Context,
    *,
    check: Annotated[
        bool, typer.Option("--check", help="Report which fields the connected org lacks.")
    ] = False,
    out: Annotated[
        Path, typer.Option("--out", help="Directory for the deployable metadata package.")
    ] = Path("salesforce-package"),
    instance: Annotated[
        str | None,
        typer.Option(
            "--instance", envvar="SFQB_SF_INSTANCE", help="Instance host[:port] (for --check)."
        ),
    ] = None,
    session_id: Annotated[
        str | None,
        typer.Option(
            "--session-id", envvar="SFQB_SF_SESSION_ID", help="Session id / access token."
        ),
    ] = None,
    ca_file: Annotated[
        Path | None,
        typer.Option(
            "--ca-file", envvar="SFQB_SF_CA_FILE", help="Certificate authority to trust (PEM)."
        ),
    ] = None,
) -> None:
    """List the custom fields sfqb needs, check an org for them, and write a metadata package.

    Without --check the package holds every field; with --check only those the org lacks (or
    has in the wrong shape), and the exit status is 1 when any is missing.
    """
    console = Console()
    try:
        specs = load_custom_fields()
    except CustomFieldError as exc:
        raise fail(str(exc)) from None
    settings = load_settings()
    checks: list[FieldCheck] | None = None
    if check:
        checks = _check(_catalog(ctx), instance, session_id, ca_file)
        console.print(_check_table(checks))
        to_write = [c.spec for c in checks if not c.ok]
    else:
        console.print(_spec_table(specs))
        to_write = list(specs)
    if not to_write:
        console.print("The org has every field sfqb needs; no package written.")
        return
    try:
        written = write_package(to_write, out, settings.api_version)
    except OSError as exc:
        raise fail(f"cannot write the package into {out}: {exc}") from None
    console.print(
        f"Wrote a metadata package with {len(to_write)} field(s) and {len(written)} files to "
        f"{out}; see {out / 'README.txt'} to deploy it."
    )
    if checks is not None:
        raise typer.Exit(code=1)


def org_line(connected: SalesforceConnected) -> str:
    """What storing a Salesforce connection found out about its org, in one line."""
    if connected.org_id is None:
        return (
            f"could not read the org's Id ({connected.problem}); it is recorded at the first sync"
        )
    return f"org {connected.org_id}"


def _catalog(ctx: typer.Context) -> Catalog:
    services = ctx.find_root().obj
    return services.catalog if services is not None else load_catalog()


def _check(
    catalog: Catalog, instance: str | None, session_id: str | None, ca_file: Path | None
) -> list[FieldCheck]:
    if not instance or not session_id:
        raise fail(
            "--check needs --instance and --session-id (or SFQB_SF_INSTANCE and SFQB_SF_SESSION_ID)"
        )
    if ca_file is not None and not ca_file.is_file():
        raise fail(f"--ca-file {ca_file} is not a file")
    http = requests.Session()
    if ca_file is not None:
        http.verify = str(ca_file)
        # Otherwise REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE from the environment override verify.
        http.trust_env = False
    try:
        connector = SalesforceConnector(ExistingSession(instance, session_id), http, catalog)
        return check_org(load_custom_fields(), connector.describe)
    except SalesforceError as exc:
        Console(stderr=True).print(status_panel(exc.status))
        raise fail(str(exc)) from None
    finally:
        http.close()


def _spec_table(specs: tuple[CustomFieldSpec, ...]) -> Table:
    table = Table(title="Custom fields sfqb needs")
    table.add_column("Object")
    table.add_column("Field")
    table.add_column("Type")
    for spec in specs:
        table.add_row(spec.object, spec.name, spec.summary)
    return table


def _check_table(checks: list[FieldCheck]) -> Table:
    table = Table(title="Custom fields sfqb needs, in the connected org")
    table.add_column("Object")
    table.add_column("Field")
    table.add_column("Type")
    table.add_column("In the org")
    for item in checks:
        if item.ok:
            state = "[green]present[/green]"
        elif not item.present:
            state = "[red]missing[/red]"
        else:
            state = "[yellow]" + "; ".join(item.problems) + "[/yellow]"
        table.add_row(item.spec.object, item.spec.name, item.spec.summary, state)
    return table
