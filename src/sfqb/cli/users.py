"""`sfqb user ...`: the console's users, their company grants and their API tokens.

Passwords are asked twice at the terminal (never echoed), or read from standard input with
`--password-stdin` (one line) for scripts.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from sfqb.cli.errors import fail, plainly
from sfqb.cli.serving import DatabaseOpt, open_store
from sfqb.domain.people import Role
from sfqb.services import people
from sfqb.store import Store

user_app = typer.Typer(
    name="user",
    help="The console's users: add them, set passwords, grant companies, make API tokens.",
    no_args_is_help=True,
)

RoleOpt = Annotated[
    Role,
    typer.Option(
        "--role",
        case_sensitive=False,
        help="viewer reads; operator also acts on records; admin also manages users, "
        "connections and settings.",
    ),
]
CompanyOpt = Annotated[str, typer.Option("--company", help="The company's name in sfqb.")]
PasswordStdinOpt = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="Read the password from standard input (one line) instead."
    ),
]


@contextmanager
def _plainly() -> Iterator[None]:
    """The CLI's one-line errors, and the people service's own."""
    try:
        with plainly():
            yield
    except people.PeopleError as exc:
        raise fail(str(exc)) from None


def _store(ctx: typer.Context, url: str | None) -> Store:
    from sfqb.cli.settings import services_of

    services = services_of(ctx)
    if url is None:
        with plainly():
            return services.store
    return open_store(url, services.secrets)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        if not password:
            raise fail("--password-stdin: standard input held no password")
        return password.removesuffix("\r")
    if not sys.stdin.isatty():
        raise fail(
            "no password given: run this in a terminal to be asked for it, or pipe it in "
            "with --password-stdin"
        )
    entered: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return entered


def _companies(granted: frozenset[str] | None) -> str:
    if granted is None:
        return "all companies"
    return ", ".join(sorted(granted)) or "none"


@user_app.command("add")
def add(  # noqa: PLR0917 - Typer options
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The user name they sign in with.")],
    role: RoleOpt,
    company: Annotated[
        list[str] | None,
        typer.Option("--company", help="A company they may see (repeat for more)."),
    ] = None,
    all_companies: Annotated[
        bool, typer.Option("--all-companies", help="They see every company, also later ones.")
    ] = False,
    password_stdin: PasswordStdinOpt = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Add a console user (at least 8 characters of password)."""
    if all_companies and company:
        raise fail("give either --company (one or more) or --all-companies, not both")
    store = _store(ctx, database_url)
    with _plainly():
        if store.people.get(name) is not None:
            raise people.UserExists(f"a user named {name!r} exists already")
        password = _password(password_stdin)
        user = people.add_user(
            store, name, password, role, tuple(company or ()), all_companies=all_companies
        )
    typer.echo(f"added {user.name} ({user.role.value}; {_companies(user.companies)})")


@user_app.command("passwd")
def passwd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The user.")],
    password_stdin: PasswordStdinOpt = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Set a user's password."""
    store = _store(ctx, database_url)
    with _plainly():
        if store.people.get(name) is None:
            raise people.UnknownUser(name)
        people.change_password(store, name, _password(password_stdin))
    typer.echo(f"the password of {name} is changed")


@user_app.command("grant")
def grant(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The user.")],
    company: CompanyOpt,
    database_url: DatabaseOpt = None,
) -> None:
    """Let a user see a company."""
    store = _store(ctx, database_url)
    with _plainly():
        done = people.grant(store, name, company)
    typer.echo(f"{name} may see {company}" + ("" if done else " (already could)"))


@user_app.command("revoke")
def revoke(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The user.")],
    company: CompanyOpt,
    database_url: DatabaseOpt = None,
) -> None:
    """Take a company from a user."""
    store = _store(ctx, database_url)
    with _plainly():
        done = people.revoke(store, name, company)
    typer.echo(f"{name} no longer sees {company}" if done else f"{name} did not see {company}")


@user_app.command("disable")
def disable(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The user.")],
    database_url: DatabaseOpt = None,
) -> None:
    """Disable a user: their sessions end and their API tokens stop working."""
    store = _store(ctx, database_url)
    with _plainly():
        people.set_disabled(store, name, True)
    typer.echo(f"{name} is disabled (sfqb user enable {name} undoes it)")


@user_app.command("enable")
def enable(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The user.")],
    database_url: DatabaseOpt = None,
) -> None:
    """Enable a disabled user again."""
    store = _store(ctx, database_url)
    with _plainly():
        people.set_disabled(store, name, False)
    typer.echo(f"{name} is enabled")


@user_app.command("remove")
def remove(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The user.")],
    database_url: DatabaseOpt = None,
) -> None:
    """Delete a user, their grants and their API tokens."""
    store = _store(ctx, database_url)
    with _plainly():
        people.remove_user(store, name)
    typer.echo(f"{name} is removed")


@user_app.command("list")
def list_users(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    database_url: DatabaseOpt = None,
) -> None:
    """List the console's users."""
    store = _store(ctx, database_url)
    with _plainly():
        users = people.list_users(store)
    if as_json:
        rows = [
            {
                "name": u.name,
                "role": u.role.value,
                "companies": None if u.companies is None else sorted(u.companies),
                "disabled": u.disabled,
                "created_at": u.created_at.isoformat(),
            }
            for u in users
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    if not users:
        typer.echo("no users yet: sfqb user add NAME --role admin --all-companies")
        return
    table = Table("user", "role", "companies", "state", box=box.SIMPLE)
    for u in users:
        table.add_row(u.name, u.role.value, _companies(u.companies),
                      "disabled" if u.disabled else "active")  # fmt: skip
    Console(highlight=False).print(table)


@user_app.command("token")
def token(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The user the token acts as.")],
    label: Annotated[str, typer.Option("--label", help="What the token is for.")],
    database_url: DatabaseOpt = None,
) -> None:
    """Make an API token for a user; it is printed this once (only its hash is kept)."""
    store = _store(ctx, database_url)
    with _plainly():
        made = people.create_token(store, name, label)
    typer.echo(made.token)
    typer.echo(
        f"API token {made.id} of {made.user} ({made.label}): shown this once, keep it safe; "
        f"send it as 'Authorization: Bearer <token>'; revoke it with sfqb user token-revoke "
        f"{made.id}",
        err=True,
    )


@user_app.command("token-revoke")
def token_revoke(
    ctx: typer.Context,
    token_id: Annotated[int, typer.Argument(metavar="ID", help="The token's id.")],
    database_url: DatabaseOpt = None,
) -> None:
    """Revoke an API token: it works no more."""
    store = _store(ctx, database_url)
    with _plainly():
        revoked = people.revoke_token(store, token_id)
    typer.echo(f"API token {revoked.id} of {revoked.user} ({revoked.label}) is revoked")


def register(app: typer.Typer) -> None:
    """Add the `user` group to the app."""
    app.add_typer(user_app)
