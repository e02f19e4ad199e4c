"""`sfqb explain` and `sfqb codes`: the catalog for people."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sfqb.cli.errors import fail
from sfqb.cli.render import status_panel
from sfqb.codes import UnknownCodeFormat
from sfqb.codes.docs import catalog_markdown, catalog_rows
from sfqb.codes.findings import FindingsError, find_statuses
from sfqb.domain.status import Category, System

SystemOpt = Annotated[
    System | None, typer.Option("--system", "-s", help="Look the code up in this system only.")
]


def register(app: typer.Typer) -> None:
    """Add the explain and codes commands to the app."""
    app.command()(explain)
    app.command()(codes)


def explain(
    ctx: typer.Context,
    code: Annotated[
        str | None,
        typer.Argument(
            help="A status code: 3100, 0x80040408, QBWC1039, DUPLICATE_VALUE, HTTP 429."
        ),
    ] = None,
    system: SystemOpt = None,
    file: Annotated[
        str | None,
        typer.Option("--file", "-f", help="Decode every status in a file (- for stdin)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """Say what a QuickBooks or Salesforce status code means, how to fix it, and what sfqb does."""
    services = ctx.obj
    console = Console()
    if (code is None) == (file is None):
        raise fail("give either a CODE or --file PATH (see sfqb explain --help)")
    if file is not None:
        text = _read_input(file)
        try:
            findings = find_statuses(text, services.catalog, source=file)
        except FindingsError as exc:
            raise fail(str(exc)) from None
        if as_json:
            rows = [{**f.status.to_json(), "location": f.location} for f in findings]
            typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
            return
        if not findings:
            console.print(f"No status codes found in {file}.")
        for finding in findings:
            console.print(status_panel(finding.status, finding.location))
        return
    assert code is not None
    try:
        statuses = services.catalog.interpret(code, system)
    except UnknownCodeFormat as exc:
        raise fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps([s.to_json() for s in statuses], indent=2, ensure_ascii=False))
        return
    if len(statuses) > 1:
        console.print(
            f"{code} has {len(statuses)} readings; the 'Applies when' line tells them apart."
        )
    for status in statuses:
        console.print(status_panel(status))


def codes(
    ctx: typer.Context,
    system: SystemOpt = None,
    category: Annotated[Category | None, typer.Option("--category", "-c")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print the catalog as Markdown.")
    ] = False,
) -> None:
    """List the catalog of status codes."""
    catalog = ctx.obj.catalog
    if as_json and markdown:
        raise fail("choose one of --json and --markdown")
    if markdown:
        typer.echo(catalog_markdown(catalog, system, category), nl=False)
        return
    rows = catalog_rows(catalog, system, category)
    if as_json:
        typer.echo(json.dumps([r.to_json() for r in rows], indent=2, ensure_ascii=False))
        return
    from rich.table import Table

    table = Table("system", "code", "title", "category", "sfqb will", show_lines=False)
    for status in rows:
        table.add_row(
            status.system.value,
            status.code,
            status.title,
            status.category.value,
            status.remedy.value,
        )
    Console().print(table)


def _read_input(path: str) -> str:
    if path == "-":
        data = sys.stdin.buffer.read()
    else:
        target = Path(path)
        if not target.is_file():
            raise fail(f"no such file: {path}")
        try:
            data = target.read_bytes()
        except OSError as exc:
            raise fail(f"cannot read {path}: {exc.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")
