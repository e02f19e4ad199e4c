"""`sfqb review`, `sfqb review resolve` and `sfqb rename` against the sandboxes, on SQLite."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text as sql
from tests.cli.cli_helpers import fails, ok, run
from tests.conftest import KEY
from tests.jobs.worlds import won_deal
from typer.testing import CliRunner

from sfqb.cli import bindings as bindings_cli
from sfqb.cli.main import app
from sfqb.codes import load_catalog
from sfqb.domain.policy import AlertSettings
from sfqb.domain.status import System
from sfqb.jobs.alerts import AlertCenter, AlertChannels, AlertKind
from sfqb.sandbox.qbd import CompanyFile, SandboxSettings
from sfqb.sandbox.salesforce import SalesforceSandbox, SandboxConfig
from sfqb.store import QueueStatus, SecretBox, Store

CATALOG = load_catalog()
NAME = "Acme Tools"


@dataclass
class Env:
    """Salesforce sandbox, store and sandbox company file, with one name taken in QuickBooks."""

    sf: SalesforceSandbox
    url: str
    book: Path
    account: str
    taken_by: str

    def store(self) -> Store:
        store = Store.from_url(self.url, secrets=SecretBox(KEY))
        store.migrate()
        return store

    def quickbooks(self) -> CompanyFile:
        return CompanyFile.load(
            self.book, SandboxSettings(), lambda: datetime.now(UTC), random.Random(1)
        )

    def customers(self, name: str) -> list[str]:
        return [c.id for c in self.quickbooks().customers() if c.fields.get("Name") == name]

    def items(self, *args: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = json.loads(ok("review", "--json", *args))
        return found


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Env]:
    url = f"sqlite:///{tmp_path / 'sfqb.sqlite'}"
    monkeypatch.setenv("SFQB_DATABASE_URL", url)
    monkeypatch.setenv("SFQB_SECRET_KEY", KEY)
    monkeypatch.delenv("SFQB_CONFIG", raising=False)
    with SalesforceSandbox(SandboxConfig(tls_dir=tmp_path / "tls")) as sf:
        book = tmp_path / "company.json"
        ca = str(tmp_path / "tls" / "ca.pem")
        ok("connect", "salesforce", "--company", "demo", "--instance", sf.instance,
           "--session-id", sf.session_id, "--ca-file", ca)  # fmt: skip
        ok("connect", "qbd", "--company", "demo", "--sandbox-file", str(book))
        quickbooks = CompanyFile.load(
            book, SandboxSettings(), lambda: datetime.now(UTC), random.Random(1)
        )
        taken = quickbooks.add_as_user("Customer", NAME, Phone="(415) 555-0199")
        quickbooks.save(book)
        account = sf.org.create("Account", {"Name": NAME, "Phone": "(512) 555-0101"})
        ok("sync", "--company", "demo")
        yield Env(sf, url, book, account, taken.id)


def test_review_lists_the_held_record_with_its_candidates(env: Env) -> None:
    (item,) = env.items()
    assert item["record"] == f"Account/{env.account}" and item["name"] == NAME
    assert item["code"] == "qbxml:3100" and item["title"] == "The name already exists"
    assert item["meaning"] and item["fix"] and item["kind"] == "record"
    assert item["evidence_kind"] == "candidates"
    (candidate,) = item["evidence"]
    assert candidate["qb_id"] == env.taken_by and candidate["matches_rule"] is False
    output = ok("review", "--company", "demo")
    assert "account_to_customer" not in output.splitlines()[0]  # words, not the flow's id
    for text in (f"#{item['id']}", env.account, "QuickBooks 3100 The name already exists",
                 "(Accounts → Customers)",
                 "(415) 555-0199", env.taken_by, "--bind QB_ID", "--rename"):  # fmt: skip
        assert text in output, (text, output)
    assert "1 open record item(s), 0 company message(s)" in output


def test_resolve_bind_then_sync_modifies_that_customer_and_resolves_the_alert(env: Env) -> None:
    store = env.store()
    (item,) = env.items()
    center = AlertCenter(store, AlertChannels(), lambda: datetime.now(UTC))
    review_item = store.review.get(item["id"])
    assert review_item is not None
    center.needs_person("demo", review_item, AlertSettings())
    key = f"review:{item['id']}"
    assert store.alerts.find_open("demo", AlertKind.RECORD_NEEDS_PERSON, key) is not None
    output = ok("review", "resolve", str(item["id"]), "--bind", env.taken_by, "--company", "demo")
    assert "resolved" in output and env.taken_by in output, output
    assert store.alerts.find_open("demo", AlertKind.RECORD_NEEDS_PERSON, key) is None
    assert "synced 1 account_to_customer" in ok("sync")
    assert env.customers(NAME) == [env.taken_by]
    customer = env.quickbooks().get(env.taken_by)
    assert customer is not None and customer.fields["Phone"] == "(512) 555-0101"
    assert env.items() == []
    (closed,) = env.items("--all")
    assert closed["status"] == "resolved" and "bound" in closed["resolution"]
    assert "resolved" in ok("review", "--all")


def test_resolve_recreate_and_ignore(env: Env) -> None:
    (item,) = env.items()
    output = ok("review", "resolve", str(item["id"]), "--ignore")
    assert "ignored" in output, output
    row = env.store().queue.open_items("demo")
    assert row == []  # done: nothing left to try
    assert "synced nothing" in ok("sync")
    env.sf.org.update("Account", env.account, {"Phone": "(512) 555-0102"})
    ok("sync")  # changed in Salesforce: tried again, and held again
    (again,) = env.items()
    assert again["id"] != item["id"]
    quickbooks = env.quickbooks()
    quickbooks.modify_as_user(env.taken_by, Name="Acme Tools Old")
    quickbooks.save(env.book)
    warned = fails("review", "resolve", str(again["id"]), "--recreate")
    assert "still has the name 'Acme Tools'" in warned and "--rename" in warned, warned
    output = ok("review", "resolve", str(again["id"]), "--recreate", "--anyway")
    assert "adds" in output, output
    assert "synced 1 account_to_customer" in ok("sync")
    assert len(env.customers(NAME)) == 1 and env.customers("Acme Tools Old") == [env.taken_by]


def test_rename_fixes_the_name_in_salesforce_and_the_next_sync_adds_it(env: Env) -> None:
    (item,) = env.items()
    output = ok("rename", env.account, "Acme Tools (Austin)", "--company", "demo")
    assert f"review item {item['id']} resolved" in output, output
    assert env.sf.org.get("Account", env.account)["Name"] == "Acme Tools (Austin)"
    row = env.store().queue.open_items("demo")
    assert [r.status for r in row] == [QueueStatus.PENDING]
    assert "synced 1 account_to_customer" in ok("sync")
    assert len(env.customers("Acme Tools (Austin)")) == 1
    assert env.customers(NAME) == [env.taken_by]


def test_a_salesforce_refusal_is_decoded_with_exit_1(env: Env) -> None:
    env.sf.org.delete("Account", env.account)
    code, output = run("rename", env.account, "Acme Tools (Austin)", "--company", "demo")
    assert code == 1, output
    assert output.startswith("sfqb: ") and "What to do:" in output, output
    assert "ENTITY_IS_DELETED" in output or "NOT_FOUND" in output, output
    assert len(env.items()) == 1


def test_every_user_mistake_is_one_line_and_exit_2(env: Env) -> None:
    store = env.store()
    (item,) = env.items()
    block = store.review.hold(
        "demo", "company", "company", "ItemInventory:add", "Inventory is off",
        status=CATALOG.decode(System.QBXML, "3250", "Inventory is off"),
    )  # fmt: skip
    other = env.sf.org.create("Account", {"Name": "Other Co", "Phone": "(512) 555-0103"})
    ok("sync")
    bound = store.bindings.by_sf("demo", bindings_cli.salesforce_ref(other))
    assert bound is not None
    i = str(item["id"])
    cases = {
        ("review", "--company", "nope"): "unknown company 'nope'",
        ("review", "resolve", "999", "--ignore"): "no review item 999",
        ("review", "resolve", i): "choose exactly one",
        ("review", "resolve", i, "--bind", "X", "--ignore"): "--bind and --ignore",
        ("review", "resolve", i, "--ignore", "--company", "nope"): "unknown company",
        ("review", "resolve", str(block.id), "--bind", "X"): "company message",
        ("review", "resolve", str(block.id), "--recreate"): "only --ignore",
        ("review", "resolve", i, "--bind", bound.qb.id): "already bound",
        ("rename", "bad", "x", "--company", "demo"): "is not a Salesforce Id",
        ("rename", "006000000000000AAA", "x", "--company", "demo"): "only Accounts and Products",
        ("rename", env.account, "  ", "--company", "demo"): "the new name is empty",
        ("rename", env.account, "x", "--company", "nope"): "unknown company",
    }
    for args, text in cases.items():
        assert text in fails(*args), args
    output = ok("review")
    assert "Company messages" in output and "ItemInventory:add" in output, output
    assert "ignored" in ok("review", "resolve", str(block.id), "--ignore")
    assert "already ignored" in fails("review", "resolve", str(block.id), "--ignore")
    assert [i["id"] for i in env.items()] == [item["id"]]


def test_resolve_bind_with_a_cut_short_id_is_refused_and_writes_nothing(env: Env) -> None:
    (item,) = env.items()
    cut = env.taken_by.split("-")[0]  # 80000001: the ListID without its stamp
    code, output = run("review", "resolve", str(item["id"]), "--bind", cut)
    assert code == 2 and output.count("\n") <= 1 and "Traceback" not in output, output
    assert output.startswith("sfqb: ") and "cut short" in output and cut in output, output
    store = env.store()
    assert store.bindings.for_company("demo") == []
    (row,) = store.queue.open_items("demo")
    assert row.bind_request is None and row.status is QueueStatus.REVIEW
    assert [i["id"] for i in env.items()] == [item["id"]]


def test_resolve_bind_with_an_unlisted_id_waits_for_quickbooks(env: Env) -> None:
    (item,) = env.items()
    output = ok("review", "resolve", str(item["id"]), "--bind", "8000ABCD-1700000000")
    assert "will bind after QuickBooks confirms the record at the next Web Connector session" in (
        output
    ), output
    assert "open" in output and env.store().bindings.for_company("demo") == []
    assert "pending: bind to 8000ABCD-1700000000" in ok("review")
    ok("sync")  # QuickBooks has no such record: nothing is bound, the item says why
    (again,) = env.items()
    assert again["id"] == item["id"] and again["pending"] is None
    assert "QuickBooks has no Customer 8000ABCD-1700000000" in again["reason"]
    assert env.store().bindings.for_company("demo") == []


def test_sfqb_bind_resolves_the_open_review_item(env: Env) -> None:
    (item,) = env.items()
    output = ok("bind", env.account, env.taken_by, "--company", "demo")
    assert f"review item {item['id']} resolved" in output, output
    assert env.items() == []
    assert "synced 1 account_to_customer" in ok("sync")
    customer = env.quickbooks().get(env.taken_by)
    assert customer is not None and customer.fields["Phone"] == "(512) 555-0101"
    assert "80000002" in fails("bind", env.account, "80000002", "--company", "demo")


def test_an_item_about_a_quickbooks_record_is_listed_and_ignored(env: Env) -> None:
    """A pasted Id that binds nothing: the item's subject is the QuickBooks customer."""
    reason = f"SalesforceID set to 001-bad in QuickBooks on Customer {env.taken_by}, but ..."
    status = CATALOG.decode(System.TRANSPORT, "BINDING_FIELD_REFUSED", reason)
    evidence = [
        {"side": "QuickBooks", "qb_id": env.taken_by, "type": "Customer", "name": NAME,
         "bound_to": None, "state": "SalesforceID = 001-bad", "value": "001-bad"},
        {"side": "Salesforce", "qb_id": None, "type": None, "name": None, "bound_to": None,
         "state": "not found"},
    ]  # fmt: skip
    item = env.store().review.hold(
        "demo", "account_to_customer", "Customer", env.taken_by, reason, status=status,
        candidates=evidence,
    )  # fmt: skip
    listed = ok("review", "--company", "demo")
    assert f"Customer {env.taken_by}" in listed and f'"{NAME}"' in listed
    assert "correct or clear the binding field" in listed
    (shown,) = [i for i in env.items("--company", "demo") if i["id"] == item.id]
    assert shown["evidence_kind"] == "binding" and shown["record"] == f"Customer/{env.taken_by}"
    line = fails("review", "resolve", str(item.id), "--bind", env.taken_by)
    assert f"is about QuickBooks Customer {env.taken_by}" in line
    done = ok("review", "resolve", str(item.id), "--ignore")
    assert f"ignored: sfqb leaves QuickBooks Customer {env.taken_by} as it is" in done


