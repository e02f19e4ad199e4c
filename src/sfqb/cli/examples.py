"""`sfqb examples`: decode the sample integration logs in examples/ and say what sfqb does."""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from sfqb.cli.errors import fail
from sfqb.cli.render import remedy_text
from sfqb.codes import Catalog
from sfqb.codes.findings import Finding, FindingsError, find_statuses_in_file
from sfqb.domain.status import Severity

_COLOURS = {Severity.INFO: "green", Severity.WARNING: "yellow", Severity.ERROR: "red"}


@dataclass
class DemoReport:
    """What the demo decoded: findings per file, and the files it could not read."""

    files: dict[str, list[Finding]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        """Every finding of every file, in file order."""
        return [finding for found in self.files.values() for finding in found]

    def summary(self) -> dict[str, Any]:
        """The `--json-summary` document."""
        by_code = Counter(f"{f.status.system.value}:{f.status.code}" for f in self.findings)
        return {
            "files": len(self.files),
            "findings": len(self.findings),
            "by_code": dict(sorted(by_code.items())),
            "undecoded": sum(1 for f in self.findings if not f.status.known),
        }

    def summary_line(self) -> str:
        """One line: how many findings in how many files, counted by category."""
        by_category = Counter(f.status.category.value for f in self.findings)
        counts = ", ".join(f"{n} {name}" for name, n in by_category.most_common())
        total = len(self.findings)
        line = f"{total} finding{'s' if total != 1 else ''} in {len(self.files)} files"
        line += f": {counts}" if counts else ""
        unknown = self.summary()["undecoded"]
        if unknown:
            line += f" ({unknown} not in the catalog, explained by their range)"
        return line


def find_examples(explicit: Path | None) -> Path:
    """The examples directory: `explicit` if given, else examples/ at the repository root."""
    if explicit is not None:
        if not explicit.is_dir():
            raise FindingsError(f"no such directory: {explicit}")
        return explicit
    # src/sfqb/cli/demo.py -> the repository root is three levels above the package.
    root = Path(__file__).resolve().parents[3]
    candidate = root / "examples"
    if (root / "pyproject.toml").is_file() and candidate.is_dir():
        return candidate
    raise FindingsError(
        "the examples/ directory was not found next to this installation; "
        "run from a clone of sfqb or pass --examples DIR"
    )


def sample_files(directory: Path) -> list[Path]:
    """The sample documents in a directory: every visible file but the Markdown notes."""
    return sorted(
        p
        for p in directory.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() != ".md"
    )


def decode_examples(directory: Path, catalog: Catalog) -> DemoReport:
    """Decode every sample file; unreadable files are listed in `errors`, not raised."""
    report = DemoReport()
    for path in sample_files(directory):
        try:
            report.files[path.name] = find_statuses_in_file(path, catalog)
        except FindingsError as exc:
            report.errors.append(str(exc))
    return report


def findings_table(name: str, findings: list[Finding]) -> Table:
    """A compact table of one file's findings."""
    table = Table(title=name, title_justify="left", box=box.SIMPLE_HEAD, expand=False)
    table.add_column("location", overflow="fold", max_width=44)
    table.add_column("system:code", no_wrap=True)
    table.add_column("title")
    table.add_column("what sfqb will do")
    for finding in findings:
        status = finding.status
        code = Text(f"{status.system.value}:{status.code}", style=_COLOURS[status.severity])
        title = status.title if status.known else f"{status.title} (not in the catalog)"
        table.add_row(Text(finding.location), code, Text(title), Text(remedy_text(status)))
    return table


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def examples(
    ctx: typer.Context,
    directory_option: Annotated[
        Path | None,
        typer.Option("--dir", help="Decode the files in this directory instead."),
    ] = None,
    json_summary: Annotated[
        Path | None,
        typer.Option("--json-summary", help="Also write a JSON summary to this file."),
    ] = None,
) -> None:
    """Decode the bundled sample integration logs and say what sfqb would do for each status."""
    catalog: Catalog = ctx.obj.catalog
    try:
        directory = find_examples(directory_option)
    except FindingsError as exc:
        raise fail(str(exc)) from None
    files = sample_files(directory)
    if not files:
        raise fail(f"no sample files in {directory}")
    console = Console(highlight=False)
    console.print(
        f"Decoding the {len(files)} sample files in {directory}.",
        markup=False,
    )
    report = decode_examples(directory, catalog)
    for name, findings in report.files.items():
        if findings:
            console.print(findings_table(name, findings))
        else:
            console.print(f"{name}: no status codes found.", markup=False)
    console.print(report.summary_line(), markup=False)
    if report.errors:
        for problem in report.errors:
            Console(stderr=True, highlight=False, soft_wrap=True).print(
                f"sfqb: {problem}", markup=False
            )
        raise fail(f"{len(report.errors)} of {len(files)} sample files could not be read")
    if json_summary is not None:
        try:
            _write_atomically(json_summary, json.dumps(report.summary(), indent=2) + "\n")
        except OSError as exc:
            raise fail(f"cannot write {json_summary}: {exc.strerror or exc}") from None


def register(app: typer.Typer) -> None:
    """Add the examples command to the app."""
    app.command()(examples)
