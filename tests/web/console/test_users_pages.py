"""/users and /tokens (admin): add a user with a role and companies, change them, disable;
create an API token (shown once), list without the secret, revoke; others refused."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.web.console.admin_world import AdminWorld, admin_world, client
from tests.web.console.conftest import COMPANY, SECOND, ConsoleWorld, SignIn

from sfqb.domain.people import Role
from sfqb.services.people import person, person_for_token, verify_sign_in


@pytest.fixture(scope="module")
def world(
    console_world: ConsoleWorld, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AdminWorld]:
    with admin_world(console_world, tmp_path_factory.mktemp("users")) as found:
        yield found


@pytest.fixture
def admin(world: AdminWorld, sign_in: SignIn) -> Iterator[tuple[TestClient, str]]:
    with client(world) as signed:
        yield signed, sign_in(signed, "demo", "demo")


def test_add_a_user_change_their_companies_and_disable_them(
    world: AdminWorld, admin: tuple[TestClient, str]
) -> None:
    browser, csrf = admin
    page = browser.get("/users")
    assert page.status_code == 200 and page.text.count("<h1") == 1
    form = {"csrf_token": csrf, "name": "consultant", "password": "short", "role": "operator",
            "companies": [COMPANY]}  # fmt: skip
    refused = browser.post("/users", data=form)
    assert refused.status_code == 400
    assert "at least 8 characters" in refused.text
    assert 'value="consultant"' in refused.text and "short" not in refused.text.split("<main")[1]
    assert world.store.people.get("consultant") is None

    added = browser.post("/users", data={**form, "password": "a-long-password"})
    assert added.status_code == 303
    assert "Added the user." in browser.get(added.headers["location"]).text
    found = person(world.store, "consultant")
    assert found is not None and found.role is Role.OPERATOR
    assert found.companies == frozenset({COMPANY})

    changed = browser.post(
        "/users/consultant/access",
        data={"csrf_token": csrf, "role": "viewer", "companies": [SECOND]},
    )
    assert changed.status_code == 303
    found = person(world.store, "consultant")
    assert found is not None and found.role is Role.VIEWER
    assert found.companies == frozenset({SECOND})

    disabled = browser.post(
        "/users/consultant/disabled", data={"csrf_token": csrf, "disabled": "yes"}
    )
    assert disabled.status_code == 303
    assert verify_sign_in(world.store, "consultant", "a-long-password") is None
    assert "disabled" in browser.get("/users").text


def test_an_admin_cannot_disable_themself_or_grant_an_unknown_company(
    world: AdminWorld, admin: tuple[TestClient, str]
) -> None:
    browser, csrf = admin
    answer = browser.post("/users/demo/disabled", data={"csrf_token": csrf, "disabled": "yes"})
    assert answer.status_code == 400 and "cannot disable yourself" in answer.text
    assert person(world.store, "demo") is not None
    answer = browser.post(
        "/users/viewer/access", data={"csrf_token": csrf, "role": "viewer", "companies": ["Nope"]}
    )
    assert answer.status_code == 400 and "no company named" in html.unescape(answer.text)
    viewer = person(world.store, "viewer")
    assert viewer is not None and viewer.companies == frozenset({COMPANY})


def test_a_token_is_shown_once_listed_without_its_secret_and_revoked(
    world: AdminWorld, admin: tuple[TestClient, str]
) -> None:
    browser, csrf = admin
    made = browser.post("/tokens", data={"csrf_token": csrf, "user": "demo", "label": "nightly"})
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    found = re.search(r'id="new-token" type="text" readonly value="([^"]+)"', made.text)
    assert found is not None
    token = html.unescape(found.group(1))
    assert person_for_token(world.store, token) is not None
    listing = browser.get("/tokens")
    assert token not in listing.text and "nightly" in listing.text
    token_id = re.search(r'action="/tokens/(\d+)/revoke"', listing.text)
    assert token_id is not None
    revoked = browser.post(f"/tokens/{token_id.group(1)}/revoke", data={"csrf_token": csrf})
    assert revoked.status_code == 303
    assert person_for_token(world.store, token) is None
    empty = browser.post("/tokens", data={"csrf_token": csrf, "user": "demo", "label": " "})
    assert empty.status_code == 400 and "needs a label" in empty.text


@pytest.mark.parametrize("name", ["viewer", "operator", "other"])
def test_others_are_refused(console_client: TestClient, sign_in: SignIn, name: str) -> None:
    csrf = sign_in(console_client, name, f"{name}-pw")
    assert console_client.get("/users").status_code == 403
    assert console_client.get("/tokens").status_code == 403
    form = {"csrf_token": csrf, "name": "x", "password": "long-password", "role": "admin",
            "user": name, "label": "mine", "disabled": "yes"}  # fmt: skip
    for path in ("/users", "/users/demo/access", "/users/demo/disabled", "/tokens",
                 "/tokens/1/revoke"):  # fmt: skip
        assert console_client.post(path, data=form).status_code == 403, path