def run60(*args: str) -> str:
    """The CLI in a 60-column terminal, as a bookkeeper's laptop window shows it."""
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "60"})
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    return result.output


def test_review_shows_both_sides_marked_and_the_failed_rule_in_60_columns(env: Env) -> None:
    output = run60("review")
    assert env.taken_by in output and env.account in output, output  # never cut mid-Id
    assert "(512) 555-0101" in output and "(415) 555-0199" in output
    assert "same" in output and "differs" in output
    assert "why not bound by sfqb: the match rule" in output
    (item,) = env.items()
    (view,) = item["comparison"]
    marks = {f["field"]: f["match"] for f in view["fields"]}
    assert marks == {"name": "same", "phone": "differs"} and view["qb_id"] == env.taken_by
    assert "name+email_or_phone needs the same phone or email; phone differs" in view["verdict"]
    assert item["actions"] == ["bind", "recreate", "rename", "ignore"]


def test_resolve_bind_refuses_an_id_cut_short_in_its_stamp(env: Env) -> None:
    (item,) = env.items()
    cut = env.taken_by[:-4]  # the stamp lost its last digits when copied
    line = fails("review", "resolve", str(item["id"]), "--bind", cut)
    assert "cut short" in line and env.taken_by in line, line  # "did you mean ..."
    line = fails("review", "resolve", str(item["id"]), "--bind", "8000ABCD-17000")
    assert "10-digit creation stamp" in line, line
    assert env.store().queue.open_items("demo")[0].bind_request is None


