"""The connector over real HTTPS (simple-salesforce + requests) against the Salesforce sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
import typer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from typer.testing import CliRunner

from sfqb.cli import salesforce as salesforce_cli
from sfqb.codes import load_catalog
from sfqb.connectors.salesforce import (
    ExistingSession,
    JwtBearerAuth,
    PasswordAuth,
    RecordUpdate,
    RefreshTokenAuth,
    SalesforceAuthError,
    SalesforceConnector,
    SalesforceLimitError,
    SfAccount,
    SfOpportunity,
    sync_fields,
)
from sfqb.domain.status import Category, System
from sfqb.sandbox.salesforce import ManualClock, SalesforceSandbox, SandboxConfig

CATALOG = load_catalog()
START = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
BEFORE = START - timedelta(hours=1)


def open_sandbox(tmp_path: Path, **config: Any) -> SalesforceSandbox:
    clock = ManualClock(START, step=timedelta(milliseconds=1))
    return SalesforceSandbox(SandboxConfig(tls_dir=tmp_path, clock=clock, **config))


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SalesforceSandbox]:
    with open_sandbox(tmp_path) as sb:
        yield sb


def connect(
    sb: SalesforceSandbox, auth: Any = None, http: requests.Session | None = None
) -> SalesforceConnector:
    return SalesforceConnector(
        auth or ExistingSession(sb.instance, sb.session_id),
        http or sb.requests_session(),
        CATALOG,
        clock=sb.org.now,
    )


def accounts(sb: SalesforceSandbox, n: int, prefix: str = "Account") -> list[str]:
    return [sb.org.create("Account", {"Name": f"{prefix} {i}"}) for i in range(n)]


def test_an_incremental_read_returns_only_what_changed_after_the_checkpoint(
    sandbox: SalesforceSandbox,
) -> None:
    ids = accounts(sandbox, 3)
    connector = connect(sandbox)
    first = connector.read_changes(SfAccount, BEFORE, overlap=timedelta(0))
    assert [r.id for r in first.records] == ids
    assert all(len(r.id) == 18 for r in first.records)

    sandbox.org.update("Account", ids[1], {"Phone": "+1 555 0100"})
    new_id = sandbox.org.create("Account", {"Name": "Café & Co: Ltd"})
    second = connector.read_changes(SfAccount, first.high_water_mark, overlap=timedelta(0))

    assert [r.id for r in second.records] == [ids[1], new_id]
    assert second.records[0].phone == "+1 555 0100"
    assert second.records[1].name == "Café & Co: Ltd"
    assert second.high_water_mark > first.high_water_mark
    third = connector.read_changes(SfAccount, second.high_water_mark, overlap=timedelta(0))
    assert third.records == ()


def test_a_change_made_during_a_read_is_picked_up_by_the_next_one(tmp_path: Path) -> None:
    with open_sandbox(tmp_path, page_size=2) as sb:
        ids = accounts(sb, 5)
        http = sb.requests_session()
        changed: list[str] = []

        def change_after_first_page(response: requests.Response, *args: Any, **kw: Any) -> None:
            if "/query" in response.url and not changed:
                sb.org.update("Account", ids[0], {"Name": "Changed mid-read"})
                changed.append(ids[0])

        http.hooks["response"].append(change_after_first_page)
        connector = connect(sb, http=http)
        first = connector.read_changes(SfAccount, BEFORE, overlap=timedelta(0))
        assert first.pages == 3
        assert {r.id for r in first.records} == set(ids)
        assert changed == [ids[0]]

        second = connector.read_changes(SfAccount, first.high_water_mark, overlap=timedelta(0))
        assert [(r.id, r.name) for r in second.records] == [(ids[0], "Changed mid-read")]


def test_opportunities_come_with_their_line_items(sandbox: SalesforceSandbox) -> None:
    org = sandbox.org
    account = org.create("Account", {"Name": "Lines & Co"})
    product = org.create("Product2", {"Name": "Widget", "IsActive": True})
    entry = org.create(
        "PricebookEntry",
        {
            "Pricebook2Id": org.standard_pricebook_id,
            "Product2Id": product,
            "UnitPrice": 19.99,
            "IsActive": True,
        },
    )
    deal = org.create(
        "Opportunity",
        {
            "Name": "Deal",
            "AccountId": account,
            "StageName": "Closed Won",
            "CloseDate": "2026-01-14",
            "Pricebook2Id": org.standard_pricebook_id,
        },
    )
    for quantity in (1, 3):
        org.create(
            "OpportunityLineItem",
            {
                "OpportunityId": deal,
                "PricebookEntryId": entry,
                "Quantity": quantity,
                "UnitPrice": 19.99,
            },
        )
    (opportunity,) = connect(sandbox).read_changes(SfOpportunity, BEFORE).records
    assert opportunity.id == deal
    assert opportunity.is_won is True
    assert sorted(line.quantity for line in opportunity.lines) == [Decimal(1), Decimal(3)]  # type: ignore[type-var]
    assert {line.unit_price for line in opportunity.lines} == {Decimal("19.99")}


def test_450_write_backs_take_exactly_three_collection_calls(sandbox: SalesforceSandbox) -> None:
    ids = accounts(sandbox, 450)
    sandbox.clear_calls()
    updates = [
        RecordUpdate(
            "Account", record_id, sync_fields(quickbooks_id=f"QB-{i}", sync_status="Synced")
        )
        for i, record_id in enumerate(ids)
    ]
    results = connect(sandbox).write_back(updates)

    assert all(r.success for r in results), [r.statuses for r in results if not r.success][:1]
    collection_calls = [c for c in sandbox.calls if c.path.endswith("/composite/sobjects")]
    assert len(collection_calls) == 3
    assert [c.method for c in collection_calls] == ["PATCH"] * 3
    assert sandbox.org.get("Account", ids[449])["QuickBooks_ID__c"] == "QB-449"


def test_the_call_options_header_reaches_the_server_on_every_write(
    sandbox: SalesforceSandbox,
) -> None:
    (record_id,) = accounts(sandbox, 1)
    connector = connect(sandbox)
    connector.write_back([RecordUpdate("Account", record_id, {"Phone": "1"})])
    connector.upsert("Product2", "QuickBooks_ID__c", [{"QuickBooks_ID__c": "I-1", "Name": "X"}])
    assert len(sandbox.writes) == 2
    assert all(c.headers.get("sforce-call-options") == "client=sfqb" for c in sandbox.writes)
    assert connector.api_usage is not None and connector.api_usage.used >= 2


def test_duplicate_value_and_unable_to_lock_row_come_back_decoded(
    sandbox: SalesforceSandbox,
) -> None:
    first, second, third = accounts(sandbox, 3)
    sandbox.org.update("Account", first, {"QuickBooks_ID__c": "80000001-1"})
    sandbox.faults.lock_records(third)
    results = connect(sandbox).write_back(
        [
            RecordUpdate("Account", second, {"QuickBooks_ID__c": "80000001-1"}),
            RecordUpdate("Account", third, {"QuickBooks_ID__c": "80000003-1"}),
        ]
    )
    duplicate, locked = (r.statuses[0] for r in results)
    assert not results[0].success and not results[1].success

    assert (duplicate.system, duplicate.code) == (System.SALESFORCE, "DUPLICATE_VALUE")
    assert duplicate.known and duplicate.category is Category.DUPLICATE
    assert first in duplicate.meaning and duplicate.fix

    assert locked.code == "UNABLE_TO_LOCK_ROW"
    assert locked.known and locked.retryable and locked.category is Category.IN_USE
    assert locked.meaning and locked.fix
    assert locked.message  # Salesforce's own text is kept


def test_upsert_by_external_id_creates_then_updates(sandbox: SalesforceSandbox) -> None:
    connector = connect(sandbox)
    rows = [{"QuickBooks_ID__c": "C-1", "Name": "Émile & Fils"}]
    (created,) = connector.upsert("Account", "QuickBooks_ID__c", rows)
    (updated,) = connector.upsert("Account", "QuickBooks_ID__c", [{**rows[0], "Phone": "2"}])
    assert created.success and created.created is True
    assert updated.success and updated.created is False
    assert updated.record_id == created.record_id


def test_an_expired_session_is_refreshed_through_the_token_endpoint(
    sandbox: SalesforceSandbox,
) -> None:
    accounts(sandbox, 1)
    auth = RefreshTokenAuth("sfqb", "demo-refresh", login_url=sandbox.instance_url)
    connector = connect(sandbox, auth)
    sandbox.faults.invalid_session_next(1)
    assert len(connector.read_changes(SfAccount, BEFORE).records) == 1
    token_calls = [c for c in sandbox.calls if c.path.endswith("/oauth2/token")]
    assert len(token_calls) == 2

    sandbox.faults.invalid_session_next(2)
    with pytest.raises(SalesforceAuthError) as caught:
        connector.read_changes(SfAccount, BEFORE)
    assert caught.value.codes == ("INVALID_SESSION_ID", "http-401")


def test_password_login_and_a_refused_password(sandbox: SalesforceSandbox) -> None:
    accounts(sandbox, 1)
    good = PasswordAuth("demo@sfqb.example", "demo", "", "sfqb", login_url=sandbox.instance_url)
    assert len(connect(sandbox, good).read_changes(SfAccount, BEFORE).records) == 1
    bad = PasswordAuth("demo@sfqb.example", "nope", "", "sfqb", login_url=sandbox.instance_url)
    with pytest.raises(SalesforceAuthError) as caught:
        connect(sandbox, bad).read_changes(SfAccount, BEFORE)
    assert "BAD_CREDENTIALS" in caught.value.codes
    assert caught.value.status.category is Category.AUTH


def test_jwt_bearer_login(tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with open_sandbox(tmp_path, jwt_public_key=public.decode(), client_id="sfqb-app") as sb:
        accounts(sb, 2)
        auth = JwtBearerAuth("sfqb-app", "demo@sfqb.example", pem, login_url=sb.instance_url,
                             clock=sb.org.now)  # fmt: skip
        assert len(connect(sb, auth).read_changes(SfAccount, BEFORE).records) == 2


def test_request_limit_exceeded_is_decoded(sandbox: SalesforceSandbox) -> None:
    sandbox.faults.limit_exceeded_next(1)
    with pytest.raises(SalesforceLimitError) as caught:
        connect(sandbox).read_changes(SfAccount, BEFORE)
    assert caught.value.codes == ("REQUEST_LIMIT_EXCEEDED", "http-403")


def test_deletions_are_read_through_get_deleted(sandbox: SalesforceSandbox) -> None:
    ids = accounts(sandbox, 2)
    sandbox.org.delete("Account", ids[0])
    sandbox.org.clock.advance(timedelta(minutes=2))  # type: ignore[attr-defined]
    batch = connect(sandbox).read_deletions("Account", START - timedelta(minutes=5))
    assert [d.id for d in batch.deleted] == [ids[0]]
    assert batch.latest_covered is not None


def test_setup_check_reports_missing_fields_and_packages_only_those(
    sandbox: SalesforceSandbox, tmp_path: Path
) -> None:
    sandbox.org.schema.remove_field("Opportunity", "QuickBooks_Balance__c")
    app = typer.Typer()

    @app.callback()
    def _root() -> None: ...

    salesforce_cli.register(app)
    out = tmp_path / "pkg"
    result = CliRunner().invoke(
        app,
        ["salesforce", "setup", "--check", "--out", str(out)],
        env={
            "SFQB_SF_INSTANCE": sandbox.instance,
            "SFQB_SF_SESSION_ID": sandbox.session_id,
            "SFQB_SF_CA_FILE": str(sandbox.ca_path),
        },
    )
    assert result.exit_code == 1, result.output
    assert "missing" in result.output
    fields = sorted(p.name for p in out.rglob("*.field-meta.xml"))
    assert fields == ["QuickBooks_Balance__c.field-meta.xml"]
