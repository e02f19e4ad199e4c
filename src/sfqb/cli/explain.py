"""`sfqb explain` and `sfqb codes`: the catalog for people."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from sfqb.cli.errors import fail
from sfqb.cli.render import status_panel
from sfqb.codes import Catalog, UnknownCodeFormat
from sfqb.codes.docs import catalog_markdown, catalog_rows
from sfqb.codes.findings import (
    MAX_INPUT_BYTES,
    Finding,
    FindingsError,
    find_statuses,
    find_statuses_in_file,
)
from sfqb.codes.words import category_text, remedy_phrase
from sfqb.domain.status import Category, DecodedStatus, System

SystemOpt = Annotated[
    System | None, typer.Option("--system", "-s", help="Look the code up in this system only.")
]


def register(app: typer.Typer) -> None:
    """Add the explain and codes commands to the app."""
    app.command()(explain)
    app.command()(codes)


def explain(  # noqa: PLR0917 - Typer arguments and options
    ctx: typer.Context,
    code: Annotated[
        str | None,
        typer.Argument(
            help="A status code (3100, 0x80040408, QBWC1039, DUPLICATE_VALUE, HTTP 429), or a"
            " whole pasted line or error body."
        ),
    ] = None,
    system: SystemOpt = None,
    file: Annotated[
        str | None,
        typer.Option("--file", "-f", help="Decode every status in a file (- for stdin)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
    company: Annotated[
        str | None,
        typer.Option("--company", help="Say what sfqb does under this company's policy."),
    ] = None,
) -> None:
    """Say what a QuickBooks or Salesforce status code means, how to fix it, and what sfqb does."""
    services = ctx.obj
    console = Console()
    if (code is None) == (file is None):
        raise fail("give either a CODE or --file PATH (see sfqb explain --help)")
    if file is not None:
        if system is not None:
            raise fail("--system applies to a CODE; --file finds the system of each status itself")
        _explain_file(file, services.catalog, console, as_json)
        return
    assert code is not None
    try:
        statuses = services.catalog.interpret(code, system)
    except UnknownCodeFormat as exc:
        if system is None and _explain_pasted(code, services.catalog, console, as_json):
            return
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
    _policy_lines(services, console, statuses, company)


def _policy_lines(
    services: Any, console: Console, statuses: list[DecodedStatus], company: str | None
) -> None:
    """Where the policy decides what sfqb does, say what the policy in force makes it do."""
    from sfqb.domain.policy import CompanyPolicy
    from sfqb.jobs.health import policy_effect

    if company is not None:
        from sfqb.cli.errors import plainly
        from sfqb.cli.settings import companies

        with plainly():
            companies(services.store, company)
            in_force = services.policy_in_force(company)
        policy, whose = in_force.policy, f"{company}'s policy ({in_force.to_json()['source']})"
    else:
        policy, whose = CompanyPolicy(), "the default policy (--company NAME for a company's own)"
    for status in statuses:
        effect = policy_effect(policy, status.remedy)
        if effect is not None:
            console.print(f"Under {whose}, sfqb {effect}.", markup=False, soft_wrap=True)


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

    table = Table("system", "code", "title", "kind", "sfqb will", show_lines=False)
    for status in rows:
        table.add_row(
            status.system.value,
            status.code,
            status.title,
            category_text(status.category),
            remedy_phrase(status.remedy),
        )
    Console().print(table)


def _explain_pasted(text: str, catalog: Catalog, console: Console, as_json: bool) -> bool:
    """Decode a pasted line or body as --file - would; False when it holds no status."""
    try:
        findings = find_statuses(text, catalog, source="the pasted text")
    except FindingsError:
        return False
    if not findings:
        return False
    _print_findings(findings, "the pasted text", console, as_json)
    return True


def _explain_file(file: str, catalog: Catalog, console: Console, as_json: bool) -> None:
    """Print every status found in a file (or stdin) as panels, or as a JSON array."""
    try:
        if file == "-":
            data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
            findings = find_statuses(data, catalog, source="stdin")
        else:
            findings = find_statuses_in_file(Path(file), catalog)
    except FindingsError as exc:
        raise fail(str(exc)) from None
    _print_findings(findings, "standard input" if file == "-" else file, console, as_json)


def _print_findings(findings: list[Finding], where: str, console: Console, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps([f.to_json() for f in findings], indent=2, ensure_ascii=False))
        return
    if not findings:
        console.print(f"No status codes found in {where}.", markup=False, soft_wrap=True)
        return
    count = f"{len(findings)} status{'es' if len(findings) != 1 else ''}"
    console.print(f"{count} found in {where}:", markup=False, soft_wrap=True)
    for finding in findings:
        # The panel has one Message row; the document's extra text (QBO Detail, fields) joins it.
        message = " - ".join(part for part in (finding.status.message, finding.detail) if part)
        console.print(status_panel(replace(finding.status, message=message), finding.location))
