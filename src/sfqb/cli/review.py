"""`sfqb review`, `sfqb review resolve` and `sfqb rename`: the records waiting for a person.

User mistakes (an unknown item or company, two choices at once, --bind on a company message,
a binding conflict) end with one `sfqb: ...` line and exit 2; Salesforce refusing a rename ends
with its decoded title and fix and exit 1.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from sfqb.cli.bindings import salesforce_ref
from sfqb.cli.context import Services
from sfqb.cli.errors import UserError, fail
from sfqb.cli.review_render import evidence_table, headline, print_company, print_comparison
from sfqb.cli.settings import companies, services_of
from sfqb.connectors.salesforce import SalesforceError
from sfqb.domain.bindings import BindingError
from sfqb.domain.entities import InvalidRef
from sfqb.domain.status import DecodedStatus
from sfqb.jobs.bindings import qb_of
from sfqb.jobs.review import (
    NameStillTaken,
    RenameRefused,
    ReviewDesk,
    ReviewEntry,
    ReviewError,
)
from sfqb.services.review import ReviewService
from sfqb.store import SecretKeyError, StoreError

CompanyOpt = Annotated[
    str | None, typer.Option("--company", help="Only this company (default: every company).")
]

review_app = typer.Typer(
    name="review",
    help="The review list: records sfqb set aside for a person to decide, with the evidence.",
    invoke_without_command=True,
)


def register(app: typer.Typer) -> None:
    """Add `review` (with `review resolve`) and `rename` to the app."""
    app.add_typer(review_app)
    app.command("rename")(rename)


# -- plumbing ----------------------------------------------------------------------------------


def _say_error(status: DecodedStatus, what: str) -> typer.Exit:
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    console.print(
        f"sfqb: {what}: {status.system} {status.code} {status.title}: {status.message}",
        markup=False,
    )
    console.print(f"What to do: {status.fix_text()}", markup=False)
    return typer.Exit(code=1)


@contextmanager
def _plainly() -> Iterator[None]:
    """Expected errors as one line: exit 2 for mistakes, 1 (decoded) for Salesforce's refusals."""
    try:
        yield
    except NameStillTaken as exc:
        item = exc.item
        raise fail(
            f"{exc}. Rename it in the same step: sfqb review resolve {item.id} --recreate "
            f'--rename "NEW NAME"; or, once the QuickBooks record is renamed there: sfqb review '
            f"resolve {item.id} --recreate --anyway"
        ) from None
    except (UserError, ReviewError, SecretKeyError, BindingError, InvalidRef, StoreError) as exc:
        raise fail(str(exc)) from None
    except RenameRefused as exc:
        raise _say_error(exc.status, f"Salesforce refused to rename {exc.sf}") from None
    except SalesforceError as exc:
        raise _say_error(exc.status, "Salesforce") from None


def _desk(services: Services) -> ReviewDesk:
    return ReviewDesk(
        services.store, services.catalog, services.alerts, clock=services.clock,
        profile_of=services.profile,
        match_rule=lambda company: services.policy(company).match_rule,
    )  # fmt: skip


# -- sfqb review -------------------------------------------------------------------------------


