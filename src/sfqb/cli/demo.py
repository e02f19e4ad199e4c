"""`sfqb demo`: the whole product on loopback, from seeded sandboxes to a decoded log."""

from __future__ import annotations

import json
import shlex
import shutil
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from sfqb.cli.errors import fail
from sfqb.codes.words import flow_text, status_label


class DemoTarget(StrEnum):
    """The QuickBooks a demo runs against."""

    QBD = "qbd"
    QBO = "qbo"


# Salesforce Orders the demo seeds (and one reduction order): sales orders on QuickBooks
# Desktop, invoices on QuickBooks Online; counted under order_to_sales_order in the summary.
DEMO_ORDERS = 3


def demo(  # noqa: PLR0917 - typer's options
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
    scenario: Annotated[
        str | None,
        typer.Option(
            "--scenario",
            help="Run a staged scenario instead: seed-codes (the seven situations of the seed "
            "article and sfqb's remedies, and what people fix by hand: a binding cleared in "
            "Salesforce, a merge, inactive records).",
        ),
    ] = None,
    target: Annotated[
        DemoTarget,
        typer.Option(
            "--target",
            help="qbd: QuickBooks Desktop through the Web Connector; qbo: QuickBooks Online, "
            "pushed by sfqb.",
        ),
    ] = DemoTarget.QBD,
) -> None:
    """Seed the sandboxes, sync until done, show the decoded log."""
    from sfqb.sandbox.demo import DemoOptions, run_demo
    from sfqb.sandbox.qbo_demo import run_qbo_demo

    if scenario is not None:
        show_scenario(ctx, scenario, workdir, json_summary, target)
        return
    size: int | str = int(accounts) if accounts.isdigit() else accounts
    if size not in ("small", "demo") and not isinstance(size, int):
        raise fail(f'--accounts takes a number, "small" or "demo", not {accounts!r}')
    console = Console(highlight=False)
    options = DemoOptions(
        accounts=size, workdir=workdir, vendors=True, family=True, orders=DEMO_ORDERS
    )
    progress: Callable[[str], None] = lambda line: console.print(f"  {line}")  # noqa: E731
    if target is DemoTarget.QBO:
        console.print("Starting the Salesforce and QuickBooks Online sandboxes; connecting the "
                      "demo company through the sandbox's OAuth flow")  # fmt: skip
        result = run_qbo_demo(options, ctx.obj.catalog, progress=progress)
        trips = "QuickBooks Online requests"
    else:
        console.print(
            "Starting the Salesforce and QuickBooks sandboxes and sfqb's Web Connector endpoint"
        )
        result = run_demo(options, ctx.obj.catalog, progress=progress)
        trips = "exchanges with the Web Connector"
    summary = result.summary
    table = Table("flow", "records", title="Synced", box=box.SIMPLE)
    for flow, count in summary["synced"].items():
        table.add_row(flow, str(count))
    console.print(table)
    qb = summary["quickbooks"]
    orders = f", {qb['sales_orders']} sales orders" if qb.get("sales_orders") else ""
    console.print(
        f"QuickBooks now holds {qb['customers']} customers ({qb['jobs']} of them jobs, "
        f"{qb['with_contact']} with a contact), {qb.get('vendors', 0)} vendors, "
        f"{qb['items']} items, {qb['invoices']} invoices{orders} and "
        f"{_count(qb.get('credit_memos', 0), 'credit memo')}; {summary['round_trips']} {trips} in "
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
    _latest_log(console, result.store_url)
    console.print(f"The full log: sfqb log (with SFQB_DATABASE_URL={result.store_url})")
    if result.secret_key:
        console.print(f"Its QuickBooks Online tokens are encrypted: export SFQB_SECRET_KEY="
                      f"{result.secret_key} to use sfqb status on it")  # fmt: skip
    write_summary(json_summary, summary)
    _console_command(console, result.store_url, result.secret_key)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _latest_log(console: Console, store_url: str, lines: int = 8) -> None:
    """The newest lines of the integration log, decoded."""
    from sfqb.store import Store

    store = Store.from_url(store_url)
    try:
        title = "The log, decoded (newest lines; sfqb log shows meaning and fix)"
        table = Table("record", "status", "sfqb did", box=box.SIMPLE, title=title)
        for a in store.journal.log(limit=lines):
            record = str(a.sf) if a.sf else (str(a.qb) if a.qb else "-")
            did = a.action_taken + (f" - {a.summary}" if a.summary else "")
            table.add_row(record, f"{a.system.value}:{a.code} {a.title}", did)
        console.print(table)
    finally:
        store.engine.dispose()


def write_summary(path: Path | None, summary: dict[str, Any]) -> None:
    """Write the summary as JSON to `path` (when given); a clear error when it cannot."""
    if path is None:
        return
    try:
        path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot write {path}: {exc.strerror or exc}") from None


_RUNS = {
    DemoTarget.QBD: ("QuickBooks", "running Web Connector sessions"),
    DemoTarget.QBO: ("QuickBooks Online", "pushing cycles to QuickBooks Online"),
}


def show_scenario(
    ctx: typer.Context,
    name: str,
    workdir: Path | None,
    json_summary: Path | None,
    target: DemoTarget = DemoTarget.QBD,
) -> None:
    """Run scenario `name` and print what happened, what sfqb did and who had to act."""
    from sfqb.sandbox.demo import DemoOptions
    from sfqb.sandbox.scenarios import SCENARIOS, UnknownScenario, run_scenario
    from sfqb.sandbox.scenarios.summary import decoded_lines
    from sfqb.store import Store

    if name not in SCENARIOS:
        raise fail(f"unknown scenario {name!r}; scenarios: {', '.join(SCENARIOS)}")
    console = Console(highlight=False)
    quickbooks, running = _RUNS[target]
    console.print(f"Scenario {name}: staging the situations in the Salesforce and {quickbooks} "
                  f"sandboxes, then {running} until quiet")  # fmt: skip
    try:
        result = run_scenario(
            name, DemoOptions(workdir=workdir), ctx.obj.catalog,
            progress=lambda line: console.print(f"  {line}"), target=target.value,
        )  # fmt: skip
    except UnknownScenario as exc:
        raise fail(str(exc)) from None
    summary = result.summary
    _situations(console, summary)
    _codes(console, summary["codes"])
    store = Store.from_url(result.store_url)
    try:
        console.print("[bold]The log, decoded (first line of each code)[/bold]")
        shown = [row["code"] for row in summary["situations"]]
        for line in decoded_lines(store, "demo", list(dict.fromkeys(shown))):
            record = f"{line.sf.sobject.value} {line.sf.id}" if line.sf else "the company"
            label = status_label(line.system, line.code, line.title)
            console.print(f"  {line.created_at:%H:%M} {label} "
                          f"({flow_text(line.flow)} {line.operation}, {record})")  # fmt: skip
            console.print(f"    {_SAID.get(line.system.value, 'QuickBooks said')}: {line.message}")
            console.print(f"    Meaning: {line.meaning}")
            console.print(f"    Fix: {' '.join(line.fix)}")
            console.print(f"    sfqb: {line.action_taken}")
    finally:
        store.engine.dispose()
    policy = summary["policy"]
    console.print(f"Company policy: on_deleted={policy['on_deleted']} (deleted records are "
                  "re-created, but not those with QuickBooks-side history), "
                  f"on_inactive={policy['on_inactive']} (an inactive customer or item a new "
                  f"transaction names is made active), match_rule={policy['match_rule']}."
                  )  # fmt: skip
    for item in summary["review"]:
        console.print(f"On the review list: {item['source']} ({item['code']}): {item['reason']}; "
                      f"{item['candidates']} candidate(s)")  # fmt: skip
    state = "quiet" if summary["quiet"] else "NOT quiet (records still due)"
    runs = "cycles" if target is DemoTarget.QBO else "sessions"
    console.print(f"{summary['sessions']} {runs}, ended {state}; undecoded statuses: "
                  f"{summary['undecoded']}, duplicates: {summary['duplicates']}.")  # fmt: skip
    # Commands go on lines of their own, never folded, so that a long path copies whole.
    console.print("The full log:")
    console.print(f"  SFQB_DATABASE_URL={result.store_url} sfqb log", soft_wrap=True, markup=False)
    if result.config_path:
        console.print("The scenario's policy is in its config file; so that sfqb status and "
                      "explain state it:")  # fmt: skip
        console.print(f"  export SFQB_CONFIG={result.config_path}", soft_wrap=True, markup=False)
    write_summary(json_summary, summary)
    _console_command(console, result.store_url, result.secret_key, result.config_path)


CONSOLE_PORT = 8000


def sfqb_command() -> str:
    """How to run this sfqb from the current directory: `.venv/bin/sfqb` when that is the
    program running (as under `make demo`), else `sfqb`."""
    program = Path(sys.argv[0])
    if program.name != "sfqb":
        return "sfqb"
    try:
        return str(program.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return "sfqb" if shutil.which("sfqb") == str(program) else str(program)


def console_command(store_url: str, secret_key: str = "", config_path: str = "") -> str:
    """The one command that serves the console over the demo's store."""
    env = [f"SFQB_SECRET_KEY={shlex.quote(secret_key)}"] if secret_key else []
    env += [f"SFQB_CONFIG={shlex.quote(config_path)}"] if config_path else []
    serve = f"{sfqb_command()} serve --database-url {shlex.quote(store_url)} --port {CONSOLE_PORT}"
    return " ".join([*env, serve])


def _console_command(
    console: Console, store_url: str, secret_key: str = "", config_path: str = ""
) -> None:
    console.print(
        f"Open this store in the Integration Manager (http://127.0.0.1:{CONSOLE_PORT}/, user "
        "demo, password demo):"
    )
    console.print(f"  {console_command(store_url, secret_key, config_path)}", soft_wrap=True,
                  markup=False)  # fmt: skip


# Who a log line's message comes from: sfqb's own transport statuses are not QuickBooks' words.
_SAID = {"transport": "sfqb noted"}


def _situations(console: Console, summary: dict[str, Any]) -> None:
    title = summary["situations_title"]
    table = Table("code", "situation", "what happened", "what sfqb did", "who had to act",
                  title=title, box=box.SIMPLE)  # fmt: skip
    for row in summary["situations"]:
        table.add_row(row["code"], row["title"], row["happened"], row["sfqb_did"],
                      row["who_acted"])  # fmt: skip
    console.print(table)


def _codes(console: Console, codes: dict[str, Any]) -> None:
    title = "By code (what went wrong; 'times' counts log lines, the rest counts records)"
    table = Table(title=title, box=box.SIMPLE)
    widest = max((len(key) for key in codes), default=6)
    table.add_column("status", no_wrap=True, min_width=widest)  # a code is never cut
    for header in ("times", "records sfqb resolved", "records on review", "company messages"):
        table.add_column(header)
    for key, n in codes.items():
        if key.endswith(_SUCCESS_CODES):
            continue  # a success is no problem to count
        table.add_row(key, str(n["seen"]), str(n["resolved_automatically"]),
                      str(n["needs_review"]), str(n["company_messages"]))  # fmt: skip
    console.print(table)


# The statuses that report success (qbXML 0, QuickBooks Online's HTTP 200).
_SUCCESS_CODES = ("qbxml:0", "qbo:http-200")


def register(app: typer.Typer) -> None:
    """Add the demo command to the app."""
    app.command()(demo)
