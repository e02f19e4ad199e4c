"""services.people_admin: an admin of some companies grants only those, changes only users
within them; nobody disables themself or drops their own admin role; nothing half-written."""

from __future__ import annotations

import pytest

from sfqb.domain.people import Person, Role
from sfqb.services.people import UnknownCompany, add_user, person
from sfqb.services.people_admin import (
    NotYours,
    add_user_by,
    create_token_by,
    set_access,
    set_disabled,
)
from sfqb.store import Store

ROOT = Person("root", Role.ADMIN, None)
ACME_ADMIN = Person("acme-admin", Role.ADMIN, frozenset({"acme"}))


@pytest.fixture
def store(db: Store) -> Store:
    for company in ("acme", "globex"):
        db.create_company(company, company, "pw")
    add_user(db, "root", "root-password", Role.ADMIN, all_companies=True)
    add_user(db, "acme-admin", "acme-password", Role.ADMIN, ("acme",))
    add_user(db, "globex-op", "globex-password", Role.OPERATOR, ("globex",))
    return db


def test_an_admin_of_some_companies_grants_only_those(store: Store) -> None:
    with pytest.raises(UnknownCompany):
        add_user_by(store, ACME_ADMIN, "x", "long-password", role=Role.VIEWER, companies=["globex"])
    with pytest.raises(NotYours):
        add_user_by(store, ACME_ADMIN, "x", "long-password", role=Role.VIEWER, all_companies=True)
    assert store.people.get("x") is None
    made = add_user_by(
        store, ACME_ADMIN, "x", "long-password", role=Role.VIEWER, companies=["acme"]
    )
    assert made.companies == frozenset({"acme"})


def test_access_is_set_exactly_and_only_within_the_admins_companies(store: Store) -> None:
    with pytest.raises(NotYours):
        set_access(store, ACME_ADMIN, "globex-op", Role.VIEWER, ["acme"])
    with pytest.raises(NotYours):
        create_token_by(store, ACME_ADMIN, "globex-op", "theirs")
    with pytest.raises(NotYours):
        set_disabled(store, ACME_ADMIN, "globex-op", True)
    view = set_access(store, ROOT, "globex-op", Role.VIEWER, ["acme"])
    assert (view.role, view.companies) == (Role.VIEWER, frozenset({"acme"}))
    every = set_access(store, ROOT, "globex-op", Role.VIEWER, [], all_companies=True)
    assert every.companies is None
    with pytest.raises(UnknownCompany):
        set_access(store, ROOT, "globex-op", Role.OPERATOR, ["initech"])
    found = person(store, "globex-op")
    assert found is not None and found.role is Role.VIEWER  # nothing half-written


def test_nobody_locks_themself_out(store: Store) -> None:
    with pytest.raises(NotYours):
        set_disabled(store, ROOT, "root", True)
    with pytest.raises(NotYours):
        set_access(store, ROOT, "root", Role.OPERATOR, [], all_companies=True)
    assert person(store, "root") is not None
    assert set_disabled(store, ROOT, "acme-admin", True).disabled
    assert person(store, "acme-admin") is None
    assert not set_disabled(store, ROOT, "acme-admin", False).disabled
