"""`sfqb connect salesforce|qbd|qbo` and `sfqb secret-key`: store how sfqb reaches a company."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer

from sfqb.cli.errors import UserError, fail
from sfqb.cli.salesforce import org_line
from sfqb.cli.secret_keys import require_one_key
from sfqb.cli.settings import SettingsError, services_of
from sfqb.services.connections import ConnectionProblem
from sfqb.services.connections import connect_salesforce as connect_salesforce_service
from sfqb.store import ConnectionSystem, SecretKeyError, StoreError


def register(app: typer.Typer) -> None:
    """Add `connect salesforce`, `connect qbd`, `connect qbo` and `secret-key` to the app."""
    group = typer.Typer(
        name="connect", help="Store how sfqb reaches a company's systems.", no_args_is_help=True
    )
    group.command("salesforce")(connect_salesforce)
    group.command("qbd")(connect_qbd)
    from sfqb.cli.qbo import connect_qbo

    group.command("qbo")(connect_qbo)
    app.add_typer(group, name="connect")
    from sfqb.cli import secret_keys

    secret_keys.register(app)


def from_env(var: str | None, what: str) -> str | None:
    """The value of the environment variable `var` (None when no variable is named)."""
    if var is None:
        return None
    value = os.environ.get(var)
    if not value:
        raise SettingsError(f"{what}: the environment variable {var} is not set")
    return value


def salesforce_secret(
    session_id: str | None,
    username: str | None,
    password: str | None,
    refresh_token: str | None,
    extra: Mapping[str, str | None],
) -> dict[str, str]:
    """The secret to store for one of the three ways to sign in (exactly one must be given)."""
    given = [n for n, v in (("--session-id", session_id), ("--username", username),
                            ("--refresh-token-env", refresh_token)) if v]  # fmt: skip
    if len(given) != 1:
        raise SettingsError(
            "give exactly one of --session-id, --username (with --password-env and --client-id) "
            "or --refresh-token-env (with --client-id)"
        )
    optional = {k: v for k, v in extra.items() if v}
    if session_id:
        return {"session_id": session_id}
    if not optional.get("client_id"):
        raise SettingsError(f"{given[0]} needs --client-id (the connected app's consumer key)")
    if refresh_token:
        return {"refresh_token": refresh_token, **optional}
    if not password:
        raise SettingsError("--username needs --password-env VAR (the password is read from VAR)")
    return {"username": str(username), "password": password, **optional}


def connect_salesforce(  # noqa: PLR0917 - Typer options
    ctx: typer.Context,
    company: Annotated[str, typer.Option("--company", help="The company's name in sfqb.")],
    instance: Annotated[str, typer.Option("--instance", help="Instance host[:port].")],
    session_id: Annotated[
        str | None, typer.Option("--session-id", envvar="SFQB_SF_SESSION_ID", help="Session id.")
    ] = None,
    username: Annotated[str | None, typer.Option("--username", help="Login user name.")] = None,
    password_env: Annotated[
        str | None, typer.Option("--password-env", help="Variable holding the password.")
    ] = None,
    token_env: Annotated[
        str | None, typer.Option("--security-token-env", help="Variable holding the token.")
    ] = None,
    refresh_env: Annotated[
        str | None, typer.Option("--refresh-token-env", help="Variable with a refresh token.")
    ] = None,
    client_id: Annotated[str | None, typer.Option("--client-id", help="Consumer key.")] = None,
    secret_env: Annotated[
        str | None, typer.Option("--client-secret-env", help="Variable with the consumer secret.")
    ] = None,
    login_url: Annotated[
        str | None, typer.Option("--login-url", help="Login host URL (default: production).")
    ] = None,
    api_version: Annotated[str | None, typer.Option("--api-version", help="e.g. 59.0")] = None,
    ca_file: Annotated[
        Path | None, typer.Option("--ca-file", help="Certificate authority to trust (PEM).")
    ] = None,
) -> None:
    """Store a company's Salesforce connection; the credentials are encrypted at rest."""
    services = services_of(ctx)
    try:
        if ca_file is not None and not ca_file.is_file():
            raise SettingsError(f"--ca-file {ca_file} is not a file")
        secret = salesforce_secret(
            session_id,
            username,
            from_env(password_env, "--password-env"),
            from_env(refresh_env, "--refresh-token-env"),
            {
                "client_id": client_id,
                "client_secret": from_env(secret_env, "--client-secret-env"),
                "security_token": from_env(token_env, "--security-token-env"),
                "login_url": login_url,
            },
        )
        plain: dict[str, str] = {"instance": instance}
        if api_version:
            plain["api_version"] = api_version
        if ca_file is not None:
            plain["ca_file"] = str(ca_file.resolve())
        require_one_key(services.store, services.secrets)  # never a store with mixed keys
        reached = org_line(
            connect_salesforce_service(
                services.store,
                services.secrets,
                company,
                plain,
                secret,
                org_id_of=lambda name: services.salesforce(name).org_id(),
            )
        )
    except (UserError, SecretKeyError, StoreError, ConnectionProblem) as exc:
        raise fail(str(exc)) from None
    typer.echo(f"stored the Salesforce connection of {company} (credentials encrypted); {reached}")


def connect_qbd(
    ctx: typer.Context,
    company: Annotated[str, typer.Option("--company", help="The company's name in sfqb.")],
    sandbox_file: Annotated[
        Path, typer.Option("--sandbox-file", help="A sandbox company file (created if absent).")
    ],
) -> None:
    """Use a sandbox QuickBooks Desktop company file for a company: `sfqb sync` pushes to it."""
    import random

    from sfqb.sandbox.qbd import CompanyFile, SandboxSettings

    services = services_of(ctx)
    path = sandbox_file.resolve()
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            CompanyFile(SandboxSettings(), services.clock, random.Random()).save(path)
        services.store.connections.save(
            company, ConnectionSystem.QBD, {"sandbox_file": str(path)}, keep_secret=True
        )
    except OSError as exc:
        raise fail(f"cannot create {path}: {exc.strerror or exc}") from None
    except (UserError, StoreError) as exc:
        raise fail(str(exc)) from None
    typer.echo(f"{company} syncs with the sandbox company file {path}")
