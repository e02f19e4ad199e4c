"""A seed-codes store of the review tests' own, stopped after the first Web Connector session
so the Northwind Traders 3100 item is still open (the full demo fixes it by hand later), with
the console's four users and the app `sfqb serve` builds over it."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.web.console.conftest import COMPANY, SECOND, USERS, ConsoleWorld, serve_app

from sfqb.cli.context import Services
from sfqb.cli.settings import load_config
from sfqb.codes import load_catalog
from sfqb.domain.entities import SfObject, SfRef
from sfqb.domain.status import System
from sfqb.jobs.bindings import sf_of
from sfqb.sandbox.demo import DemoOptions
from sfqb.sandbox.scenarios import run_scenario
from sfqb.services.people import add_user
from sfqb.store import QueueItem, QueueStatus, Store
from sfqb.store.models import QueueRow

NORTHWIND = "Northwind Traders"
CATALOG = load_catalog()


def build_review_world() -> Iterator[ConsoleWorld]:
    """The world; its store is disposed of when the generator closes."""
    workdir = Path(tempfile.mkdtemp(prefix="sfqb-review-test-"))
    services = Services()
    options = DemoOptions(workdir=workdir, max_sessions=1)
    result = run_scenario("seed-codes", options, services.catalog)
    store = Store.from_url(result.store_url)
    store.migrate()
    store.create_company(SECOND, "second-books", "second-books-pw")
    for name, (password, role) in USERS.items():
        if store.people.get(name) is None:
            granted = (SECOND,) if name == "other" else (COMPANY,)
            add_user(store, name, password, role, granted)
    services.config = load_config(Path(result.config_path))
    console, app = serve_app(services, store)
    yield ConsoleWorld(store, services, console, app, result.config_path)
    store.engine.dispose()


def northwind_item(store: Store) -> int:
    """The open 3100 item of Northwind Traders."""
    for item in store.review.items(COMPANY):
        sf = sf_of(item)
        row = store.queue.get(COMPANY, item.flow, sf) if sf is not None else None
        if item.code == "3100" and row is not None and row.payload.get("Name") == NORTHWIND:
            return item.id
    pytest.fail("no open 3100 item for Northwind Traders")


def held_account(store: Store) -> QueueItem:
    """Stage what the runner records when QuickBooks refuses an Account's value (3210):
    its queue row failed, waiting for a person, with no review item."""
    row = next(
        r for r in store.queue.open_items(COMPANY) + _done_accounts(store)
        if isinstance(r.source, SfRef) and r.source.sobject is SfObject.ACCOUNT
        and not store.review.of_record(COMPANY, "Account", r.source.id)
    )  # fmt: skip
    if row.status is not QueueStatus.PENDING:
        row = store.queue.requeue(row.id)
    store.queue.mark(row.id, QueueStatus.INFLIGHT)
    refused = CATALOG.decode(System.QBXML, "3210", "Invalid field value")
    return store.queue.mark(row.id, QueueStatus.FAILED, decoded=refused)


def _done_accounts(store: Store) -> list[QueueItem]:
    with store.engine.connect() as connection:
        ids = connection.scalars(
            select(QueueRow.id).where(
                QueueRow.company == COMPANY, QueueRow.source_type == "Account"
            )
        ).all()
    return [r for r in (store.queue.item(i) for i in ids) if r is not None]
