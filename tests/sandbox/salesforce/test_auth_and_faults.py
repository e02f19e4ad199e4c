"""The OAuth token endpoint, session checks, and request-level fault injection."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceExpiredSession, SalesforceRefusedRequest

from sfqb.sandbox.salesforce import SalesforceSandbox, SandboxConfig


def token(sandbox: SalesforceSandbox, **form: str) -> requests.Response:
    return sandbox.requests_session().post(sandbox.token_url, data=form, timeout=10)


def client(sandbox: SalesforceSandbox, access_token: str, instance_url: str) -> Salesforce:
    return Salesforce(
        instance_url=instance_url,
        session_id=access_token,
        session=sandbox.requests_session(),
        version="59.0",
    )


def test_password_flow_issues_a_working_token(sandbox: SalesforceSandbox) -> None:
    reply = token(
        sandbox, grant_type="password", client_id="x", username="demo@sfqb.example", password="demo"
    )
    assert reply.status_code == 200
    body = reply.json()
    assert body["instance_url"] == sandbox.instance_url
    assert body["token_type"] == "Bearer"
    assert body["access_token"].startswith(sandbox.org.org_id[:15] + "!")
    sf = client(sandbox, body["access_token"], body["instance_url"])
    assert sf.query("SELECT Id FROM Account")["done"] is True


@pytest.mark.parametrize(
    ("form", "error"),
    [
        (
            {"grant_type": "password", "username": "demo@sfqb.example", "password": "no"},
            "invalid_grant",
        ),
        ({"grant_type": "password", "username": "who", "password": "demo"}, "invalid_grant"),
        ({"grant_type": "refresh_token", "refresh_token": "stale"}, "invalid_grant"),
        ({"grant_type": "authorization_code", "code": "x"}, "unsupported_grant_type"),
    ],
)
def test_bad_credentials(sandbox: SalesforceSandbox, form: dict[str, str], error: str) -> None:
    reply = token(sandbox, **form)
    assert reply.status_code == 400
    assert reply.json()["error"] == error


def test_refresh_flow_and_expiry(sandbox: SalesforceSandbox) -> None:
    first = token(sandbox, grant_type="refresh_token", refresh_token="demo-refresh").json()
    sf = client(sandbox, first["access_token"], first["instance_url"])
    sf.query("SELECT Id FROM Account")
    sandbox.auth.expire_all()
    with pytest.raises(SalesforceExpiredSession) as caught:
        sf.query("SELECT Id FROM Account")
    assert caught.value.content == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID", "fields": []}
    ]
    issued = sandbox.auth.issue_refresh_token()
    again = token(sandbox, grant_type="refresh_token", refresh_token=issued).json()
    assert again["access_token"] != first["access_token"]
    assert client(sandbox, again["access_token"], again["instance_url"]).query(
        "SELECT Id FROM Account"
    )["done"]


def test_client_id_checked_when_configured(tmp_path: Path) -> None:
    config = SandboxConfig(tls_dir=tmp_path, client_id="sfqb-app", client_secret="s3cret")
    with SalesforceSandbox(config) as sb:
        form = {"grant_type": "password", "username": "demo@sfqb.example", "password": "demo"}
        assert token(sb, **form, client_id="other").json()["error"] == "invalid_client_id"
        assert token(sb, **form, client_id="sfqb-app", client_secret="s3cret").status_code == 200


def _jwt(key: rsa.RSAPrivateKey, claims: dict[str, object]) -> str:
    def enc(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    head = enc(json.dumps({"alg": "RS256"}).encode()) + "." + enc(json.dumps(claims).encode())
    signature = key.sign(head.encode(), padding.PKCS1v15(), hashes.SHA256())
    return head + "." + enc(signature)


def test_jwt_bearer_flow_checks_the_signature(tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    config = SandboxConfig(tls_dir=tmp_path, client_id="sfqb-app", jwt_public_key=public.decode())
    with SalesforceSandbox(config) as sb:
        # The sandbox runs on the system clock here, so exp must be in the real future.
        claims = {
            "iss": "sfqb-app",
            "sub": "demo@sfqb.example",
            "aud": "https://login.salesforce.com",
            "exp": int(time.time()) + 300,
        }
        grant = "urn:ietf:params:oauth:grant-type:jwt-bearer"
        good = token(sb, grant_type=grant, assertion=_jwt(key, claims))
        assert good.status_code == 200 and good.json()["access_token"]
        forged = token(sb, grant_type=grant, assertion=_jwt(other, claims))
        assert forged.json()["error"] == "invalid_grant"
        expired = token(sb, grant_type=grant, assertion=_jwt(key, {**claims, "exp": 1}))
        assert expired.json()["error"] == "invalid_grant"


def test_unknown_session_is_401(sandbox: SalesforceSandbox) -> None:
    sf = client(sandbox, "not-a-token", sandbox.instance_url)
    with pytest.raises(SalesforceExpiredSession):
        sf.query("SELECT Id FROM Account")


def test_injected_invalid_session_then_recovery(sandbox: SalesforceSandbox, sf: Salesforce) -> None:
    sandbox.faults.invalid_session_next(1)
    with pytest.raises(SalesforceExpiredSession):
        sf.query("SELECT Id FROM Account")
    assert sf.query("SELECT Id FROM Account")["done"]


def test_request_limit_exceeded(tmp_path: Path) -> None:
    with SalesforceSandbox(SandboxConfig(tls_dir=tmp_path, api_max=3)) as sb:
        sf = sb.client()
        sb.faults.limit_exceeded_next(1)
        with pytest.raises(SalesforceRefusedRequest) as caught:
            sf.query("SELECT Id FROM Account")
        assert caught.value.status == 403
        assert caught.value.content[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
        for _ in range(3):
            sf.query("SELECT Id FROM Account")
        assert sf.api_usage["api-usage"].used == 3
        with pytest.raises(SalesforceRefusedRequest):
            sf.query("SELECT Id FROM Account")
        assert sf.api_usage["api-usage"].used == 3


def test_lock_rate_is_deterministic(tmp_path: Path) -> None:
    outcomes = []
    for _ in range(2):
        config = SandboxConfig(tls_dir=tmp_path, lock_rate=0.5, fault_seed=7)
        with SalesforceSandbox(config) as sb:
            body = {
                "records": [{"attributes": {"type": "Account"}, "Name": f"A{n}"} for n in range(20)]
            }
            results = sb.client().restful("composite/sobjects", method="POST", json=body)
            outcomes.append([r["success"] for r in results])
    assert outcomes[0] == outcomes[1]
    assert 0 < outcomes[0].count(False) < 20


def test_ca_is_reused_across_restarts(tmp_path: Path) -> None:
    with SalesforceSandbox(SandboxConfig(tls_dir=tmp_path)) as first:
        pem = first.ca_path.read_bytes()
    with SalesforceSandbox(SandboxConfig(tls_dir=tmp_path)) as second:
        assert second.ca_path.read_bytes() == pem
        assert second.client().query("SELECT Id FROM Account")["done"]
