"""Auth flows (JWT signing, token errors), typed record parsing, and `sfqb salesforce setup`."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import requests
import responses
import typer
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree
from typer.testing import CliRunner

from sfqb.cli import salesforce as salesforce_cli
from sfqb.codes import load_catalog
from sfqb.connectors.salesforce import (
    JwtBearerAuth,
    PasswordAuth,
    SalesforceAuthError,
    SfAccount,
    SfRecord,
)
from sfqb.connectors.salesforce.custom_fields import CustomFieldError, load_custom_fields
from sfqb.connectors.salesforce.payloads import error_text, sync_fields
from sfqb.connectors.salesforce.records import RecordShapeError
from sfqb.domain.status import Category, System

CATALOG = load_catalog()
TOKEN_URL = "https://login.example.com/services/oauth2/token"
NS = "{http://soap.sforce.com/2006/04/metadata}"


def _unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_jwt_assertion_is_rs256_signed_with_the_claims_salesforce_wants() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    now = datetime(2026, 1, 1, tzinfo=UTC)
    auth = JwtBearerAuth("APP", "user@example.com", pem, clock=lambda: now)
    header, claims, signature = auth.assertion().split(".")
    assert json.loads(_unb64(header)) == {"alg": "RS256"}
    assert json.loads(_unb64(claims)) == {
        "iss": "APP",
        "sub": "user@example.com",
        "aud": "https://login.salesforce.com",
        "exp": int(now.timestamp()) + 180,
    }
    key.public_key().verify(
        _unb64(signature), f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256()
    )


def test_jwt_with_a_non_rsa_key_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="PEM"):
        JwtBearerAuth("APP", "u", b"not a key").assertion()


@responses.activate
def test_password_flow_appends_the_security_token() -> None:
    responses.post(TOKEN_URL, json={"access_token": "T", "instance_url": "https://na1.example.com"})
    auth = PasswordAuth(
        "u@x", "pw", "TOKEN", "client", "secret", login_url="https://login.example.com"
    )
    session = auth.login(requests.Session(), CATALOG)
    assert (session.instance, session.session_id) == ("na1.example.com", "T")
    form = parse_qs(str(responses.calls[0].request.body))
    assert form["password"] == ["pwTOKEN"] and form["grant_type"] == ["password"]
    assert "pw" not in repr(auth) and "T" not in repr(session).replace("SessionInfo", "")


@responses.activate
def test_a_refused_login_is_decoded() -> None:
    responses.post(
        TOKEN_URL,
        status=400,
        json={"error": "invalid_grant", "error_description": "authentication failure"},
    )
    auth = PasswordAuth("u@x", "pw", "", "client", login_url="https://login.example.com")
    with pytest.raises(SalesforceAuthError) as caught:
        auth.login(requests.Session(), CATALOG)
    assert caught.value.codes == ("INVALID_GRANT", "BAD_CREDENTIALS", "http-400")
    status = caught.value.status
    assert (status.system, status.code, status.known) == (System.SALESFORCE, "INVALID_GRANT", True)
    assert status.category is Category.AUTH
    assert "authentication failure" in status.meaning
    assert "authentication failure" in str(caught.value)


def test_records_are_typed_and_reject_wrong_shapes() -> None:
    raw = {
        "attributes": {"type": "Account"},
        "Id": "001000000000001AAA",
        "SystemModstamp": "2024-01-15T10:30:00.000+0000",
        "Name": "A",
        "ShippingCountry": "CA",
    }
    record = SfAccount.from_json(raw)
    assert record.shipping_address.country == "CA"
    assert record.billing_address.is_empty
    assert record.extras == {}
    assert hash(record) == hash(SfAccount.from_json(raw))
    with pytest.raises(RecordShapeError, match="Id"):
        SfAccount.from_json({**raw, "Id": None})
    with pytest.raises(RecordShapeError, match="Name"):
        SfAccount.from_json({**raw, "Name": 5})
    with pytest.raises(RecordShapeError, match="SystemModstamp"):
        SfAccount.from_json({**raw, "SystemModstamp": "yesterday"})
    assert issubclass(SfAccount, SfRecord)


def test_the_error_text_written_back_carries_meaning_and_fix() -> None:
    status = CATALOG.decode(
        System.QBXML, "3100", 'The name "Acme" of the list element is already in use.'
    )
    fields = sync_fields(sync_status="Error", error=status, error_limit=200)
    text = fields["QuickBooks_Sync_Error__c"]
    assert isinstance(text, str) and text.startswith("qbxml 3100:")
    assert len(text) <= 200
    assert error_text(status).count("Fix:") == 1
    assert sync_fields(clear_error=True) == {"QuickBooks_Sync_Error__c": None}
    assert sync_fields(quickbooks_id="80000001-1")["QuickBooks_ID__c"] == "80000001-1"
    assert Decimal("1.10") == Decimal("1.1")


def test_the_custom_field_list_is_validated() -> None:
    specs = load_custom_fields()
    ids = [s for s in specs if s.name == "QuickBooks_ID__c"]
    assert sorted(s.object for s in ids) == ["Account", "Opportunity", "Product2"]
    assert all(s.external_id and s.unique for s in ids)
    with pytest.raises(CustomFieldError, match="__c"):
        load_custom_fields("fields: [{object: Account, name: Foo, label: F, type: Date}]")
    with pytest.raises(CustomFieldError, match="size"):
        load_custom_fields("fields: [{object: Account, name: Foo__c, label: F, type: Text}]")


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None: ...

    salesforce_cli.register(app)
    return app


def test_setup_writes_a_deployable_package(tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    result = CliRunner().invoke(_app(), ["salesforce", "setup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "QuickBooks_Payment_Status__c" in result.output
    package = etree.parse(str(out / "package.xml")).getroot()
    members = [m.text for m in package.iter(f"{NS}members")]
    assert "Account.QuickBooks_ID__c" in members and "SFQB_Integration" in members
    assert package.findtext(f"{NS}version") == "59.0"
    field = etree.parse(
        str(out / "force-app/main/default/objects/Account/fields/QuickBooks_ID__c.field-meta.xml")
    ).getroot()
    assert field.tag == f"{NS}CustomField"
    assert field.findtext(f"{NS}externalId") == "true"
    assert field.findtext(f"{NS}unique") == "true"
    assert field.findtext(f"{NS}length") == "255"
    assert (
        json.loads((out / "sfdx-project.json").read_text())["packageDirectories"][0]["path"]
        == "force-app"
    )
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".sfqb-package-")]


def test_setup_check_needs_connection_settings(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        _app(), ["salesforce", "setup", "--check", "--out", str(tmp_path / "p")], env={}
    )
    assert result.exit_code == 2
    assert "--instance" in result.output
    assert not (tmp_path / "p").exists()


@responses.activate
def test_setup_check_with_described_objects(tmp_path: Path) -> None:
    base = "https://na1.example.com/services/data/v59.0/sobjects"

    def described(*names: str, external: bool = True) -> dict[str, object]:
        return {
            "name": "X",
            "fields": [
                {"name": n, "type": "string" if n.endswith("ID__c") else "x", "length": 255,
                 "externalId": external, "unique": external}
                for n in names
            ],
        }  # fmt: skip

    responses.get(
        f"{base}/Account/describe", json=described("Id", "QuickBooks_ID__c", external=False)
    )
    responses.get(f"{base}/Product2/describe", json=described("Id"))
    responses.get(f"{base}/Opportunity/describe", json=described("Id"))
    out = tmp_path / "pkg"
    result = CliRunner().invoke(
        _app(),
        ["salesforce", "setup", "--check", "--out", str(out), "--instance", "na1.example.com",
         "--session-id", "S"],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "not marked External ID" in result.output
    assert len(responses.calls) == 3
    assert "missing" in result.output
    assert len(list(out.rglob("*.field-meta.xml"))) == 17  # one is there but not an external ID
