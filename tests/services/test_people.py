"""Console users as the CLI and the console use them: adding, passwords, grants, sign-in, tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from sfqb.domain.people import Person, Role
from sfqb.services import people
from sfqb.store import Store


@pytest.fixture
def store(tmp_path) -> Store:  # type: ignore[no-untyped-def]
    made = Store.from_url(f"sqlite:///{tmp_path / 'sfqb.sqlite'}")
    made.migrate()
    made.create_company("Acme", "acme", "pw")
    made.create_company("Globex", "globex", "pw")
    return made


def test_added_user_signs_in_with_their_password_only(store: Store) -> None:
    view = people.add_user(store, "ann", "correct horse", Role.OPERATOR, ("Acme",))
    assert (view.name, view.role, view.companies) == ("ann", Role.OPERATOR, frozenset({"Acme"}))
    stored = store.people.get("ann")
    assert stored is not None and stored.password_hash.startswith("$argon2id$")
    assert "correct horse" not in stored.password_hash
    assert people.verify_sign_in(store, "ann", "correct horse") == Person(
        "ann", Role.OPERATOR, frozenset({"Acme"})
    )
    assert people.verify_sign_in(store, "ann", "wrong horse") is None
    assert people.verify_sign_in(store, "nobody", "correct horse") is None
    assert people.verify_sign_in(store, "ann", "x" * 5000) is None


def test_refusals_are_typed_and_write_nothing(store: Store) -> None:
    people.add_user(store, "ann", "long enough", Role.VIEWER)
    with pytest.raises(people.UserExists):
        people.add_user(store, "ann", "long enough", Role.ADMIN)
    with pytest.raises(people.WeakPassword):
        people.add_user(store, "bob", "short", Role.VIEWER)
    with pytest.raises(people.UnknownCompany, match="Acme, Globex"):
        people.add_user(store, "bob", "long enough", Role.VIEWER, ("Initech",))
    with pytest.raises(people.BadName):
        people.add_user(store, " bob", "long enough", Role.VIEWER)
    with pytest.raises(people.UnknownUser):
        people.change_password(store, "bob", "long enough")
    assert [u.name for u in people.list_users(store)] == ["ann"]


def test_the_demo_may_set_a_short_password_directly(store: Store) -> None:
    people.add_user(store, "demo", "demo", Role.ADMIN, all_companies=True, min_length=0)
    found = people.verify_sign_in(store, "demo", "demo")
    assert found == Person("demo", Role.ADMIN, None)


def test_change_password_ends_the_sessions_before_it(store: Store) -> None:
    people.add_user(store, "ann", "first password", Role.VIEWER)
    before = datetime.now(UTC) - timedelta(seconds=1)
    assert people.person(store, "ann", before) is not None
    people.change_password(store, "ann", "second password")
    assert people.person(store, "ann", before) is None
    assert people.person(store, "ann", datetime.now(UTC) + timedelta(seconds=1)) is not None
    assert people.verify_sign_in(store, "ann", "first password") is None
    assert people.verify_sign_in(store, "ann", "second password") is not None
    with pytest.raises(people.WeakPassword):
        people.change_password(store, "ann", "short")


def test_a_hash_of_older_parameters_is_replaced_at_sign_in(store: Store) -> None:
    people.add_user(store, "ann", "long enough", Role.VIEWER)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("long enough")
    store.people.set_password_hash("ann", weak, end_sessions=False)
    assert people.verify_sign_in(store, "ann", "long enough") is not None
    stored = store.people.get("ann")
    assert stored is not None and stored.password_hash != weak
    assert not PasswordHasher().check_needs_rehash(stored.password_hash)


def test_grants_decide_the_companies_a_person_sees(store: Store) -> None:
    people.add_user(store, "ann", "long enough", Role.VIEWER, ("Acme",))
    assert people.grant(store, "ann", "Globex") is True
    with pytest.raises(people.UnknownCompany):
        people.grant(store, "ann", "Initech")
    person = people.person(store, "ann")
    assert person is not None and people.visible_companies(store, person) == ["Acme", "Globex"]
    assert people.revoke(store, "ann", "Acme") is True
    person = people.person(store, "ann")
    assert person is not None and people.visible_companies(store, person) == ["Globex"]


def test_revoking_from_a_user_who_sees_every_company_is_refused(store: Store) -> None:
    people.add_user(store, "root", "long enough", Role.ADMIN, all_companies=True)
    with pytest.raises(people.PeopleError, match="sees every company"):
        people.revoke(store, "root", "Acme")
    with pytest.raises(people.UnknownUser):
        people.revoke(store, "nobody", "Acme")


def test_a_disabled_or_removed_user_is_no_person(store: Store) -> None:
    people.add_user(store, "ann", "long enough", Role.VIEWER, ("Acme",))
    made = people.create_token(store, "ann", "ci")
    people.set_disabled(store, "ann", True)
    assert people.person(store, "ann") is None
    assert people.verify_sign_in(store, "ann", "long enough") is None
    assert people.person_for_token(store, made.token) is None
    people.set_disabled(store, "ann", False)
    assert people.person_for_token(store, made.token) is not None
    people.remove_user(store, "ann")
    assert people.person(store, "ann") is None
    assert people.person_for_token(store, made.token) is None


def test_a_token_is_shown_once_kept_hashed_and_revocable(store: Store) -> None:
    people.add_user(store, "ann", "long enough", Role.ADMIN, all_companies=True)
    made = people.create_token(store, "ann", "ci")
    assert made.token.startswith("sfqb_") and len(made.token) > 40
    with store.engine.connect() as db:
        dumped = "\n".join(str(row) for row in db.exec_driver_sql("SELECT * FROM console_tokens"))
    assert made.token not in dumped
    assert people.person_for_token(store, made.token) == Person("ann", Role.ADMIN, None)
    assert people.person_for_token(store, made.token + "x") is None
    assert people.person_for_token(store, "not-a-token") is None
    (listed,) = people.list_tokens(store, "ann")
    assert listed.last_used_at is not None
    people.revoke_token(store, made.id)
    assert people.person_for_token(store, made.token) is None
    with pytest.raises(people.UnknownToken):
        people.revoke_token(store, made.id + 1)
    with pytest.raises(people.PeopleError):
        people.create_token(store, "ann", "  ")


def test_roles_are_ordered() -> None:
    admin = Person("a", Role.ADMIN, None)
    viewer = Person("v", Role.VIEWER, frozenset({"Acme"}))
    assert admin.may(Role.OPERATOR) and admin.may(Role.VIEWER) and admin.sees("anything")
    assert viewer.may(Role.VIEWER) and not viewer.may(Role.OPERATOR)
    assert viewer.sees("Acme") and not viewer.sees("Globex")
