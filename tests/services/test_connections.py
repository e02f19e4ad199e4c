"""services.connections: a Salesforce connection stored and checked (its org recorded), the
form's mistakes named by field, nothing stored under a second key, no secret in the summary."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.conftest import KEY

from sfqb.connectors.salesforce import SalesforceError
from sfqb.domain.status import Actor, Category, DecodedStatus, Remedy, Severity, System
from sfqb.services.connections import (
    ConnectionProblem,
    SalesforceLogin,
    company_connections,
    connect_salesforce,
    login_secret,
)
from sfqb.store import ConnectionSystem, SecretBox, Store, generate_key

LOGIN = SalesforceLogin(
    instance="acme.my.salesforce.com",
    username="ops@acme.example",
    password="hunter2",
    security_token="tok",
    client_id="key",
    login_url="https://test.salesforce.com",
)


def _refused() -> SalesforceError:
    status = DecodedStatus(
        system=System.SALESFORCE, code="INVALID_SESSION_ID", severity=Severity.ERROR,
        message="Session expired or invalid", title="t", meaning="m", fix=("f",),
        category=Category.AUTH, retryable=False, remedy=Remedy.OPEN_CIRCUIT,
        actor=Actor.SALESFORCE_ADMIN, known=True,
    )  # fmt: skip
    return SalesforceError("Session expired or invalid", [status], 401)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"instance": ""}, "instance"),
        ({"instance": "acme my"}, "instance"),
        ({"login_url": "test.salesforce.com"}, "login_url"),
        ({"client_id": ""}, "client_id"),
        ({"password": ""}, "password"),
        ({"session_id": "00D!x"}, "session_id"),
        ({"username": "", "password": ""}, "username"),
        ({"api_version": "v59"}, "api_version"),
    ],
)
def test_a_form_mistake_names_its_field(change: dict[str, str], field: str) -> None:
    with pytest.raises(ConnectionProblem) as caught:
        login_secret(replace(LOGIN, **change))
    assert caught.value.field == field


def test_the_three_ways_to_sign_in() -> None:
    plain, secret = login_secret(LOGIN)
    assert plain == {"instance": "acme.my.salesforce.com"}
    assert secret == {
        "username": "ops@acme.example", "password": "hunter2", "client_id": "key",
        "security_token": "tok", "login_url": "https://test.salesforce.com",
    }  # fmt: skip
    session = SalesforceLogin(instance="a.example", session_id="00D!x", api_version="59.0")
    assert login_secret(session) == ({"instance": "a.example", "api_version": "59.0"},
                                     {"session_id": "00D!x"})  # fmt: skip
    refresh = SalesforceLogin(instance="a.example", refresh_token="r", client_id="k")
    assert login_secret(refresh)[1] == {"refresh_token": "r", "client_id": "k"}


def test_a_connection_is_stored_checked_and_its_org_recorded(db: Store) -> None:
    plain, secret = login_secret(LOGIN)
    asked: list[str] = []

    def org_id_of(company: str) -> str:
        asked.append(company)
        return "00Dxx0000001gPL"

    done = connect_salesforce(db, SecretBox(KEY), "acme", plain, secret, org_id_of=org_id_of)
    assert (done.org_id, asked) == ("00Dxx0000001gPL", ["acme"])
    info = db.connections.get("acme", ConnectionSystem.SALESFORCE)
    assert info is not None and info.settings["org_id"] == "00Dxx0000001gPL"
    assert db.connections.secret("acme", ConnectionSystem.SALESFORCE) == secret


def test_an_org_not_reached_is_said_and_the_connection_kept(db: Store) -> None:
    plain, secret = login_secret(LOGIN)

    def refused(company: str) -> str:
        raise _refused()

    done = connect_salesforce(db, SecretBox(KEY), "acme", plain, secret, org_id_of=refused)
    assert done.org_id is None and "Session expired" in (done.problem or "")
    info = db.connections.get("acme", ConnectionSystem.SALESFORCE)
    assert info is not None and "org_id" not in info.settings


def test_nothing_is_stored_under_a_second_key(db: Store) -> None:
    plain, secret = login_secret(LOGIN)
    connect_salesforce(db, SecretBox(KEY), "acme", plain, secret, org_id_of=lambda c: "00D")
    other = SecretBox(generate_key())
    with pytest.raises(ConnectionProblem, match="acme"):
        connect_salesforce(db, other, "globex", plain, secret, org_id_of=lambda c: "00D")
    assert db.connections.get("globex", ConnectionSystem.SALESFORCE) is None


def test_the_summary_holds_no_secret(db: Store) -> None:
    plain, secret = login_secret(LOGIN)
    connect_salesforce(db, SecretBox(KEY), "acme", plain, secret, org_id_of=lambda c: "00D")
    db.create_company("acme", "acme-qbwc", "pw")
    found = company_connections(db, "acme")
    assert found.qbwc_username == "acme-qbwc"
    assert [c.system for c in found.connections] == [ConnectionSystem.SALESFORCE]
    assert found.connections[0].has_secret
    text = repr(found)
    assert "hunter2" not in text and "tok" not in text.replace("token", "")
