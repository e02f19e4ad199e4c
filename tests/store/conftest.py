"""Store fixtures: a database of the test's own on each backend, migrated to head."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from sfqb.domain.status import Actor, Category, DecodedStatus, Remedy, Severity, System
from sfqb.store import SecretBox, Store

T0 = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
KEY = "wB0Q0Ckf2vXnKxQv2p7kO5nTqJ9lqWv2o8y1QzWm0dE="


@pytest.fixture
def isolated_url(database_url: str) -> Iterator[str]:
    """SQLite as given; on the shared PostgreSQL database, a throwaway schema of this test."""
    if not database_url.startswith("postgresql"):
        yield database_url
        return
    schema = f"sfqb_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(database_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in database_url else "?"
    try:
        yield f"{database_url}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def db(isolated_url: str) -> Iterator[Store]:
    """A migrated store with a secret key, on each backend."""
    store = Store.from_url(isolated_url, secrets=SecretBox(KEY))
    store.migrate()
    yield store
    store.engine.dispose()


def status(
    code: str = "0",
    severity: Severity = Severity.INFO,
    system: System = System.QBXML,
    fix: tuple[str, ...] = ("Nothing to do.",),
) -> DecodedStatus:
    """A decoded status for tests (no catalog needed)."""
    failed = severity is Severity.ERROR
    return DecodedStatus(
        system=system,
        code=code,
        severity=severity,
        message=f"message {code}",
        title=f"title {code}",
        meaning=f"meaning {code}",
        fix=fix,
        category=Category.DUPLICATE if failed else Category.OK,
        retryable=False,
        remedy=Remedy.BIND_EXISTING if failed else Remedy.NONE,
        actor=Actor.SFQB,
        known=True,
    )
