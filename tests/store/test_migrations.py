"""Revisions on both backends: up, down to 0001 and base, in step with the models; 0005's data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Boolean, column, insert, inspect, table, text

from sfqb.store import Store
from sfqb.store.job_tables import sfqb_owns
from sfqb.store.models import Base, UTCDateTime

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


def test_migrated_schema_matches_the_models(isolated_url: str) -> None:
    db = Store.from_url(isolated_url)  # migrated here: `db` is a copy of a migrated template
    db.migrate()
    with db.engine.connect() as connection:
        opts = {"compare_type": True, "include_name": sfqb_owns}  # procrastinate's are not ours
        context = MigrationContext.configure(connection, opts=opts)
        diffs = compare_metadata(context, Base.metadata)
    db.engine.dispose()
    assert diffs == []


def test_0005_keeps_one_open_session_per_company(isolated_url: str) -> None:
    """Stores of older sfqb may hold overlapping open sessions: the upgrade keeps the newest
    per company (its lease lapsed), closes the others and fails their unanswered sets."""
    store = Store.from_url(isolated_url)
    try:
        store.migrate("0004_sf_bind_request")
        t0 = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
        acme = store.create_company("Acme", "acme", "pw")
        texts = ("hcp_response", "company_file", "qbxml_version", "country", "last_error")
        sessions = table(
            "qbwc_sessions", column("ticket"), column("company_id"), column("position"),
            column("created", UTCDateTime()), column("last_seen", UTCDateTime()),
            column("closed", Boolean()), *(column(name) for name in texts),
        )  # fmt: skip
        item = store.enqueue(acme.id, "<one/>")
        with store.engine.begin() as connection:
            for number, ticket in enumerate(("old", "new")):
                at = t0 + timedelta(minutes=number)
                connection.execute(
                    insert(sessions).values(
                        ticket=ticket, company_id=acme.id, created=at, last_seen=at,
                        closed=False, position=0, **dict.fromkeys(texts, ""),
                    )
                )  # fmt: skip
            sent = "UPDATE qbd_outbox SET status = 'sent', ticket = 'old' WHERE id = :id"
            connection.execute(text(sent), {"id": item})
        store.migrate("0005_session_lease")  # 0009 then hashes the tickets
        assert [s.ticket for s in store.open_sessions(acme.id)] == ["new"]
        assert store.get_session("new").lease_until == store.get_session("new").last_seen
        assert store.get_session("old").closed
        assert store.item(item).status.value == "failed"
        store.downgrade("0004_sf_bind_request")
        columns = {c["name"] for c in inspect(store.engine).get_columns("qbwc_sessions")}
        assert not {"owner", "lease_until"} & columns
    finally:
        store.engine.dispose()
