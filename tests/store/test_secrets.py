"""Connections and their secrets: encrypted at rest, clear errors without or with a wrong key."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.conftest import KEY

from sfqb.store import (
    ConnectionSystem,
    SecretBox,
    SecretKeyMismatch,
    SecretKeyMissing,
    Store,
    StoreError,
    generate_key,
    secret_box_from_env,
)
from sfqb.store.models import Connection

TOKENS = {"access_token": "at-123", "refresh_token": "rt-456", "expires_at": 1767225600}


def test_box_round_trip_with_key_or_passphrase() -> None:
    for key in (generate_key(), KEY, "correct horse battery staple"):
        box = SecretBox(key)
        token = box.encrypt("s3cret ✓")
        assert "s3cret" not in token
        assert box.decrypt(token) == "s3cret ✓"
        assert SecretBox(key).decrypt(token) == "s3cret ✓"  # derivation is deterministic
    with pytest.raises(SecretKeyMismatch, match="not the key it was encrypted with"):
        SecretBox("passphrase one").decrypt(SecretBox("passphrase two").encrypt("x"))
    with pytest.raises(SecretKeyMismatch):
        SecretBox(KEY).decrypt("not a token")


def test_key_from_environment() -> None:
    box = secret_box_from_env({"SFQB_SECRET_KEY": KEY})
    assert SecretBox(KEY).decrypt(box.encrypt("x")) == "x"
    for env in ({}, {"SFQB_SECRET_KEY": "  "}):
        with pytest.raises(SecretKeyMissing, match="SFQB_SECRET_KEY is not set: generate one"):
            secret_box_from_env(env)


def test_connection_secret_round_trip_and_encrypted_at_rest(db: Store) -> None:
    saved = db.connections.save(
        "acme", ConnectionSystem.QBO, {"realm_id": "9130", "sandbox": True}, TOKENS
    )
    assert saved.has_secret and saved.settings == {"realm_id": "9130", "sandbox": True}
    assert db.connections.secret("acme", ConnectionSystem.QBO) == TOKENS
    with db.engine.connect() as conn:
        stored = conn.scalar(select(Connection.secret))
    assert stored is not None and "rt-456" not in stored
    # settings change, secret kept; then cleared
    db.connections.save("acme", ConnectionSystem.QBO, {"realm_id": "1"}, keep_secret=True)
    assert db.connections.secret("acme", ConnectionSystem.QBO) == TOKENS
    assert db.connections.get("acme", ConnectionSystem.QBO).settings == {"realm_id": "1"}
    db.connections.save("acme", ConnectionSystem.QBO, {"realm_id": "1"})
    assert db.connections.secret("acme", ConnectionSystem.QBO) is None
    db.connections.save("acme", ConnectionSystem.SALESFORCE, {"instance": "https://x"})
    assert [c.system for c in db.connections.for_company("acme")] == [
        ConnectionSystem.QBO,
        ConnectionSystem.SALESFORCE,
    ]
    assert db.connections.delete("acme", ConnectionSystem.QBO)
    assert not db.connections.delete("acme", ConnectionSystem.QBO)
    assert db.connections.get("acme", ConnectionSystem.QBO) is None
    with pytest.raises(StoreError):
        db.connections.save(" ", ConnectionSystem.QBD, {})


def test_missing_and_wrong_key(db: Store, isolated_url: str) -> None:
    db.connections.save("acme", ConnectionSystem.SALESFORCE, {"user": "u"}, {"password": "p"})
    keyless = Store.from_url(isolated_url)
    wrong = Store.from_url(isolated_url, secrets=SecretBox(generate_key()))
    try:
        assert keyless.connections.get("acme", ConnectionSystem.SALESFORCE).has_secret
        with pytest.raises(SecretKeyMissing):
            keyless.connections.secret("acme", ConnectionSystem.SALESFORCE)
        with pytest.raises(SecretKeyMissing):
            keyless.connections.save("acme", ConnectionSystem.QBD, {}, {"password": "p"})
        with pytest.raises(SecretKeyMismatch, match="salesforce secret of 'acme'"):
            wrong.connections.secret("acme", ConnectionSystem.SALESFORCE)
    finally:
        keyless.engine.dispose()
        wrong.engine.dispose()
