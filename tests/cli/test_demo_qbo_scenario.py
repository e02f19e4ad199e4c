"""`sfqb demo --target qbo --scenario seed-codes --json-summary F`: the summary's keys."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from tests.acceptance.test_seed_codes import make_app
from typer.testing import CliRunner

from sfqb.cli.context import Services
from sfqb.cli.secret_keys import key_problem
from sfqb.services import people
from sfqb.store import SecretBox, Store


def test_the_qbo_scenario_writes_the_demo_summary_keys(tmp_path: Path) -> None:
    summary = tmp_path / "s.json"
    result = CliRunner().invoke(
        make_app(),
        ["demo", "--target", "qbo", "--scenario", "seed-codes", "--workdir", str(tmp_path),
         "--json-summary", str(summary)],
        obj=Services(),
        env={"COLUMNS": "400"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(summary.read_text(encoding="utf-8"))
    for key in ("synced", "attempts_by_code", "open_failures", "undecoded", "duplicates",
                "codes", "situations", "review", "policy", "circuit", "quiet"):  # fmt: skip
        assert key in data, key
    assert data["undecoded"] == 0 and data["duplicates"] == 0
    assert "refuses" not in result.output
    # The store has the console user demo/demo, and the printed command carries the key.
    command = shlex.split(result.output.splitlines()[-1])
    key = command[0].removeprefix("SFQB_SECRET_KEY=")
    url = f"sqlite:///{tmp_path / 'sfqb.sqlite'}"
    assert command[1].startswith("SFQB_CONFIG=")
    assert command[2:] == ["sfqb", "serve", "--database-url", url, "--port", "8000"]
    store = Store.from_url(url, secrets=SecretBox(key))
    assert people.verify_sign_in(store, "demo", "demo") is not None
    assert key_problem(store, SecretBox(key)) is None
    store.engine.dispose()
