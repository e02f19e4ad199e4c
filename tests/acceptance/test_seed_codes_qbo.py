"""Acceptance: `sfqb demo --target qbo --scenario seed-codes` stages the QuickBooks Online
counterparts of the seed article's situations (issue 11).

The scenario runs once for the module through the CLI command (Typer's runner); the tests read
its printed report, its JSON summary and its store.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from tests.acceptance.test_seed_codes import make_app
from typer.testing import CliRunner

from sfqb.cli.context import Services
from sfqb.store import ReviewStatus, Store


@dataclass
class Ran:
    output: str
    summary: dict[str, Any]
    store: Store


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ran]:
    workdir = tmp_path_factory.mktemp("seed-codes-qbo")
    summary_path = workdir / "summary.json"
    result = CliRunner().invoke(
        make_app(),
        ["demo", "--target", "qbo", "--scenario", "seed-codes", "--workdir", str(workdir),
         "--json-summary", str(summary_path)],
        obj=Services(),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    store = Store.from_url(f"sqlite:///{workdir / 'sfqb.sqlite'}")
    yield Ran(result.output, json.loads(summary_path.read_text(encoding="utf-8")), store)
    store.engine.dispose()


def _row(ran: Ran, code: str, role: str | None = None) -> dict[str, Any]:
    rows = [r for r in ran.summary["situations"] if r["code"] == code and r.get("role") == role]
    assert len(rows) == 1, (code, role)
    return rows[0]


# (code, role, what sfqb's log says it did)
STAGED = [
    ("qbo:6240", "6240", "bound the existing QuickBooks record"),
    ("transport:CONNECTOR_UNREACHABLE", None, "cycle stopped; records stay queued"),
    ("transport:PARENT_INACTIVE", "inactive", "active again in QuickBooks (on_inactive:"),
    ("qbo:2500", "2500", "the binding follows it, nothing re-created"),
    ("qbo:5010", "in-use", "re-read the record and re-applied the change once"),
    ("qbo:5010", "5010", "re-read the record and re-applied the change once"),
    ("transport:FEATURE_OFF", None, "reported once for the company; held: Inventory tracking"),
    ("transport:QBO_AUTH_LOST", None, "cycle stopped; records stay queued"),
]  # fmt: skip


@pytest.mark.parametrize(("code", "role", "action"), STAGED)
def test_each_situation_produced_its_code_and_sfqbs_action(
    ran: Ran, code: str, role: str | None, action: str
) -> None:
    row = _row(ran, code, role)
    assert row["seen"] >= 1 and action in row["sfqb_did"]


def test_6240_binds_the_matching_name_and_reviews_the_other_with_a_candidate(ran: Ran) -> None:
    row = _row(ran, "qbo:6240", "6240")
    assert row["resolved_automatically"] == 1 and row["needs_review"] == 1
    (item,) = ran.summary["review"]
    assert item["code"] == "6240" and item["candidates"] == 1


def test_the_outage_and_the_lost_connection_each_opened_the_circuit_once_and_closed(
    ran: Ran,
) -> None:
    assert ran.summary["circuit"] == {"openings": 2, "open": False}
    for key in ("transport:CONNECTOR_UNREACHABLE", "transport:QBO_AUTH_LOST"):
        assert ran.summary["codes"][key]["resolved_automatically"] == 1


def test_the_quiet_end(ran: Ran) -> None:
    assert ran.summary["quiet"] is True
    assert ran.summary["undecoded"] == 0 and ran.summary["duplicates"] == 0


def test_the_inventory_product_waits_for_the_setting_sfqb_names_then_goes(ran: Ran) -> None:
    """QuickBooks Desktop's 3250 on QuickBooks Online: the preflight holds the inventory item
    (nothing sent), one company message names the setting, an admin turns it on, the next
    cycle sends the item and lifts the hold."""
    row = _row(ran, "transport:FEATURE_OFF")
    assert row["seen"] == 1 and row["company_messages"] == 1
    assert row["resolved_automatically"] == 1 and row["needs_review"] == 0
    assert '"Track inventory quantity on hand"' in row["sfqb_did"]
    blocks = [
        r for r in ran.store.review.items("demo", status=None)
        if r.source_type == "company" and r.code == "FEATURE_OFF"
    ]  # fmt: skip
    assert len(blocks) == 1 and blocks[0].status is ReviewStatus.RESOLVED
    assert blocks[0].source_id == "Item[Type=Inventory]:add"
    turned_on = [a for a in ran.summary["user_actions"] if "Track inventory quantity" in a]
    assert len(turned_on) == 1
    sent = [
        line for line in ran.store.journal.log("demo", limit=1000)
        if line.flow == "product_to_item" and str(line.system) == "qbo"
        and line.sf is not None and line.sf.id in _held(ran)
    ]  # fmt: skip
    assert [line.code for line in sent] == ["http-200"]  # sent once, after the setting


def _held(ran: Ran) -> set[str]:
    return {
        line.sf.id
        for line in ran.store.journal.log("demo", code="FEATURE_OFF", limit=1000)
        if line.sf is not None
    }


def test_the_report_names_quickbooks_online_and_decodes_each_code(ran: Ran) -> None:
    out = " ".join(ran.output.split())
    assert "The seed article's situations on QuickBooks Online" in out
    assert "pushing cycles to QuickBooks Online" in out and "Web Connector" not in out
    assert out.count("Meaning:") >= 6 and "cycles, ended quiet" in out
