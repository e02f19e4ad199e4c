"""Entry point of the `sfqb` command: builds the services and registers every command group."""

from __future__ import annotations

import typer

from sfqb import __version__
from sfqb.cli import (
    demo,
    examples,
    explain,
    qbd,
    review,
    salesforce,
    sandbox_qbo,
    sandbox_salesforce,
    status,
    sync,
    users,
    worker,
)
from sfqb.cli.context import Services

app = typer.Typer(
    name="sfqb",
    help="Keep Salesforce and QuickBooks in step, and say in plain words what every status means.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _print_version(value: bool) -> None:
    # Eager: runs before Click asks for a command, so `sfqb --version` works alone.
    if value:
        typer.echo(f"sfqb {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(
        False,
        "--version",
        is_eager=True,
        callback=_print_version,
        help="Print the version and exit.",
    ),
) -> None:
    if ctx.obj is None:
        ctx.obj = Services()


sandbox_app = typer.Typer(
    name="sandbox",
    help="Run the local emulators of Salesforce and QuickBooks.",
    no_args_is_help=True,
)
app.add_typer(sandbox_app)

explain.register(app)
examples.register(app)
demo.register(app)
salesforce.register(app)
sandbox_salesforce.register(sandbox_app)
sandbox_qbo.register(sandbox_app)
qbd.register(app, sandbox_app)
sync.register(app)
status.register(app)
review.register(app)
users.register(app)
worker.register(app)


def main() -> None:
    """Run the CLI."""
    app()
