"""`sfqb qwc`: the .qwc file a QuickBooks Web Connector is given, and the Web Connector
login (user, password rotation) of a company."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from sfqb.cli.errors import fail
from sfqb.cli.serving import DatabaseOpt, checked_public_url, open_store
from sfqb.connectors.qbd.webconnector import CompanyLogin, verify_password
from sfqb.services.qwc import DEFAULT_URL, QwcProblem, qwc_document
from sfqb.services.qwc import rotate_password as rotate_qwc_password
from sfqb.store import StoreError


def qwc(  # noqa: PLR0917 - Typer options
    company: Annotated[str, typer.Option("--company", help="The company's name in sfqb.")],
    url: Annotated[
        str | None,
        typer.Option(
            help="The /qbwc address QBWC calls (default: <SFQB_PUBLIC_URL>/qbwc, else "
            f"{DEFAULT_URL})."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write here instead of standard output.")
    ] = None,
    user: Annotated[
        str | None, typer.Option(help="Web Connector user name for a new company.")
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(
            envvar="SFQB_QBWC_PASSWORD",
            help="Password for a new company (or the new one, with --rotate-password).",
        ),
    ] = None,
    rotate_password: Annotated[
        bool,
        typer.Option(
            "--rotate-password",
            help="Replace an existing company's Web Connector password with --password; the "
            "old one stops working at once and its open sessions are closed.",
        ),
    ] = False,
    minutes: Annotated[int, typer.Option("--every", help="RunEveryNMinutes.")] = 15,
    database_url: DatabaseOpt = None,
    new_file_id: Annotated[
        bool,
        typer.Option(
            "--new-file-id",
            help="Give the company a new FileID (for QBWC1039: the Web Connector already holds "
            "this OwnerID/FileID pair). The OwnerID stays: sfqb's data in QuickBooks is kept "
            "under it.",
        ),
    ] = False,
) -> None:
    """Write the .qwc file that connects a QuickBooks company to sfqb through the Web Connector."""
    if url is None:
        public = checked_public_url(os.environ.get("SFQB_PUBLIC_URL"))
        url = f"{public}/qbwc" if public else DEFAULT_URL
    store = open_store(database_url)
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
        rotate_password = False  # the password just set is the company's first
    else:
        _check_unused(login, password, user, rotate_password)
    try:
        document = qwc_document(store, company, url, minutes=minutes, new_file_id=new_file_id)
    except QwcProblem as exc:
        raise fail(str(exc)) from None
    if rotate_password and password:
        closed = rotate_qwc_password(store, company, password).closed_sessions
        typer.echo(
            f"changed the Web Connector password of {company}: the old one no longer works "
            f"({closed} open session(s) closed); enter the new one in the Web Connector",
            err=True,
        )
    if out is None:
        typer.echo(document.decode("utf-8"), nl=False)
        return
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(document)
    os.replace(tmp, out)  # nothing half-written
    typer.echo(f"wrote {out}", err=True)


def _check_unused(
    login: CompanyLogin, password: str | None, user: str | None, rotate: bool
) -> None:
    """Refuse (one line) a password that would be silently ignored; warn of an unused --user."""
    if rotate and not password:
        raise fail("--rotate-password needs the new password: --password (or SFQB_QBWC_PASSWORD)")
    if password and not rotate and not verify_password(password, login.password_hash):
        raise fail(
            f"{login.name} already has a Web Connector password, and --password is not used: "
            "add --rotate-password to replace it (the old one then stops working)"
        )
    if user and user != login.username:
        typer.echo(
            f"--user is not used: {login.name}'s Web Connector user name stays {login.username}",
            err=True,
        )
