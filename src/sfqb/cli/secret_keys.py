"""`sfqb secret-key` (print a new key) and `sfqb secret-key rotate`, and the one-key checks.

A store holds secrets under one key. `serve` refuses to start when SFQB_SECRET_KEY does not
open them all, `connect` refuses to add a secret under another key (a store with mixed keys
could never be opened whole), and `rotate` moves every secret to a new key in one transaction.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from sfqb.cli.errors import fail
from sfqb.store import SecretBox, SecretKeyError, Store, generate_key
from sfqb.store.keyring import rotate, undecryptable
from sfqb.store.secrets import ENV_VAR

NEW_ENV_VAR = "SFQB_NEW_SECRET_KEY"


def register(app: typer.Typer) -> None:
    """Add the `secret-key` group (no subcommand: print a new key) to the app."""
    group = typer.Typer(
        name="secret-key",
        help="Print a new key for SFQB_SECRET_KEY, or rotate the key the store is under.",
        invoke_without_command=True,
    )
    group.callback()(new_key)
    group.command("rotate")(rotate_key)
    app.add_typer(group, name="secret-key")


def new_key(ctx: typer.Context) -> None:
    """Print a new random key for SFQB_SECRET_KEY."""
    if ctx.invoked_subcommand is not None:
        return
    key = generate_key()
    typer.echo(key)
    typer.echo(
        f"export it before running sfqb: export {ENV_VAR}='{key}' (keep it safe: it decrypts "
        "the stored credentials)",
        err=True,
    )


def key_problem(store: Store, box: SecretBox | None) -> str | None:
    """One line naming what is wrong when `box` cannot open every stored secret, else None."""
    found = undecryptable(store.engine, box)
    if not found:
        return None
    names = ", ".join(sorted(found))
    if box is None:
        return (
            f"{ENV_VAR} is not set, and the store holds encrypted secrets of {names}: export "
            "the key they were encrypted with"
        )
    return (
        f"{ENV_VAR} cannot decrypt the stored secrets of {names}: export the key they were "
        f"encrypted with, or move them to this key with `sfqb secret-key rotate` "
        f"(old key in {ENV_VAR}, new key in {NEW_ENV_VAR})"
    )


def require_one_key(store: Store, box: SecretBox | None) -> None:
    """Fail (one line) when the store holds secrets `box` cannot decrypt."""
    problem = key_problem(store, box)
    if problem is not None:
        raise fail(problem)


def rotate_key(
    ctx: typer.Context,
    old_env: Annotated[
        str, typer.Option("--old-key-env", help="Variable holding the current key.")
    ] = ENV_VAR,
    new_env: Annotated[
        str, typer.Option("--new-key-env", help="Variable holding the new key.")
    ] = NEW_ENV_VAR,
) -> None:
    """Re-encrypt every stored secret under a new key, in one transaction.

    Stopped half-way, nothing has changed: the store is still under the old key. Then export
    the new key as SFQB_SECRET_KEY.
    """
    from sfqb.cli.settings import services_of

    old, new = os.environ.get(old_env, ""), os.environ.get(new_env, "")
    if not old.strip() or not new.strip():
        missing = old_env if not old.strip() else new_env
        raise fail(f"the environment variable {missing} is not set: give the old key in "
                   f"{old_env} and the new key in {new_env}")  # fmt: skip
    if old == new:
        raise fail(f"{old_env} and {new_env} hold the same key: nothing to rotate")
    store = services_of(ctx).store
    try:
        count = rotate(store.engine, SecretBox(old), SecretBox(new))
    except SecretKeyError as exc:
        raise fail(f"{exc}; nothing was changed") from None
    typer.echo(
        f"re-encrypted {count} stored secret(s) under the new key; now export it as {ENV_VAR}"
    )
