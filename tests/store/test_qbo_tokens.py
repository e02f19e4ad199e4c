"""QuickBooks Online tokens in the store: encrypted, refreshed ahead of expiry, rotated refresh
tokens kept under a per-company lock, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from tests.store.qbo_fakes import T0, Clock, RotatingTokenEndpoint, connect, store_for

from sfqb.connectors.qbo.api import Environment, QboAuthLost
from sfqb.connectors.qbo.oauth import REFRESH_TOKEN_MAX_LIFETIME
from sfqb.store import StoredTokens, StoreError
from sfqb.store.qbo_models import QboTokenRow


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def endpoint() -> RotatingTokenEndpoint:
    return RotatingTokenEndpoint()


@pytest.fixture
def store(isolated_url: str, clock: Clock, endpoint: RotatingTokenEndpoint):  # type: ignore[no-untyped-def]
    made = store_for(isolated_url, clock, endpoint)
    made.migrate()
    yield made
    made.engine.dispose()


def test_tokens_are_stored_encrypted(store, clock) -> None:  # type: ignore[no-untyped-def]
    connect(store, clock)
    with store.engine.connect() as db:
        row = db.execute(select(QboTokenRow.access_token, QboTokenRow.refresh_token,
                                QboTokenRow.client_secret)).one()  # fmt: skip
    # Fernet tokens (version byte 0x80, base64url "gAAAAA"); a substring test on a two-letter
    # token would fail by chance, since the ciphertext is random base64.
    for stored, plain in ((row.access_token, "a0"), (row.refresh_token, "r0"),
                          (row.client_secret, "secret-1")):  # fmt: skip
        assert stored != plain and stored.startswith("gAAAAA")
    info = store.qbo_tokens.get("acme")
    assert info.realm_id == "9130" and info.environment is Environment.SANDBOX
    assert info.refresh_max_at == T0 + REFRESH_TOKEN_MAX_LIFETIME
    assert info.reconnect_by == T0 + timedelta(days=100)


def test_a_fresh_access_token_is_used_without_refreshing(store, clock, endpoint) -> None:  # type: ignore[no-untyped-def]
    connect(store, clock)
    assert StoredTokens(store.qbo_tokens, "acme", clock).access_token() == "a0"
    assert endpoint.refreshes == []


def test_refreshes_ahead_of_expiry_and_keeps_the_rotated_token(store, clock, endpoint) -> None:  # type: ignore[no-untyped-def]
    connect(store, clock)
    clock.now = T0 + timedelta(minutes=56)  # within the 5-minute margin of the hour
    tokens = StoredTokens(store.qbo_tokens, "acme", clock)
    assert tokens.access_token() == "a1"
    clock.now = T0 + timedelta(hours=1, minutes=57)
    assert tokens.access_token() == "a2"
    assert endpoint.refreshes == ["r0", "r1"]  # each refresh used the token the last one gave
    assert store.qbo_tokens.get("acme").refreshed_at == clock.now


def test_a_rejected_token_is_refreshed_once_though_it_looks_fresh(store, clock, endpoint) -> None:  # type: ignore[no-untyped-def]
    connect(store, clock)
    tokens = StoredTokens(store.qbo_tokens, "acme", clock)
    assert tokens.refresh("a0") == "a1"
    # Another worker that was refused a0 too finds a1 already there.
    assert tokens.refresh("a0") == "a1"
    assert endpoint.refreshes == ["r0"]


def test_invalid_grant_marks_the_connection_lost(store, clock, endpoint) -> None:  # type: ignore[no-untyped-def]
    connect(store, clock)
    endpoint.valid.clear()  # revoked
    tokens = StoredTokens(store.qbo_tokens, "acme", clock)
    with pytest.raises(QboAuthLost) as caught:
        tokens.refresh("a0")
    assert caught.value.error == "invalid_grant"
    assert store.qbo_tokens.get("acme").lost_at == T0
    with pytest.raises(QboAuthLost):  # no further calls to Intuit
        tokens.access_token()
    assert endpoint.refreshes == ["r0"]


def test_a_company_never_connected_is_auth_lost(store, clock) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(QboAuthLost):
        StoredTokens(store.qbo_tokens, "nobody", clock).access_token()


def test_a_realm_belongs_to_one_company(store, clock) -> None:  # type: ignore[no-untyped-def]
    connect(store, clock, "acme", "9130")
    with pytest.raises(StoreError, match="already connected as 'acme'"):
        connect(store, clock, "other", "9130")


def test_an_authorization_state_is_used_once(store, clock) -> None:  # type: ignore[no-untyped-def]
    pending = store.qbo_tokens.begin("acme", Environment.PRODUCTION)
    assert store.qbo_tokens.pending(pending.state) == pending
    connect(store, clock)
    clock.now = T0 + timedelta(hours=1)
    assert store.qbo_tokens.pending(pending.state) is None  # expired


def test_reconnecting_clears_a_lost_connection(store, clock, endpoint) -> None:  # type: ignore[no-untyped-def]
    connect(store, clock)
    endpoint.valid.clear()
    with pytest.raises(QboAuthLost):
        StoredTokens(store.qbo_tokens, "acme", clock).refresh("a0")
    endpoint.valid.add("r0")
    connect(store, clock)
    assert store.qbo_tokens.get("acme").lost_at is None


def test_two_workers_refreshing_at_once_never_lose_the_token(isolated_url: str, clock) -> None:  # type: ignore[no-untyped-def]
    """Both workers hold an expired access token. The token endpoint accepts each refresh token
    once; without the per-company lock the second refresh would spend r0 again (invalid_grant)
    and the connection would be lost."""
    endpoint = RotatingTokenEndpoint(delay=0.2)
    first = store_for(isolated_url, clock, endpoint)
    first.migrate()
    second = store_for(isolated_url, clock, endpoint)
    try:
        connect(first, clock)
        clock.now = T0 + timedelta(hours=2)
        barrier = threading.Barrier(2)
        got: dict[int, str] = {}
        errors: list[BaseException] = []

        def work(n: int, store) -> None:  # type: ignore[no-untyped-def]
            barrier.wait()
            try:
                got[n] = StoredTokens(store.qbo_tokens, "acme", clock).access_token()
            except BaseException as exc:
                errors.append(exc)

        threads = [
            threading.Thread(target=work, args=(n, s)) for n, s in enumerate((first, second))
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
        assert got == {0: "a1", 1: "a1"}
        assert endpoint.refreshes == ["r0"]
        assert endpoint.valid == {"r1"}
        clock.now = T0 + timedelta(hours=4)  # the stored refresh token is the rotated one
        assert StoredTokens(second.qbo_tokens, "acme", clock).access_token() == "a2"
    finally:
        first.engine.dispose()
        second.engine.dispose()
