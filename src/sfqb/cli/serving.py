"""Options and helpers `sfqb serve` and `sfqb qwc` share: the store, the public URL."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Annotated

import typer

from sfqb.cli.errors import fail
from sfqb.store import SecretBox, Store

PublicUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--public-url",
        envvar="SFQB_PUBLIC_URL",
        help="The https address the Web Connector reaches sfqb at (behind a TLS proxy: the "
        "proxy's), e.g. https://sfqb.example.com; goes into the WSDL and .qwc files.",
    ),
]
DatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="SFQB_DATABASE_URL",
        help="SQLAlchemy URL of the store (default: SQLite file var/sfqb.sqlite).",
    ),
]


def open_store(url: str | None, secrets: SecretBox | None = None) -> Store:
    """The store at `url` (default: var/sfqb.sqlite), migrated; one line when it fails."""
    if url is None:
        Path("var").mkdir(exist_ok=True)
        url = "sqlite:///var/sfqb.sqlite"
    try:
        store = Store.from_url(url, secrets=secrets)
        store.migrate()
    except Exception as exc:  # a bad URL or an unreachable database: one line, no traceback
        raise fail(f"cannot open the store at {url}: {exc}") from None
    return store


def checked_public_url(given: str | None) -> str | None:
    """The checked --public-url / SFQB_PUBLIC_URL, or None when neither is set."""
    from sfqb.web.security import PublicUrlError, public_base_url

    if not given:
        return None
    try:
        return public_base_url(given)
    except PublicUrlError as exc:
        raise fail(str(exc)) from None


def freeze_startup_objects() -> None:
    """Leave what a long-running process built before serving (modules, the catalog, flows,
    the app) out of the garbage collector's full collections from now on.

    Those objects live as long as the process: a full collection walked all of them again
    each time, a sixth of sfqb's CPU on the 4x initial load (benchmarks/initial_load.py).
    Garbage is collected first, so none is frozen (Python docs, gc.freeze).
    """
    gc.collect()
    gc.freeze()
