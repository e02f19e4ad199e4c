"""`sfqb demo` seeds an account family (a parent account, two child accounts, their contacts)
and its JSON summary counts the jobs and the customers that carry a contact, on both targets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sfqb.cli.main import app


@pytest.mark.parametrize("target", ["qbd", "qbo"])
def test_the_demo_sends_the_family_as_a_customer_and_two_jobs(tmp_path: Path, target: str) -> None:
    summary_path = tmp_path / "summary.json"
    result = CliRunner().invoke(
        app,
        ["demo", "--accounts", "small", "--target", target, "--workdir", str(tmp_path / "w"),
         "--json-summary", str(summary_path)],
        env={"COLUMNS": "300"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2 of them jobs" in result.output
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    quickbooks = summary["quickbooks"]
    assert quickbooks["jobs"] == 2
    # Every seeded account has a contact: each customer carries its primary contact.
    assert quickbooks["with_contact"] == quickbooks["customers"]
    assert summary["open_failures"] == 0 and summary["undecoded"] == 0
    assert summary["duplicates"] == 0