@review_app.callback()
def review(
    ctx: typer.Context,
    company: CompanyOpt = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Resolved and ignored items too, not only open ones.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """List the review list: why each record was set aside, and the evidence to decide."""
    if ctx.invoked_subcommand is not None:
        return
    services = services_of(ctx)
    with _plainly():
        names = companies(services.store, company)
        entries = _desk(services).entries(names, include_closed=show_all)
    if as_json:
        typer.echo(json.dumps([e.to_json() for e in entries], indent=2))
        return
    _print_entries(entries, show_all)


def _print_entries(entries: Sequence[ReviewEntry], show_all: bool) -> None:
    # Rich wraps words at spaces; an Id has none, so it is never cut in a narrow terminal.
    console = Console(highlight=False)
    records = [e for e in entries if not e.is_company]
    messages = [e for e in entries if e.is_company]
    state = "" if show_all else "open "
    if not entries:
        console.print(f"no {state}review items", markup=False)
        return
    for entry in records:
        _print_record(console, entry)
    if messages:
        console.print(Text("Company messages", style="bold"))
        for entry in messages:
            print_company(console, entry)
    console.print(
        f"{len(records)} {state}record item(s), {len(messages)} company message(s)", markup=False
    )


def _print_record(console: Console, entry: ReviewEntry) -> None:
    item = entry.item
    console.print(headline(entry))
    console.print(f"  why: {item.reason}", markup=False)
    meaning = item.meaning or (entry.status.meaning if entry.status else "")
    if meaning:
        console.print(f"  meaning: {meaning}", markup=False)
    if entry.comparison:
        print_comparison(console, entry)
    else:
        table = evidence_table(entry)
        if table is not None:
            console.print(table)
    if item.assigned_to and item.status.value == "open":
        console.print(f"  assigned to: {item.assigned_to}", markup=False)
    if entry.pending and item.status.value == "open":
        console.print(f"  pending: {entry.pending}", markup=False)
    if item.status.value == "open" and qb_of(item) is not None:
        console.print(
            "  decide: correct or clear the binding field of this record in QuickBooks "
            f"(closes this item), or sfqb review resolve {item.id} --ignore",
            markup=False,
        )
    elif item.status.value == "open":
        _print_actions(console, entry)
    console.print()


def _print_actions(console: Console, entry: ReviewEntry) -> None:
    item = entry.item
    console.print("  decide:", markup=False)
    resolve = f"sfqb review resolve {item.id}"
    if "bind" in entry.actions:
        what = "same party: " if entry.comparison else ""
        console.print(f"    {what}{resolve} --bind QB_ID", markup=False)
    if "rename" in entry.actions:
        console.print(f'    another party: {resolve} --recreate --rename "NEW NAME"', markup=False)
    elif "recreate" in entry.actions:
        console.print(f"    add it to QuickBooks afresh: {resolve} --recreate", markup=False)
    if "ignore" in entry.actions:
        console.print(f"    leave it: {resolve} --ignore", markup=False)
    if entry.comparison and "rename" not in entry.actions:
        console.print(
            "    (a rename needs the company's Salesforce connection: sfqb connect salesforce "
            f"--company {item.company} ...)",
            markup=False,
        )


# -- sfqb review resolve -----------------------------------------------------------------------


def _service(services: Services) -> ReviewService:
    return ReviewService(
        services.store, services.catalog, services.alerts, services.policy, services.mapper,
        services.salesforce, clock=services.clock, profile_of=services.profile,
    )  # fmt: skip


def _operator() -> str:
    """The OS user running the command: who an action is recorded as without --by."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in the environment or the password database
        return "cli"


def _field_value(text: str) -> tuple[str, str]:
    field, sep, value = text.partition("=")
    if not sep or not field.strip():
        raise UserError(f"--set takes FIELD=VALUE (got {text!r})")
    return field.strip(), value


@review_app.command("resolve")
def resolve(  # noqa: PLR0917 - Typer arguments and options
    ctx: typer.Context,
    item_id: Annotated[int, typer.Argument(help="The review item's number (`sfqb review`).")],
    bind_to: Annotated[
        str | None,
        typer.Option("--bind", metavar="QB_ID", help="Bind the record to this QuickBooks record."),
    ] = None,
    recreate: Annotated[
        bool, typer.Option("--recreate", help="Add the record to QuickBooks afresh.")
    ] = False,
    rename_to: Annotated[
        str | None,
        typer.Option(
            "--rename", metavar="NEW_NAME", help="With --recreate: rename it in Salesforce first."
        ),
    ] = None,
    anyway: Annotated[
        bool,
        typer.Option("--anyway", help="With --recreate: the name clash was fixed in QuickBooks."),
    ] = False,
    ignore: Annotated[
        bool, typer.Option("--ignore", help="Stop trying until the record changes.")
    ] = False,
    retry: Annotated[
        bool, typer.Option("--retry", help="Try the record again at the next cycle.")
    ] = False,
    assign: Annotated[
        str | None, typer.Option("--assign", metavar="USER", help="Assign the item to a user.")
    ] = None,
    email: Annotated[
        str | None,
        typer.Option("--email", help="With --assign: tell the user by e-mail at this address."),
    ] = None,
    set_value: Annotated[
        str | None,
        typer.Option(
            "--set",
            metavar="FIELD=VALUE",
            help="Send VALUE for this QuickBooks field of the record (this record only), retry.",
        ),
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Who acts (recorded; default: the OS user).")
    ] = None,
    company: Annotated[
        str | None, typer.Option("--company", help="The item's company (checked).")
    ] = None,
) -> None:
    """Settle or work one review item: --bind QB_ID, --recreate, --ignore, --retry,
    --assign USER or --set FIELD=VALUE; recorded with who (--by, else the OS user) and when."""
    services = services_of(ctx)
    with _plainly():
        chosen = [n for n, on in (("--bind", bind_to is not None), ("--recreate", recreate),
                                  ("--ignore", ignore), ("--retry", retry),
                                  ("--assign", assign is not None),
                                  ("--set", set_value is not None)) if on]  # fmt: skip
        if len(chosen) != 1:
            given = " and ".join(chosen) if chosen else "none"
            raise UserError(
                "choose exactly one of --bind QB_ID, --recreate, --ignore, --retry, "
                f"--assign USER, --set FIELD=VALUE (got {given})"
            )
        if (rename_to is not None or anyway) and not recreate:
            raise UserError("--rename and --anyway go with --recreate")
        if email is not None and assign is None:
            raise UserError("--email goes with --assign")
        who = by if by is not None else _operator()
        if company is not None:
            companies(services.store, company)
        service = _service(services)
        # An unknown, closed or other company's item is refused here in the CLI's words.
        owner = service.desk.open_item(item_id, company).company
        if bind_to is not None:
            done = service.bind(owner, item_id, bind_to, who)
        elif recreate and rename_to is not None:
            done = service.rename(owner, item_id, rename_to, who)
        elif recreate:
            done = service.recreate(owner, item_id, who, anyway=anyway)
        elif ignore:
            done = service.ignore(owner, item_id, who)
        elif retry:
            done = service.retry(owner, item_id, who)
        elif assign is not None:
            done = service.assign(owner, item_id, assign, who, email=email)
        else:
            assert set_value is not None
            field, value = _field_value(set_value)
            done = service.correct(owner, item_id, field, value, who)
    item = done.view.item
    typer.echo(f"review item {item.id} ({item.company}) {item.status.value}: {done.done}")


@review_app.command("correct")
def correct(
    ctx: typer.Context,
    sf_id: Annotated[str, typer.Argument(help="The Salesforce Id of the record.")],
    set_value: Annotated[
        str, typer.Argument(metavar="FIELD=VALUE", help="The QuickBooks field and its value.")
    ],
    company: Annotated[str, typer.Option("--company", help="The record's company.")],
    by: Annotated[
        str | None, typer.Option("--by", help="Who acts (recorded; default: the OS user).")
    ] = None,
) -> None:
    """Send VALUE for a QuickBooks field of a record QuickBooks refused on its data (this record
    only; neither system is edited), and try it again at the next cycle."""
    services = services_of(ctx)
    with _plainly():
        companies(services.store, company)
        field, value = _field_value(set_value)
        done = _service(services).correct_record(
            company, salesforce_ref(sf_id), field, value, by if by is not None else _operator()
        )
    typer.echo(f"Salesforce {sf_id} ({company}): {done}")


# -- sfqb rename -------------------------------------------------------------------------------


def rename(
    ctx: typer.Context,
    sf_id: Annotated[str, typer.Argument(help="The Account or Product2 Id.")],
    name: Annotated[str, typer.Argument(help="The new name.")],
    company: Annotated[str, typer.Option("--company", help="The company.")],
) -> None:
    """Rename a record in Salesforce so QuickBooks takes it under a name it does not have yet."""
    services = services_of(ctx)
    with _plainly():
        companies(services.store, company)
        sf = salesforce_ref(sf_id)
        if not name.strip():
            raise UserError("the new name is empty")
        closed, row = _desk(services).rename(company, sf, name, services.salesforce(company))
    typer.echo(f'renamed Salesforce {sf} to "{name.strip()}" in {company}')
    for done in closed:
        typer.echo(f"review item {done.item.id} resolved")
    if row is not None:
        typer.echo("the next cycle sends it to QuickBooks under the new name")
