"""`sfqb connect/sync/plan/log/bindings/bind/unbind/retry` against the sandboxes, on SQLite."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, table, text
from tests.cli.cli_helpers import fails, run
from tests.conftest import KEY
from typer.testing import CliRunner

from sfqb.cli.main import app
from sfqb.codes import load_catalog
from sfqb.domain.entities import SfObject, SfRef
from sfqb.domain.status import System
from sfqb.sandbox.qbd import CompanyFile, SandboxSettings
from sfqb.sandbox.salesforce import SalesforceSandbox, SandboxConfig, SeedSummary, seed
from sfqb.store import ConnectionSystem, Direction, QueueStatus, SecretBox, Store

CATALOG = load_catalog()


@dataclass
class Env:
    """A Salesforce sandbox, a store URL and a sandbox company file, with the connections set."""

    sf: SalesforceSandbox
    seeded: SeedSummary
    url: str
    book: Path
    tmp: Path

    def store(self) -> Store:
        store = Store.from_url(self.url, secrets=SecretBox(KEY))
        store.migrate()
        return store

    def quickbooks(self) -> CompanyFile:
        return CompanyFile.load(
            self.book, SandboxSettings(), lambda: datetime.now(UTC), random.Random(1)
        )


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Env]:
    url = f"sqlite:///{tmp_path / 'sfqb.sqlite'}"
    monkeypatch.setenv("SFQB_DATABASE_URL", url)
    monkeypatch.setenv("SFQB_SECRET_KEY", KEY)
    monkeypatch.delenv("SFQB_CONFIG", raising=False)
    with SalesforceSandbox(SandboxConfig(tls_dir=tmp_path / "tls")) as sf:
        seeded = seed(sf.org, 6, random.Random(1))
        book = tmp_path / "company.json"
        ca = str(tmp_path / "tls" / "ca.pem")
        code, output = run(
            "connect", "salesforce", "--company", "demo", "--instance", sf.instance,
            "--session-id", sf.session_id, "--ca-file", ca,
        )  # fmt: skip
        assert code == 0, output
        code, output = run("connect", "qbd", "--company", "demo", "--sandbox-file", str(book))
        assert code == 0 and book.is_file(), output
        yield Env(sf, seeded, url, book, tmp_path)


def row_counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as db:
        return {
            name: db.scalar(select(func.count()).select_from(table(name))) or 0
            for name in inspect(store.engine).get_table_names()
        }


def plan_json(*args: str) -> list[dict[str, object]]:
    code, output = run("plan", "--json", *args)
    assert code == 0, output
    items: list[dict[str, object]] = json.loads(output)
    return items


def test_connect_stores_the_secret_encrypted(env: Env) -> None:
    store = env.store()
    info = store.connections.get("demo", ConnectionSystem.SALESFORCE)
    assert info is not None and info.has_secret and "session_id" not in info.settings
    assert store.connections.secret("demo", ConnectionSystem.SALESFORCE) == {
        "session_id": env.sf.session_id
    }
    with store.engine.connect() as db:
        stored = [s for s in db.scalars(text("SELECT secret FROM connections")) if s]
    assert stored and all(env.sf.session_id not in s for s in stored)


def test_sync_lands_records_then_plan_sees_only_real_changes(env: Env) -> None:
    before = plan_json()
    assert {i["action"] for i in before} == {"create"}
    assert len(before) == (
        len(env.seeded.accounts) + len(env.seeded.products) + len(env.seeded.opportunities)
    )
    code, output = run("sync")
    assert code == 0, output
    assert f"synced {len(env.seeded.accounts)} account_to_customer" in output
    books = env.quickbooks()
    assert len(books.customers()) == len(env.seeded.accounts)
    assert len(books.invoices()) == len(env.seeded.opportunities)
    assert len(env.store().bindings.for_company("demo")) == len(before)

    assert not [i for i in plan_json() if i["action"] in ("create", "update")]
    code, output = run("plan")
    assert code == 0 and "0 create, 0 update" in output, output

    account = env.seeded.accounts[0]
    env.sf.org.update("Account", account, {"Phone": "(512) 555-0199"})
    store = env.store()
    counts = row_counts(store)
    planned = plan_json("--flow", "account_to_customer")
    assert row_counts(store) == counts  # the dry run wrote nothing
    changed = [i for i in planned if i["action"] == "update"]
    assert [i["id"] for i in changed] == [account]
    assert "Phone" in str(changed[0]["reason"])
    assert not [i for i in planned if i["action"] == "create"]

    code, output = run("sync", "--company", "demo", "--flow", "account_to_customer")
    assert code == 0 and "synced 1 account_to_customer" in output, output
    binding = env.store().bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, account))
    assert binding is not None
    customer = env.quickbooks().get(binding.qb.id)
    assert customer is not None and customer.fields["Phone"] == "(512) 555-0199"


def test_plan_reports_what_the_mapping_changed(env: Env) -> None:
    long_name = "A" * 30 + " Holdings: International Trading Company"
    env.sf.org.create("Account", {"Name": long_name})
    counts = row_counts(env.store())
    items = plan_json("--flow", "account_to_customer")
    assert row_counts(env.store()) == counts
    item = next(i for i in items if i["name"] == long_name)
    assert item["action"] == "create" and item["changes"], item


def test_a_company_without_quickbooks_sandbox_queues_for_the_web_connector(env: Env) -> None:
    store = env.store()
    store.connections.delete("demo", ConnectionSystem.QBD)
    code, output = run("sync", "--company", "demo")
    assert code == 0, output
    total = len(env.seeded.accounts) + len(env.seeded.products) + len(env.seeded.opportunities)
    assert f"{total} records wait for the Web Connector" in output
    assert store.queue.count_by_status("demo") == {QueueStatus.PENDING: total}


def test_log_lists_open_failures_with_meaning_and_fix(env: Env) -> None:
    run("sync")
    store = env.store()
    sf = SfRef(SfObject.ACCOUNT, env.seeded.accounts[1])
    status = CATALOG.decode(System.QBXML, "3100", "The name is already in use.")
    store.journal.record_attempt(
        company="demo", flow="account_to_customer", direction=Direction.SF_TO_QB,
        operation="add", status=status, sf=sf, action_taken="held: a person must act",
    )  # fmt: skip
    code, output = run("log", "--status", "failed", "--json")
    assert code == 0, output
    rows = json.loads(output)
    assert [(r["system"], r["code"]) for r in rows] == [("qbxml", "3100")]
    assert rows[0]["meaning"] and rows[0]["fix"] and rows[0]["salesforce"] == str(sf)
    code, output = run("log", "--company", "demo", "--code", "3100", "--system", "qbxml")
    assert code == 0 and "qbxml:3100" in output and "held: a person" in output, output
    code, output = run("log", "--limit", "3", "--json")
    assert code == 0 and len(json.loads(output)) == 3


def test_bindings_bind_unbind_and_conflicts(env: Env) -> None:
    account, other = env.seeded.accounts[0], env.seeded.accounts[1]
    code, output = run("bind", account, "80000001-1111111111", "--company", "demo")
    assert code == 0 and "Customer 80000001-1111111111" in output, output
    line = fails("bind", other, "80000001-1111111111", "--company", "demo")
    assert account in line and other in line and "already bound" in line
    line = fails("bind", account, "80000002-2222222222", "--company", "demo")
    assert "already bound" in line
    code, output = run("bindings", "--company", "demo", "--json")
    assert code == 0, output
    (shown,) = json.loads(output)
    assert shown["salesforce_id"] == account and shown["quickbooks_id"] == "80000001-1111111111"
    assert shown["bound_by_hand"] is True and shown["synced_at"] is None
    code, output = run("bindings")
    assert code == 0 and account in output and "bound by hand" in output, output
    assert "last synced" not in output
    code, output = run("unbind", "80000001-1111111111", "--company", "demo")
    assert code == 0 and account in output, output
    assert env.store().bindings.for_company("demo") == []
    product = env.seeded.products[0]
    code, output = run("bind", product, "80000009-1", "--company", "demo")
    assert code == 0 and "Product2" in output and "Item" in output, output
    code, output = run("unbind", product, "--company", "demo")
    assert code == 0, output


def test_retry_makes_failed_rows_due(env: Env) -> None:
    store = env.store()
    now = datetime.now(UTC)
    sf = SfRef(SfObject.ACCOUNT, env.seeded.accounts[0])
    item = store.queue.enqueue(
        "demo", "account_to_customer", Direction.SF_TO_QB, sf, payload={"Id": sf.id},
        fingerprint="x", now=now,
    )  # fmt: skip
    store.queue.mark(item.id, QueueStatus.FAILED, now=now)
    code, output = run("retry", "--company", "demo", "--id", str(item.id))
    assert code == 0 and output.startswith("due now: #"), output
    assert "1 records are due again" in output
    assert store.queue.item(item.id).status is QueueStatus.PENDING  # type: ignore[union-attr]
    code, output = run("retry")
    assert code == 0 and output.startswith("nothing to retry: none of the"), output


def test_secret_key_prints_a_usable_key() -> None:
    result = CliRunner().invoke(app, ["secret-key"])
    assert result.exit_code == 0
    key = result.stdout.strip()
    assert SecretBox(key).decrypt(SecretBox(key).encrypt("x")) == "x"
    assert "export SFQB_SECRET_KEY=" in result.stderr


def test_every_user_mistake_is_one_line_and_exit_2(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = env.seeded.accounts[0]
    assert "unknown company 'nope'" in fails("sync", "--company", "nope")
    assert "unknown company" in fails("plan", "--company", "nope")
    assert "unknown company" in fails("bindings", "--company", "nope")
    assert "unknown company" in fails("log", "--company", "nope")
    assert "unknown company" in fails("retry", "--company", "nope")
    line = fails("sync", "--flow", "everything")
    assert "account_to_customer" in line and "opportunity_to_invoice" in line
    assert "unknown flow" in fails("plan", "--flow", "customer_to_account")
    assert "not a Salesforce Id" in fails("bind", "001xyz", "80000001-1", "--company", "demo")
    assert "prefix" in fails("bind", "003000000000001AAA", "1", "--company", "demo")
    assert "unknown --kind" in fails("bind", account, "1", "--company", "demo", "--kind", "Bill")
    assert "cannot be bound" in fails(
        "bind", account, "80000001-1700000000", "--company", "demo", "--kind", "Invoice"
    )
    assert "cut short" in fails("bind", account, "80000001", "--company", "demo")
    assert "is not bound" in fails("unbind", account, "--company", "demo")
    assert "--status" in fails("log", "--status", "broken")
    assert "--system" in fails("log", "--system", "sap")
    assert "no open queue row is about '1'" in fails("retry", "--id", "1")  # the one company
    assert "--ca-file" in fails(
        "connect", "salesforce", "--company", "x", "--instance", "h", "--session-id", "s",
        "--ca-file", str(env.tmp / "missing.pem"),
    )  # fmt: skip
    assert "exactly one" in fails("connect", "salesforce", "--company", "x", "--instance", "h")
    assert "--client-id" in fails(
        "connect", "salesforce", "--company", "x", "--instance", "h", "--username", "u"
    )
    monkeypatch.delenv("SFQB_PW", raising=False)
    assert "SFQB_PW" in fails(
        "connect", "salesforce", "--company", "x", "--instance", "h", "--username", "u",
        "--client-id", "c", "--password-env", "SFQB_PW",
    )  # fmt: skip
    monkeypatch.delenv("SFQB_SECRET_KEY")
    assert "SFQB_SECRET_KEY" in fails("sync", "--company", "demo")
    assert "SFQB_SECRET_KEY" in fails(
        "connect", "salesforce", "--company", "x", "--instance", "h", "--session-id", "s"
    )
    monkeypatch.setenv("SFQB_SECRET_KEY", "another key entirely")
    assert "cannot decrypt" in fails("plan", "--company", "demo")


def test_a_password_login_and_a_mapping_override_from_the_config_file(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SF_PASSWORD", env.sf.config.password)
    code, output = run(
        "connect", "salesforce", "--company", "pw", "--instance", env.sf.instance,
        "--username", env.sf.config.username, "--password-env", "SF_PASSWORD",
        "--client-id", "sfqb", "--login-url", env.sf.base_url,
        "--ca-file", str(env.tmp / "tls" / "ca.pem"),
    )  # fmt: skip
    assert code == 0, output
    assert plan_json("--company", "pw", "--flow", "product_to_item")
    config = env.tmp / "sfqb.yaml"
    config.write_text("companies:\n  pw:\n    mapping: missing.yaml\n", encoding="utf-8")
    monkeypatch.setenv("SFQB_CONFIG", str(config))
    assert "missing.yaml" in fails("plan", "--company", "pw")
    config.write_text("companies: [1, 2]\n", encoding="utf-8")
    assert "companies" in fails("plan", "--company", "pw")


def test_the_default_store_is_var_sfqb_sqlite_in_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SFQB_DATABASE_URL", raising=False)
    monkeypatch.delenv("SFQB_CONFIG", raising=False)
    code, output = run("bindings", "--json")
    assert code == 0 and json.loads(output) == [], output
    assert (tmp_path / "var" / "sfqb.sqlite").is_file()
    assert "no company has a Salesforce connection" in fails("sync")


def test_connect_records_the_org_and_sync_refuses_another_org(env: Env) -> None:
    info = env.store().connections.get("demo", ConnectionSystem.SALESFORCE)
    assert info is not None and info.settings["org_id"] == env.sf.org.org_id
    recorded = env.sf.org.org_id
    env.sf.org.refresh()  # the sandbox was refreshed: same login, another org
    code, output = run("sync", "--company", "demo")
    assert code == 1, output
    (line,) = output.strip().splitlines()
    assert line.startswith("demo: not synced: Salesforce org changed") and recorded in line
    assert env.quickbooks().customers() == []
    ca = str(env.tmp / "tls" / "ca.pem")
    code, output = run(
        "connect", "salesforce", "--company", "demo", "--instance", env.sf.instance,
        "--session-id", env.sf.session_id, "--ca-file", ca,
    )  # fmt: skip
    assert code == 0 and env.sf.org.org_id in output, output
    code, output = run("sync", "--company", "demo")
    assert code == 0 and "synced" in output, output


def test_sf_batch_size_from_the_config_file_sets_the_collection_size(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = env.tmp / "sfqb.yaml"
    config.write_text("companies:\n  demo:\n    policy:\n      sf_batch_size: 2\n")
    monkeypatch.setenv("SFQB_CONFIG", str(config))
    env.sf.clear_calls()
    code, output = run("sync", "--company", "demo")
    assert code == 0, output
    writes = [c for c in env.sf.calls if c.method == "PATCH" and "composite" in c.path]
    records = sum(1 for a in env.sf.org.records("Account") if a["QuickBooks_ID__c"])
    assert records == len(env.seeded.accounts)
    total = len(env.seeded.accounts) + len(env.seeded.products) + len(env.seeded.opportunities)
    assert len(writes) == -(-total // 2)
