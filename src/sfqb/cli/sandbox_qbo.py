"""`sfqb sandbox qbo`: run the QuickBooks Online sandbox in the foreground."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Annotated

import typer

from sfqb.cli.errors import fail
from sfqb.sandbox.qbo import DEFAULT_REALM, TOKEN_PATH, QboConfig, QboSandbox


def register(sandbox_app: typer.Typer) -> None:
    """Add the `qbo` command to the `sfqb sandbox` group."""
    sandbox_app.command("qbo")(qbo)


def qbo(  # noqa: PLR0917 - one parameter per option
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 (0: any free port).")] = 0,
    tls_dir: Annotated[
        Path, typer.Option("--tls-dir", help="Where to write ca.pem (and reuse the CA from).")
    ] = Path(".sfqb/sandbox/qbo"),
    realm: Annotated[str, typer.Option("--realm", help="The company id.")] = DEFAULT_REALM,
    webhook_url: Annotated[
        str | None, typer.Option("--webhook-url", help="Where to POST webhook notifications.")
    ] = None,
    verifier_token: Annotated[
        str | None, typer.Option("--verifier-token", help="Key of the intuit-signature HMAC.")
    ] = None,
    cloudevents: Annotated[
        bool, typer.Option("--cloudevents", help="Send webhooks in the CloudEvents format.")
    ] = False,
    custom_field: Annotated[
        list[str] | None,
        typer.Option(
            "--custom-field",
            help="ID=LABEL: turn on Intuit's premium Custom Fields API for the company with this "
            "String definition on customers and vendors (repeatable; off by default).",
        ),
    ] = None,
    no_wait: Annotated[bool, typer.Option("--no-wait", hidden=True)] = False,
) -> None:
    """Serve a QuickBooks Online company over HTTPS on loopback until Ctrl-C."""
    if not 0 <= port <= 65535:
        raise fail(f"--port must be between 0 and 65535, not {port}")
    if not realm.isdigit():
        raise fail(f"--realm must be digits, not {realm!r}")
    if (webhook_url is None) != (verifier_token is None):
        raise fail("--webhook-url and --verifier-token go together")
    if webhook_url is not None and not webhook_url.startswith(("http://", "https://")):
        raise fail(f"--webhook-url must be an http(s) URL, not {webhook_url!r}")
    definitions = tuple(_definition(given) for given in custom_field or ())
    config = QboConfig(
        custom_fields_api=bool(definitions),
        custom_field_definitions=definitions,
        realm=realm,
        tls_dir=tls_dir,
        port=port,
        webhook_url=webhook_url,
        verifier_token=verifier_token,
        webhook_cloudevents=cloudevents,
    )
    sandbox = QboSandbox(config)
    try:
        sandbox.start()
    except OSError as exc:
        raise fail(f"cannot start the sandbox on 127.0.0.1:{port}: {exc.strerror or exc}") from None
    try:
        typer.echo(f"QuickBooks Online sandbox on {sandbox.base_url}")
        typer.echo(f"  company id    {realm}")
        typer.echo(f"  API           {sandbox.base_url}/v3/company/{realm}/ (minorversion 75+)")
        typer.echo(f"  access token  {config.access_token}")
        typer.echo(
            f"  OAuth token   {sandbox.base_url}{TOKEN_PATH} "
            f"(client {config.client_id}, secret {config.client_secret}, "
            f"refresh token {config.refresh_token})"
        )
        typer.echo(f"  CA            {sandbox.ca_path}")
        if webhook_url:
            typer.echo(f"  webhooks      {webhook_url}")
        if definitions:
            named = ", ".join(f"{ident} ({label})" for ident, label in definitions)
            typer.echo(f"  custom fields {named}")
        if no_wait:
            return
        typer.echo("Press Ctrl-C to stop.")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            typer.echo("Stopped.")
    finally:
        sandbox.stop()


def _definition(given: str) -> tuple[str, str]:
    ident, sep, label = given.partition("=")
    if not sep or not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", ident) or not label.strip():
        raise fail(f"--custom-field must be ID=LABEL (e.g. 5=Salesforce Id), not {given!r}")
    return ident, label.strip()
