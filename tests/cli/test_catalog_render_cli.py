"""What a person reads for every catalog entry: the explain panel, `sfqb codes` and the explain
command in a 60-column terminal - no template placeholder, identifier or "sfqb will retries"."""

from __future__ import annotations

import re

import pytest
from rich.console import Console
from typer.testing import CliRunner

from sfqb.cli.context import Services
from sfqb.cli.main import app
from sfqb.cli.render import status_panel
from sfqb.codes import CodeEntry, load_catalog
from sfqb.codes.template import fill, placeholders
from sfqb.domain.status import Category, Remedy

CATALOG = load_catalog()
ENTRIES = sorted(CATALOG, key=lambda e: (e.system.value, e.code))
SERVICES = Services()
IDENTIFIERS = [c.value for c in Category if "_" in c.value] + [
    r.value for r in Remedy if "_" in r.value
]


def _panel_text(entry: CodeEntry, message: str | None) -> str:
    console = Console(width=60, record=True, file=None, force_terminal=False)
    with console.capture():
        console.print(status_panel(entry.decode(message)))
    return console.export_text()


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: f"{e.system.value}-{e.code}")
def test_the_explain_panel_of_every_entry_reads_as_words(entry: CodeEntry) -> None:
    filled = fill(entry.message, {n: "Sample" for n in placeholders(entry.message)})
    for message in (None, filled, "Something else went wrong."):
        text = _panel_text(entry, message)
        assert not re.search(r"[{}]", text), text
        assert "confidence:" not in text and "retryable:" not in text
        assert not any(identifier in text for identifier in IDENTIFIERS), text
        assert not re.search(r"sfqb will\s+(nothing|\w+(?<!s)s)\b", text), text


def _explain(*args: str, columns: int = 60) -> str:
    result = CliRunner().invoke(
        app, ["explain", *args], obj=SERVICES, env={"COLUMNS": str(columns)}
    )
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("code", ["3170", "3140", "3250", "QBWC1039", "500"])
def test_explain_in_a_narrow_terminal_has_no_placeholders(code: str) -> None:
    output = _explain(code)
    assert "{" not in output and "}" not in output
    assert "confidence: secondary" not in output
    assert "sfqb will retries" not in output and "sfqb will nothing" not in output


def test_explain_3170_without_a_message_shows_quickbooks_text_without_placeholders() -> None:
    output = " ".join(_explain("3170", columns=200).split())
    assert "There was an error when modifying a …" in output
    assert "sfqb will try again on the next cycle" in output


def test_explain_qbwc1039_names_an_option_that_exists() -> None:
    output = " ".join(_explain("QBWC1039", columns=200).split())
    assert "sfqb qwc --company NAME --new-file-id" in output
    help_text = CliRunner().invoke(app, ["qwc", "--help"], env={"COLUMNS": "200"}).output
    assert "--new-file-id" in help_text


def test_codes_table_says_what_sfqb_will_do_in_words() -> None:
    result = CliRunner().invoke(
        app, ["codes", "--system", "qbxml"], obj=SERVICES, env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0
    assert "retry_next_cycle" not in result.output and "bad_reference" not in result.output
    assert "try again on the next cycle" in " ".join(result.output.split())
