"""The fixtures other console tests stand on: the seed-codes store's users and companies, and
`scratch`, a copy a test may change without touching the shared store."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.web.console.conftest import COMPANY, SECOND, USERS, Scratch, do_sign_in

from sfqb.domain.people import Person, Role
from sfqb.services import people
from sfqb.store import Store


def test_the_store_has_the_demo_company_its_review_list_and_the_users(
    console_store: Store,
) -> None:
    assert console_store.people.companies() == [COMPANY, SECOND]
    assert console_store.review.items(COMPANY)  # the seed-codes day left items for people
    for name, (password, role) in USERS.items():
        found = people.verify_sign_in(console_store, name, password)
        assert found is not None and found.role is role, name
    assert people.person(console_store, "demo") == Person("demo", Role.ADMIN, None)
    assert people.person(console_store, "other") == Person(
        "other", Role.OPERATOR, frozenset({SECOND})
    )


def test_scratch_is_a_copy_of_its_own(scratch: Scratch, console_store: Store) -> None:
    people.add_user(scratch.store, "scratch-only", "long enough", Role.VIEWER)
    assert scratch.store.people.get("scratch-only") is not None
    assert console_store.people.get("scratch-only") is None
    with TestClient(scratch.app, follow_redirects=False) as client:
        do_sign_in(client, "scratch-only", "long enough")
        assert client.get("/").status_code == 200
