"""The settings API (admin): the policy read and replaced (422 by the field, nothing saved), the
connections without a secret, the .qwc file and a new Web Connector password; the users and
tokens API; the roles and company grants of the pages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.conftest import KEY
from tests.web.console.admin_world import AdminWorld, admin_world, bearer, client
from tests.web.console.conftest import COMPANY, SECOND, ConsoleWorld

from sfqb.codes import load_catalog
from sfqb.connectors.qbd.webconnector import NoWorkSource, WebConnectorService
from sfqb.domain.policy import MatchRule
from sfqb.services.connections import SalesforceLogin, connect_salesforce, login_secret
from sfqb.services.people import person_for_token, verify_sign_in
from sfqb.store import SecretBox

API = f"/api/v1/companies/{COMPANY}"


@pytest.fixture(scope="module")
def world(
    console_world: ConsoleWorld, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AdminWorld]:
    with admin_world(console_world, tmp_path_factory.mktemp("api")) as found:
        yield found


@pytest.fixture
def api(world: AdminWorld) -> Iterator[TestClient]:
    with client(world) as found:
        found.headers.update(bearer(world.store, "demo"))
        yield found


def test_the_policy_is_read_and_replaced(world: AdminWorld, api: TestClient) -> None:
    before = api.get(f"{API}/policy")
    assert before.status_code == 200
    assert before.json()["source"] == "config file"  # the scenario's SFQB_CONFIG
    refused = api.put(f"{API}/policy", json={"match_rule": "never", "on_conflict": "maybe"})
    assert refused.status_code == 422
    assert refused.json()["field"] == "on_conflict"
    assert world.store.policies.get(COMPANY) is None
    answer = api.put(f"{API}/policy", json={"match_rule": "never", "alerts": {"max_per_hour": 2}})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["source"] == "console" and body["saved_by"] == "demo"
    assert body["policy"]["match_rule"] == "never"
    assert body["set_in_console"] == ["alerts", "alerts.max_per_hour", "match_rule"]
    assert world.services.policy(COMPANY).match_rule is MatchRule.NEVER
    assert world.services.policy(COMPANY).alerts.max_per_hour == 2
    assert api.get(f"{API}/policy").json() == body
    assert api.put(f"{API}/policy", json=["not", "a", "mapping"]).status_code == 422


def test_the_connections_hold_no_secret(world: AdminWorld, api: TestClient) -> None:
    plain, secret = login_secret(
        SalesforceLogin("acme.my.salesforce.com", username="u", password="pw-1234", client_id="k")
    )
    connect_salesforce(
        world.store, SecretBox(KEY), COMPANY, plain, secret, org_id_of=lambda c: "00Dxx"
    )
    answer = api.get(f"{API}/connections")
    assert answer.status_code == 200
    body = answer.json()
    assert body["company"] == COMPANY and body["qbwc_username"]
    (salesforce,) = [c for c in body["connections"] if c["system"] == "salesforce"]
    assert salesforce["has_secret"] and salesforce["settings"]["org_id"] == "00Dxx"
    assert "pw-1234" not in answer.text and "password" not in answer.text


def test_the_qwc_file_and_a_new_password(world: AdminWorld, api: TestClient) -> None:
    document = api.get(f"{API}/qwc")
    assert document.status_code == 200
    assert document.headers["content-type"].startswith("application/xml")
    assert "<QBWCXML>" in document.text
    answer = api.post(f"{API}/qwc-password")
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    password = answer.json()["password"]
    login = world.store.company(COMPANY)
    assert login is not None
    service = WebConnectorService(world.store, NoWorkSource(), load_catalog(), world.services.clock)
    assert service.authenticate(login.username, password)[1] != "nvu"
    assert api.post(f"{API}/qwc-password").json()["password"] != password


def test_users_and_tokens(world: AdminWorld, api: TestClient) -> None:
    new = {"name": "bookkeeper", "password": "long-enough-pw", "role": "operator",
           "companies": [COMPANY]}  # fmt: skip
    made = api.post("/api/v1/users", json=new)
    assert made.status_code == 201, made.text
    assert made.json()["companies"] == [COMPANY]
    assert api.post("/api/v1/users", json=new).status_code == 409  # exists already
    assert (
        api.post("/api/v1/users", json={**new, "name": "x", "companies": ["Nope"]})
        .json()["detail"]
        .startswith("no company named 'Nope'")
    )
    names = [u["name"] for u in api.get("/api/v1/users").json()]
    assert "bookkeeper" in names and "x" not in names
    assert verify_sign_in(world.store, "bookkeeper", "long-enough-pw") is not None

    token = api.post("/api/v1/tokens", json={"label": "reports", "user": "bookkeeper"})
    assert token.status_code == 201 and token.headers["cache-control"] == "no-store"
    secret = token.json()["token"]
    assert person_for_token(world.store, secret) is not None
    listed = api.get("/api/v1/tokens")
    assert secret not in listed.text
    assert token.json()["id"] in [t["id"] for t in listed.json()]
    revoked = api.delete(f"/api/v1/tokens/{token.json()['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert person_for_token(world.store, secret) is None
    assert api.delete("/api/v1/tokens/999999").status_code == 404


@pytest.mark.parametrize("name", ["viewer", "operator", "other"])
def test_operators_and_viewers_are_refused(world: AdminWorld, name: str) -> None:
    with client(world) as caller:
        caller.headers.update(bearer(world.store, name))
        for method, path in [
            ("GET", f"{API}/policy"), ("PUT", f"{API}/policy"), ("GET", f"{API}/connections"),
            ("GET", f"{API}/qwc"), ("POST", f"{API}/qwc-password"), ("GET", "/api/v1/users"),
            ("POST", "/api/v1/users"), ("POST", "/api/v1/tokens"), ("GET", "/api/v1/tokens"),
            ("DELETE", "/api/v1/tokens/1"),
        ]:  # fmt: skip
            answer = caller.request(method, path, json={})
            assert answer.status_code == 403, (method, path)


def test_without_a_token_401_and_an_unknown_company_404(world: AdminWorld, api: TestClient) -> None:
    with client(world) as stranger:
        assert stranger.get(f"{API}/policy").status_code == 401
        assert stranger.post(f"{API}/qwc-password").status_code == 401
    for path in ("policy", "connections", "qwc"):
        assert api.get(f"/api/v1/companies/Nope/{path}").status_code == 404
    assert api.get(f"/api/v1/companies/{SECOND}/connections").status_code == 200


def test_the_openapi_document_lists_the_settings_endpoints(api: TestClient) -> None:
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    assert {"get", "put"} <= set(paths["/api/v1/companies/{company}/policy"])
    for path in ("connections", "qwc", "qwc-password"):
        assert f"/api/v1/companies/{{company}}/{path}" in paths
    assert {"get", "post"} <= set(paths["/api/v1/users"])
    assert "delete" in paths["/api/v1/tokens/{token_id}"]
    assert not any(p.startswith("/companies/") for p in paths)
