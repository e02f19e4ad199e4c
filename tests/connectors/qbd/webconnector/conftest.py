"""Fixtures for the Web Connector service tests: a SQLite store, a manual clock, a catalog."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sfqb.codes import Catalog, load_catalog
from sfqb.connectors.qbd.webconnector import OutboxItem, WebConnectorService, WorkHandle
from sfqb.domain.status import DecodedStatus
from sfqb.store import Store


class Clock:
    """A clock tests move by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class RecordingWork:
    """A work source that hands out prepared message sets and records what comes back."""

    def __init__(self) -> None:
        self.pending: list[str] = []
        self.delivered: list[OutboxItem] = []
        self.outages: list[DecodedStatus] = []

    def begin(self, company: str, handle: WorkHandle) -> bool:
        """Queue the prepared message sets at once: the work is done when this returns."""
        out, self.pending = self.pending, []
        for message_set in out:
            handle.enqueue(message_set)
        return False

    def wait(self, company: str, seconds: float) -> bool:
        """Nothing runs beside the session."""
        return False

    def deliver(self, company: str, item: OutboxItem) -> None:
        self.delivered.append(item)

    def outage(self, company: str, status: DecodedStatus) -> None:
        self.outages.append(status)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Store:
    db = Store.from_url(f"sqlite:///{tmp_path / 'wc.sqlite'}")
    db.migrate()
    db.create_company("Acme", "acme", "s3cret")
    return db


@pytest.fixture
def work() -> RecordingWork:
    return RecordingWork()


@pytest.fixture
def service(
    store: Store, work: RecordingWork, catalog: Catalog, clock: Clock
) -> WebConnectorService:
    return WebConnectorService(store, work, catalog, clock)
