"""`sfqb queue` and `sfqb retry`: what waits, and making chosen records due again by their
Salesforce Id, name or row number."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from sfqb.cli.errors import UserError, plainly
from sfqb.cli.settings import companies, services_of
from sfqb.jobs.queue_desk import QueueDesk, record_name
from sfqb.store import QueueItem

CompanyOpt = Annotated[
    str | None, typer.Option("--company", help="Only this company (default: every company).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def register(app: typer.Typer) -> None:
    """Add `queue` and `retry` to the app."""
    for command in (queue, retry):
        app.command()(command)


# -- queue and retry ---------------------------------------------------------------------------


def _row_line(row: QueueItem) -> str:
    name = record_name(row)
    named = f' "{name}"' if name else ""
    return f"#{row.id} {row.company}: {row.source}{named} ({row.flow})"


def _row_state(row: QueueItem) -> str:
    state = f"{row.status.value}, {row.attempts} attempt(s)"
    if row.last_system is not None and row.last_code:
        state += f", last {row.last_system}:{row.last_code}"
    if row.waits_for is not None and row.next_attempt_at:
        state += (
            f", until {row.waits_for} is in QuickBooks"
            f" (checked again by {row.next_attempt_at:%Y-%m-%d %H:%M} UTC)"
        )
    elif row.status.value in ("pending", "failed", "waiting") and row.next_attempt_at:
        state += f", due {row.next_attempt_at:%Y-%m-%d %H:%M} UTC"
    return state


def queue(ctx: typer.Context, company: CompanyOpt = None, as_json: JsonOpt = False) -> None:
    """What waits in the sync queue: each record not yet done, its state and last status."""
    services = services_of(ctx)
    with plainly():
        rows = QueueDesk(services.store, clock=services.clock).open_rows(
            companies(services.store, company)
        )
    if as_json:
        shown = [
            {
                "id": r.id, "company": r.company, "flow": r.flow, "record": str(r.source),
                "name": record_name(r), "status": r.status.value, "attempts": r.attempts,
                "last_code": f"{r.last_system}:{r.last_code}" if r.last_system else None,
                "last_error": r.last_error,
                "next_attempt_at": r.next_attempt_at.isoformat() if r.next_attempt_at else None,
                "waits_for": str(r.waits_for) if r.waits_for else None,
            }
            for r in rows
        ]  # fmt: skip
        typer.echo(json.dumps(shown, indent=2))
        return
    console = Console(highlight=False)
    for row in rows:
        console.print(_row_line(row), markup=False)
        console.print(f"    {_row_state(row)}", markup=False)
        if row.last_error:
            console.print(f"    {row.last_error}", markup=False)
    console.print(
        f"{len(rows)} records not done yet; retry one: sfqb retry SALESFORCE_ID_OR_NAME",
        markup=False,
    )


def retry(
    ctx: typer.Context,
    records: Annotated[
        list[str] | None,
        typer.Argument(
            help="Salesforce Ids or record names (default: every failed or waiting one)."
        ),
    ] = None,
    company: CompanyOpt = None,
    ids: Annotated[
        list[int] | None,
        typer.Option(
            "--id",
            help="Only this queue row, by the # number `sfqb queue` shows (repeatable); with "
            "several companies, give --company too.",
        ),
    ] = None,
) -> None:
    """Make failed and waiting records due now; the next sync sends them again."""
    services = services_of(ctx)
    with plainly():
        store = services.store
        names = companies(store, company)
        if ids and len(names) > 1:
            raise UserError(
                "--id is a queue row number within one company; add --company NAME "
                f"(the companies: {', '.join(names)})"
            )
        selectors = [*(records or []), *(str(i) for i in ids or [])]
        done = QueueDesk(store, clock=services.clock).retry(names, selectors)
    for row in done.made_due:
        typer.echo(f"due now: {_row_line(row)}")
    for row, why in done.left:
        typer.echo(f"left as it is ({why}): {_row_line(row)}")
    total = len(done.made_due)
    if total:
        typer.echo(f"{total} records are due again; run `sfqb sync` to send them")
    elif not done.left:
        typer.echo(_nothing_to_retry(QueueDesk(store, clock=services.clock).open_rows(names)))
    else:
        typer.echo("nothing was made due: the records named are already due or being sent")


def _nothing_to_retry(rows: list[QueueItem]) -> str:
    """Why a retry of everything found nothing: the queue is empty, or nothing in it failed."""
    if not rows:
        return (
            "nothing to retry: no record is waiting or failed (every record read from "
            "Salesforce is synced; see sfqb status)"
        )
    return (
        f"nothing to retry: none of the {len(rows)} records not done yet has failed or waits; "
        "they are due already and go with the next sync (list: sfqb queue)"
    )
