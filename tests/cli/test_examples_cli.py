"""`sfqb examples` decodes the sample integration logs in examples/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import typer
from typer.testing import CliRunner

from sfqb.cli import examples
from sfqb.cli.context import Services

SERVICES = Services()  # one catalog load for the module
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def make_app() -> typer.Typer:
    """An app like sfqb.cli.main's: the same root callback, with the demo command."""
    app = typer.Typer(pretty_exceptions_enable=False, add_completion=False)

    @app.callback()
    def _root(ctx: typer.Context) -> None:
        if ctx.obj is None:
            ctx.obj = Services()

    examples.register(app)
    return app


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(make_app(), ["examples", *args], obj=SERVICES)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


def test_the_app_builds_its_own_services_when_none_is_given() -> None:
    result = CliRunner().invoke(make_app(), ["examples", "--dir", str(EXAMPLES)])
    assert result.exit_code == 0, result.output


def test_examples_decodes_the_bundled_examples(tmp_path: Path) -> None:
    summary_path = tmp_path / "summary.json"
    code, output = run("--json-summary", str(summary_path))
    assert code == 0, output
    for name in ("qbxml-response.xml", "qbo-fault.json", "QWCLog.txt"):
        assert name in output
    assert "README.md" not in output
    assert "qbxml:3140" in output and "salesforce:DUPLICATE_VALUE" in output
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    assert set(summary) == {"files", "findings", "by_code", "undecoded"}
    files = [p for p in EXAMPLES.iterdir() if p.is_file() and p.suffix != ".md"]
    assert summary["files"] == len(files)
    assert summary["findings"] == sum(summary["by_code"].values())
    assert summary["undecoded"] == 0  # every sample code is in the catalog
    assert summary["by_code"]["qbxml:3100"] == 1
    assert summary["by_code"]["qbxml:3140"] == 1
    assert summary["by_code"]["hresult:0x80040408"] == 2
    assert summary["by_code"]["qbwc:QBWC1039"] == 1
    assert summary["by_code"]["qbo:6240"] == 1
    assert summary["by_code"]["salesforce:UNABLE_TO_LOCK_ROW"] == 1
    assert f"{summary['findings']} findings in {summary['files']} files" in output


def test_examples_with_an_examples_directory(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "qbo-fault.json", tmp_path)
    (tmp_path / "notes.md").write_text("not a sample", encoding="utf-8")
    summary_path = tmp_path / "out" / "s.json"
    summary_path.parent.mkdir()
    code, output = run("--dir", str(tmp_path), "--json-summary", str(summary_path))
    assert code == 0, output
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    assert summary["files"] == 1
    assert summary["by_code"]["qbo:6240"] == 1
    assert "2 findings in 1 files" in output


def test_missing_examples_directory_is_a_clear_error(tmp_path: Path) -> None:
    code, output = run("--dir", str(tmp_path / "nowhere"))
    assert code == 2
    assert output.startswith("sfqb: no such directory")


def test_empty_examples_directory(tmp_path: Path) -> None:
    code, output = run("--dir", str(tmp_path))
    assert code == 2 and "no sample files" in output


def test_a_broken_sample_fails_and_writes_no_summary(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "qbo-fault.json", tmp_path)
    (tmp_path / "broken.xml").write_text("<QBXML><unclosed></QBXML>", encoding="utf-8")
    summary_path = tmp_path / "summary.json"
    code, output = run("--dir", str(tmp_path), "--json-summary", str(summary_path))
    assert code == 2
    assert "broken.xml" in output and "malformed XML" in output
    assert "1 of 2 sample files could not be read" in output
    assert not summary_path.exists()


def test_unwritable_summary_is_a_clear_error(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "qbo-fault.json", tmp_path)
    target = tmp_path / "no-such-dir" / "summary.json"
    code, output = run("--dir", str(tmp_path), "--json-summary", str(target))
    assert code == 2 and f"cannot write {target}" in output
    assert not target.parent.exists()
