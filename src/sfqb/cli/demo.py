"""`sfqb demo`: the whole product on loopback, from seeded sandboxes to a decoded log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from sfqb.cli.errors import fail


def demo(
    ctx: typer.Context,
    accounts: Annotated[
        str, typer.Option("--accounts", help='Accounts to seed: a number, "small" or "demo".')
    ] = "demo",
    workdir: Annotated[
        Path | None, typer.Option("--workdir", help="Keep the store and certificates here.")
    ] = None,
    json_summary: Annotated[
        Path | None, typer.Option("--json-summary", help="Also write the summary as JSON here.")
    ] = None,
) -> None:
    """Seed the sandboxes, sync through the Web Connector until done, show the decoded log."""
    from sfqb.sandbox.demo import DemoOptions, run_demo

    size: int | str = int(accounts) if accounts.isdigit() else accounts
    if size not in ("small", "demo") and not isinstance(size, int):
        raise fail(f'--accounts takes a number, "small" or "demo", not {accounts!r}')
    console = Console(highlight=False)
    console.print(
        "Starting the Salesforce and QuickBooks sandboxes and sfqb's Web Connector endpoint"
    )
    options = DemoOptions(accounts=size, workdir=workdir)
    result = run_demo(options, ctx.obj.catalog, progress=lambda line: console.print(f"  {line}"))
    summary = result.summary
    table = Table("flow", "records", title="Synced", box=box.SIMPLE)
    for flow, count in summary["synced"].items():
        table.add_row(flow, str(count))
    console.print(table)
    qb = summary["quickbooks"]
    console.print(
        f"QuickBooks now holds {qb['customers']} customers, {qb['items']} items and "
        f"{qb['invoices']} invoices; {summary['round_trips']} Web Connector round trips in "
        f"{summary['cycles']} cycles."
    )
    console.print(
        f"Open failures: {summary['open_failures']}, undecoded statuses: {summary['undecoded']}, "
        f"QuickBooks records sharing a Salesforce Id: {summary['duplicates']}."
    )
    codes = Table("status", "attempts", title="Decoded log by code", box=box.SIMPLE)
    for code, count in summary["attempts_by_code"].items():
        codes.add_row(code, str(count))
    console.print(codes)
    console.print(f"The full log: sfqb log (with SFQB_DATABASE_URL={result.store_url})")
    if json_summary is not None:
        try:
            json_summary.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        except OSError as exc:
            raise fail(f"cannot write {json_summary}: {exc.strerror or exc}") from None


def register(app: typer.Typer) -> None:
    """Add the demo command to the app."""
    app.command()(demo)
