"""The store on SQLite and PostgreSQL: migrations, companies, sessions, the outbox."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect
from sqlalchemy.exc import StatementError

from sfqb.connectors.qbd.webconnector import (
    OutboxStatus,
    SessionState,
    TakeOver,
    verify_password,
)
from sfqb.store import Store, StoreError
from sfqb.store.repository import MIGRATIONS

T0 = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


@pytest.fixture
def url(isolated_url: str) -> str:
    """SQLite as given; on the shared PostgreSQL database, a schema of this test's own."""
    return isolated_url


@pytest.fixture
def store(url: str) -> Iterator[Store]:
    db = Store.from_url(url)
    db.migrate()
    yield db
    db.engine.dispose()


def test_migration_creates_the_tables_and_downgrades(url: str, store: Store) -> None:
    tables = set(inspect(store.engine).get_table_names())
    assert {"companies", "qbwc_sessions", "qbd_outbox", "alembic_version"} <= tables
    store.migrate()  # idempotent
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert "companies" not in inspect(store.engine).get_table_names()
    store.migrate()
    assert "qbd_outbox" in inspect(store.engine).get_table_names()


def test_companies(store: Store) -> None:
    created = store.create_company("Acme", "acme", "pw")
    assert created.owner_id.startswith("{") and created.owner_id.endswith("}")
    assert len(created.file_id) == 38 and created.file_id != created.owner_id
    again = store.company("Acme")
    assert again is not None
    assert (again.owner_id, again.file_id) == (created.owner_id, created.file_id)  # stable
    assert verify_password("pw", again.password_hash)
    assert store.company_by_username("acme") == again
    assert store.company_name(created.id) == "Acme"
    with pytest.raises(StoreError, match="already exists"):
        store.create_company("Acme", "other", "pw")
    with pytest.raises(StoreError, match="already exists"):
        store.create_company("Other", "acme", "pw")
    store.set_password("Acme", "new")
    assert verify_password("new", store.company("Acme").password_hash)
    with pytest.raises(StoreError):
        store.set_password("Nobody", "x")


def test_sessions_round_trip_with_aware_times(store: Store) -> None:
    company = store.create_company("Acme", "acme", "pw")
    state = SessionState(ticket="t-1", company_id=company.id, created=T0, last_seen=T0)
    assert store.start_session(state)
    assert store.get_session("t-1") == state
    assert store.last_contact("Acme") == T0
    later = SessionState(
        ticket="t-1", company_id=company.id, created=T0, last_seen=T0 + timedelta(seconds=5),
        hcp_response="<QBXML/>", company_file="C:\\a.qbw", qbxml_version="13.0",
        country="US", position=3, last_error="x", closed=True,
    )  # fmt: skip
    store.save_session(later)
    assert store.get_session("t-1") == later
    assert store.get_session("t-1").last_seen.tzinfo is not None
    assert store.open_sessions(company.id) == []
    with pytest.raises(StatementError, match="naive"):
        store.start_session(
            SessionState(ticket="t-2", company_id=company.id, created=T0.replace(tzinfo=None),
                         last_seen=T0)
        )  # fmt: skip


def test_one_open_session_per_company_and_a_conditional_take_over(store: Store) -> None:
    """The constraint, not the caller's check, keeps a second session out; a take-over closes
    its predecessor only while that one is still lapsed."""
    acme = store.create_company("Acme", "acme", "pw")
    other = store.create_company("Other", "other", "pw")

    def state(ticket: str, company: int, at: datetime, lease: int = 45) -> SessionState:
        until = at + timedelta(seconds=lease)
        return SessionState(ticket, company, at, at, owner="p1", lease_until=until)

    assert store.start_session(state("a-1", acme.id, T0))
    assert not store.start_session(state("a-2", acme.id, T0))  # no look first: still refused
    assert store.start_session(state("o-1", other.id, T0))  # other companies are unaffected
    assert store.get_session("a-2") is None
    soon = T0 + timedelta(seconds=10)
    live = TakeOver("a-1", silent_since=soon - timedelta(seconds=600), why="taken over")
    assert not store.start_session(state("a-3", acme.id, soon), live)  # the lease still holds
    assert store.renew_leases("p1", T0 + timedelta(seconds=90), T0 - timedelta(seconds=1)) == 2
    assert store.renew_leases("p2", T0 + timedelta(seconds=900), T0) == 0  # not its sessions
    later = T0 + timedelta(seconds=60)
    lapsed = TakeOver("a-1", silent_since=later - timedelta(seconds=600), why="taken over")
    assert not store.start_session(state("a-4", acme.id, later), lapsed)  # renewed to 90 s
    after = T0 + timedelta(seconds=91)
    lapsed = TakeOver("a-1", silent_since=after - timedelta(seconds=600), why="taken over")
    assert store.start_session(state("a-5", acme.id, after), lapsed)
    assert store.get_session("a-1").closed and store.get_session("a-1").last_error == "taken over"
    assert not store.start_session(state("a-6", acme.id, after), lapsed)  # only once
    assert [s.ticket for s in store.open_sessions(acme.id)] == ["a-5"]
    # A closed session is never reopened by a late save, and sends nothing more.
    store.enqueue(acme.id, "<one/>")
    store.save_session(replace(store.get_session("a-1"), closed=False, last_error=""))
    assert store.get_session("a-1").closed
    assert store.claim_next(acme.id, "a-1", after) is None
    assert store.claim_next(acme.id, "a-5", after).ticket == "a-5"
    store.discard_session("a-5")
    assert store.open_sessions(acme.id) == []


def test_outbox_queue(store: Store) -> None:
    company = store.create_company("Acme", "acme", "pw")
    first = store.enqueue(company.id, "<one/>")
    second = store.enqueue_for("Acme", "<two/>")
    assert store.count_queued(company.id) == 2
    assert store.start_session(SessionState("t", company.id, T0, T0))
    claimed = store.claim_next(company.id, "t", T0)
    assert (claimed.id, claimed.status, claimed.ticket) == (first, OutboxStatus.SENT, "t")
    assert claimed.sent_at == T0
    assert [i.id for i in store.sent_items("t")] == [first]
    done = store.finish_item(first, OutboxStatus.ANSWERED, "<r/>", "ok", T0)
    assert (done.status, done.response_xml, done.summary) == (OutboxStatus.ANSWERED, "<r/>", "ok")
    assert store.sent_items("t") == []
    assert store.claim_next(company.id, "t", T0).id == second
    assert store.claim_next(company.id, "t", T0) is None
    assert [i.id for i in store.outbox("Acme")] == [first, second]
    with pytest.raises(StoreError):
        store.enqueue_for("Nobody", "<x/>")
