"""Revision 0002 on both backends: up, down to 0001 and base, and in step with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from sfqb.store import Store
from sfqb.store.models import Base

SYNC_TABLES = {
    "connections",
    "bindings",
    "checkpoints",
    "runs",
    "attempts",
    "sync_queue",
    "review_items",
}
WEBCONNECTOR_TABLES = {"companies", "qbwc_sessions", "qbd_outbox"}


def _tables(store: Store) -> set[str]:
    return set(inspect(store.engine).get_table_names())


def test_upgrade_downgrade_round_trip(isolated_url: str) -> None:
    store = Store.from_url(isolated_url)
    try:
        store.migrate("0001_webconnector")
        assert _tables(store) >= WEBCONNECTOR_TABLES
        assert not SYNC_TABLES & _tables(store)
        store.migrate()
        assert _tables(store) >= SYNC_TABLES | WEBCONNECTOR_TABLES
        store.migrate()  # idempotent
        store.downgrade("0001_webconnector")
        assert not SYNC_TABLES & _tables(store)
        assert _tables(store) >= WEBCONNECTOR_TABLES
        store.downgrade("base")
        assert not (SYNC_TABLES | WEBCONNECTOR_TABLES) & _tables(store)
        store.migrate()
        assert _tables(store) >= SYNC_TABLES | WEBCONNECTOR_TABLES
    finally:
        store.engine.dispose()


def test_migrated_schema_matches_the_models(db: Store) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)
    assert diffs == []
