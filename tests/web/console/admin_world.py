"""A private copy of the console's seed-codes store for tests that change settings, users and
tokens (the session's shared store stays as the other console tests expect it)."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.conftest import KEY
from tests.web.console.conftest import ConsoleWorld, serve_app

from sfqb.cli.context import Services
from sfqb.cli.settings import load_config
from sfqb.codes import load_catalog
from sfqb.connectors.qbd.webconnector import NoWorkSource, SoapEndpoint, WebConnectorService
from sfqb.services.people import create_token
from sfqb.store import SecretBox, Store
from sfqb.web import WebServices, create_app

ORG_ID = "00Dxx0000001gPLEAY"


@dataclass(frozen=True)
class AdminWorld:
    """The copied store, the Services a cycle is built from, and the app over them."""

    store: Store
    url: str
    services: Services
    app: FastAPI
    qbo_started: list[tuple[str, str]]


def _copy(world: ConsoleWorld, target: Path) -> str:
    source = world.store.engine.url.database
    assert source, "the console store is an SQLite file"
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return f"sqlite:///{target}"


@contextmanager
def admin_world(world: ConsoleWorld, folder: Path) -> Iterator[AdminWorld]:
    """The copy, served as `sfqb serve` serves it, with a secret key, a Salesforce org check
    that answers ORG_ID, and a QuickBooks Online app that records what was started."""
    url = _copy(world, folder / "admin.sqlite")
    store = Store.from_url(url, secrets=SecretBox(KEY))
    store.migrate()
    services = Services()
    services.config = load_config(Path(world.config_path))
    console, _ = serve_app(services, store)
    started: list[tuple[str, str]] = []

    def qbo_connect(company: str, environment: str) -> str:
        started.append((company, environment))
        return f"https://appcenter.intuit.example/connect?state=s&env={environment}"

    console = dataclasses.replace(
        console,
        secrets=SecretBox(KEY),
        salesforce_org_id=lambda company: ORG_ID,
        qbo_connect=qbo_connect,
    )
    service = WebConnectorService(store, NoWorkSource(), load_catalog(), console.clock)
    app = create_app(WebServices(SoapEndpoint(service), console=console))
    try:
        yield AdminWorld(store, url, services, app, started)
    finally:
        store.engine.dispose()


def bearer(store: Store, user: str) -> dict[str, str]:
    """The Authorization header of a new API token of `user`."""
    return {"Authorization": f"Bearer {create_token(store, user, 'test').token}"}


def client(world: AdminWorld) -> TestClient:
    """A client of the copy's app (its own cookies); redirects are not followed."""
    return TestClient(world.app, follow_redirects=False)
