"""`sfqb demo` seeds an account family (a parent account, two child accounts, their contacts)
and its JSON summary counts the jobs and the customers that carry a contact, on both targets;
it counts what it seeds per flow, the credit memo under its own name
(opportunity_to_credit_memo), apart from the invoices of opportunity_to_invoice."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from sfqb.cli.main import app


def _demo(tmp_path: Path, target: str) -> tuple[Result, dict[str, Any]]:
    """`sfqb demo --accounts small` on `target`: its output and its JSON summary."""
    summary_path = tmp_path / "summary.json"
    result = CliRunner().invoke(
        app,
        ["demo", "--accounts", "small", "--target", target, "--workdir", str(tmp_path / "w"),
         "--json-summary", str(summary_path)],
        env={"COLUMNS": "300"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary: dict[str, Any] = json.loads(summary_path.read_text(encoding="utf-8"))
    return result, summary


@pytest.mark.parametrize("target", ["qbd", "qbo"])
def test_the_demo_sends_the_family_as_a_customer_and_two_jobs(tmp_path: Path, target: str) -> None:
    result, summary = _demo(tmp_path, target)
    assert "2 of them jobs" in result.output
    quickbooks = summary["quickbooks"]
    assert quickbooks["jobs"] == 2
    # Every seeded account has a contact: each customer carries its primary contact.
    assert quickbooks["with_contact"] == quickbooks["customers"]
    assert summary["open_failures"] == 0 and summary["undecoded"] == 0
    assert summary["duplicates"] == 0


@pytest.mark.parametrize("target", ["qbd", "qbo"])
def test_the_demo_counts_the_credit_memo_under_its_own_flow(tmp_path: Path, target: str) -> None:
    result, summary = _demo(tmp_path, target)
    synced, quickbooks = summary["synced"], summary["quickbooks"]
    assert quickbooks["credit_memos"] >= 1
    assert synced["opportunity_to_credit_memo"] == quickbooks["credit_memos"]
    assert synced["opportunity_to_invoice"] >= 1  # the sales, counted apart
    assert synced["account_to_vendor"] == quickbooks["vendors"] >= 1
    assert synced["order_to_sales_order"] >= 1
    assert "opportunity_to_credit_memo" in result.output  # the printed table's row
    assert summary["open_failures"] == 0 and summary["undecoded"] == 0
