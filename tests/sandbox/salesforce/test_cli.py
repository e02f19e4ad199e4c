"""`sfqb sandbox salesforce` through a Typer app built here (the lead wires it into main)."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from sfqb.cli.sandbox_salesforce import register


def app() -> typer.Typer:
    root = typer.Typer()
    sandbox = typer.Typer()
    register(sandbox)
    root.add_typer(sandbox, name="sandbox")
    return root


def test_runs_and_writes_the_ca(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app(), ["sandbox", "salesforce", "--seed", "small", "--tls-dir", str(tmp_path), "--no-wait"]
    )
    assert result.exit_code == 0, result.output
    assert "session id  demo" in result.output
    assert "instance    127.0.0.1:" in result.output
    assert (tmp_path / "ca.pem").is_file()


def test_bad_seed_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app(), ["sandbox", "salesforce", "--seed", "huge", "--tls-dir", str(tmp_path), "--no-wait"]
    )
    assert result.exit_code == 2
    assert "unknown seed size 'huge'" in result.output
    assert "Traceback" not in result.output


def test_bad_port(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app(), ["sandbox", "salesforce", "--port", "70000", "--tls-dir", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "--port must be between 0 and 65535" in result.output
