"""The store's console users, grants and tokens, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from sfqb.store import ConnectionSystem, Store, StoreError, UserTaken


def test_a_user_with_grants_reads_back(db: Store) -> None:
    db.create_company("Acme", "acme", "pw")
    made = db.people.add("ann", "hash-1", "operator", frozenset({"Acme", "Globex"}))
    found = db.people.get("ann")
    assert found == made
    assert found is not None
    assert (found.role, found.companies, found.disabled) == (
        "operator", frozenset({"Acme", "Globex"}), False,
    )  # fmt: skip
    assert db.people.get("nobody") is None


def test_all_companies_is_none_and_a_name_is_taken_once(db: Store) -> None:
    db.people.add("root", "h", "admin", None)
    assert db.people.get("root").companies is None  # type: ignore[union-attr]
    with pytest.raises(UserTaken):
        db.people.add("root", "h2", "viewer", frozenset())
    assert [u.name for u in db.people.all()] == ["root"]
    assert db.people.get("root").password_hash == "h"  # type: ignore[union-attr]


def test_grant_and_revoke(db: Store) -> None:
    db.people.add("ann", "h", "viewer", frozenset())
    assert db.people.grant("ann", "Acme") is True
    assert db.people.grant("ann", "Acme") is False
    assert db.people.get("ann").companies == frozenset({"Acme"})  # type: ignore[union-attr]
    assert db.people.revoke("ann", "Acme") is True
    assert db.people.revoke("ann", "Acme") is False
    assert db.people.get("ann").companies == frozenset()  # type: ignore[union-attr]
    with pytest.raises(StoreError):
        db.people.grant("bob", "Acme")


def test_password_role_disable_and_remove(db: Store) -> None:
    db.people.add("ann", "h", "viewer", frozenset({"Acme"}))
    db.people.set_password_hash("ann", "h2", end_sessions=True)
    db.people.set_role("ann", "admin")
    db.people.set_disabled("ann", True)
    found = db.people.get("ann")
    assert found is not None
    assert (found.password_hash, found.role, found.disabled) == ("h2", "admin", True)
    assert found.sessions_since is not None and found.sessions_since.tzinfo is not None
    db.people.add_token("ann", "ci", "a" * 64)
    db.people.remove("ann")
    assert db.people.get("ann") is None
    assert db.people.tokens() == []
    assert db.people.token_user("a" * 64) is None


def test_tokens_keep_their_hash_note_their_use_and_revoke(db: Store) -> None:
    db.people.add("ann", "h", "operator", frozenset({"Acme"}))
    made = db.people.add_token("ann", "ci", "f" * 64)
    assert (made.user, made.label, made.last_used_at, made.revoked_at) == ("ann", "ci", None, None)
    user = db.people.token_user("f" * 64)
    assert user is not None and user.name == "ann"
    (listed,) = db.people.tokens("ann")
    assert listed.last_used_at is not None
    revoked = db.people.revoke_token(made.id)
    assert revoked is not None and revoked.revoked_at is not None
    assert db.people.token_user("f" * 64) is None
    again = db.people.revoke_token(made.id)
    assert again is not None and again.revoked_at == revoked.revoked_at
    assert db.people.revoke_token(made.id + 100) is None


def test_companies_are_those_with_a_login_or_a_connection(db: Store) -> None:
    db.create_company("Acme", "acme", "pw")
    db.connections.save("Globex", ConnectionSystem.SALESFORCE, {"instance": "x"})
    assert db.people.companies() == ["Acme", "Globex"]


def test_the_session_secret_is_made_once_and_kept(db: Store) -> None:
    first = db.people.session_secret()
    assert len(first) >= 48
    assert db.people.session_secret() == first
    again = Store(db.engine)
    assert again.people.session_secret() == first
