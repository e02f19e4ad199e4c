"""`sfqb demo --target qbo --scenario seed-codes --json-summary F`: the summary's keys."""

from __future__ import annotations

import json
from pathlib import Path

from tests.acceptance.test_seed_codes import make_app
from typer.testing import CliRunner

from sfqb.cli.context import Services


def test_the_qbo_scenario_writes_the_demo_summary_keys(tmp_path: Path) -> None:
    summary = tmp_path / "s.json"
    result = CliRunner().invoke(
        make_app(),
        ["demo", "--target", "qbo", "--scenario", "seed-codes", "--workdir", str(tmp_path),
         "--json-summary", str(summary)],
        obj=Services(),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(summary.read_text(encoding="utf-8"))
    for key in ("synced", "attempts_by_code", "open_failures", "undecoded", "duplicates",
                "codes", "situations", "review", "policy", "circuit", "quiet"):  # fmt: skip
        assert key in data, key
    assert data["undecoded"] == 0 and data["duplicates"] == 0
    assert "refuses" not in result.output
