"""`sfqb sandbox salesforce`: run the Salesforce sandbox in the foreground."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Annotated

import typer

from sfqb.cli.errors import fail
from sfqb.sandbox.salesforce import SalesforceSandbox, SandboxConfig, SeedError


def register(sandbox_app: typer.Typer) -> None:
    """Add the `salesforce` command to the `sfqb sandbox` group."""
    sandbox_app.command("salesforce")(salesforce)


def salesforce(
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 (0: any free port).")] = 0,
    seed: Annotated[
        str | None,
        typer.Option("--seed", help="Fill the org: small, demo, or a number of accounts."),
    ] = None,
    tls_dir: Annotated[
        Path,
        typer.Option("--tls-dir", help="Where to write ca.pem (and reuse the CA from)."),
    ] = Path(".sfqb/sandbox/salesforce"),
    no_wait: Annotated[bool, typer.Option("--no-wait", hidden=True)] = False,
) -> None:
    """Serve a Salesforce org over HTTPS on loopback until Ctrl-C."""
    if not 0 <= port <= 65535:
        raise fail(f"--port must be between 0 and 65535, not {port}")
    size: str | int | None = int(seed) if seed is not None and seed.isdigit() else seed
    config = SandboxConfig(tls_dir=tls_dir, port=port, seed=size)
    try:
        sandbox = SalesforceSandbox(config)
    except SeedError as exc:
        raise fail(str(exc)) from None
    try:
        sandbox.start()
    except OSError as exc:
        raise fail(f"cannot start the sandbox on 127.0.0.1:{port}: {exc.strerror or exc}") from None
    try:
        typer.echo(f"Salesforce sandbox on {sandbox.instance_url}")
        typer.echo(f"  instance    {sandbox.instance}")
        typer.echo(f"  session id  {sandbox.session_id}")
        typer.echo(f"  CA          {sandbox.ca_path}")
        typer.echo(
            f"  OAuth       {sandbox.token_url} "
            f"(username {config.username}, password {config.password})"
        )
        if no_wait:
            return
        typer.echo("Press Ctrl-C to stop.")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            typer.echo("Stopped.")
    finally:
        sandbox.stop()
