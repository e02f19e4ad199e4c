"""Running the real `sfqb` app in tests: exit codes, output, and the one-line error rule."""

from __future__ import annotations

from typer.testing import CliRunner

from sfqb.cli.main import app


def run(*args: str) -> tuple[int, str]:
    """Invoke the CLI; no traceback may ever reach the user."""
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.output + repr(result.exception)
    )
    return result.exit_code, result.output


def ok(*args: str) -> str:
    """A command that must succeed; its output."""
    code, output = run(*args)
    assert code == 0, output
    return output


def fails(*args: str) -> str:
    """A user mistake: exit 2 and one `sfqb:` line, which is returned."""
    code, output = run(*args)
    assert code == 2, output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("sfqb: "), output
    return lines[0]