def test_recreate_renames_in_the_same_step(env: Env) -> None:
    (item,) = env.items()
    output = ok("review", "resolve", str(item["id"]), "--recreate", "--rename", "Acme Tools (TX)")
    assert "resolved" in output and env.sf.org.get("Account", env.account)["Name"] == (
        "Acme Tools (TX)"
    )
    assert "synced 1 account_to_customer" in ok("sync")
    assert len(env.customers("Acme Tools (TX)")) == 1


def test_queue_lists_by_name_and_retry_by_record(env: Env) -> None:
    output = ok("queue", "--company", "demo")
    assert f'Account {env.account} "Acme Tools"' in output and "review" in output, output
    output = ok("retry", "acme tools", "--company", "demo")
    assert output.startswith("due now: #") and env.account in output, output
    assert "1 records are due again" in output
    assert "no open queue row is about 'Nobody'" in fails("retry", "Nobody")


def test_queue_says_which_parent_a_waiting_deal_waits_for(env: Env) -> None:
    deal = won_deal(env.sf.org, env.account)  # its account is held for review
    ok("sync", "--company", "demo")
    output = " ".join(run60("queue", "--company", "demo").split())
    assert f"Opportunity {deal}" in output, output
    assert f"until Account {env.account} is in QuickBooks (checked again by 20" in output, output
    (row,) = [r for r in json.loads(ok("queue", "--json")) if r["record"].endswith(deal)]
    assert row["status"] == "waiting" and row["waits_for"] == f"Account {env.account}"


def test_the_review_screen_offers_no_rename_without_salesforce(env: Env) -> None:
    store = env.store()
    with store.engine.begin() as db:
        db.execute(sql("DELETE FROM connections WHERE system = 'salesforce'"))
    output = run60("review")
    assert "--rename" not in output and "sfqb connect salesforce --company demo" in output
    for args in (("plan",), ("sync",), ("sync", "--company", "demo"),
                 ("rename", env.account, "X", "--company", "demo")):  # fmt: skip
        line = fails(*args)
        assert "has no Salesforce connection: sfqb connect salesforce --company demo" in line
