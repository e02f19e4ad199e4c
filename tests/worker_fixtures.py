"""Fixtures of the tests of `sfqb worker`: PostgreSQL only (`database_url`), and a migrated
store in a throwaway schema whose URL and secret key the processes inherit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.conftest import KEY, _postgres_url

from sfqb.store import SecretBox, Store


@pytest.fixture(name="database_url")
def postgres_url() -> str:
    """Workers need PostgreSQL (isolated_url makes it a throwaway schema)."""
    return _postgres_url()


@pytest.fixture(name="store")
def worker_store(isolated_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """The migrated store; SFQB_DATABASE_URL and SFQB_SECRET_KEY name it to subprocesses."""
    monkeypatch.setenv("SFQB_DATABASE_URL", isolated_url)
    monkeypatch.setenv("SFQB_SECRET_KEY", KEY)
    monkeypatch.delenv("SFQB_CONFIG", raising=False)
    store = Store.from_url(isolated_url, secrets=SecretBox(KEY))
    store.migrate()
    yield store
    store.engine.dispose()
