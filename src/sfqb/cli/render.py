"""Rich rendering of decoded statuses for people."""

from __future__ import annotations

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from sfqb.codes.words import (
    actor_text,
    confidence_text,
    kind_text,
    remedy_phrase,
)
from sfqb.domain.status import DecodedStatus, Severity

_COLOURS = {Severity.INFO: "green", Severity.WARNING: "yellow", Severity.ERROR: "red"}


def remedy_text(status: DecodedStatus) -> str:
    """What sfqb will do by itself: the words that follow "sfqb will"."""
    return remedy_phrase(status.remedy)


def status_panel(status: DecodedStatus, location: str | None = None) -> Panel:
    """A readable panel for one interpretation of a code."""
    table = Table.grid(padding=(0, 1))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    if location:
        table.add_row("Found at", Text(location))
    if status.message:
        table.add_row("Message", Text(status.message))
    table.add_row("Meaning", Text(status.meaning))
    fix = Text()
    for i, step in enumerate(status.fix, start=1):
        fix.append(f"{i}. {step}" if len(status.fix) > 1 else step)
        if i < len(status.fix):
            fix.append("\n")
    table.add_row("Fix", fix)
    table.add_row("sfqb will", Text(remedy_text(status)))
    table.add_row("Who acts", Text(actor_text(status.actor)))
    table.add_row("Kind", Text(kind_text(status)))
    sureness = confidence_text(status.confidence)
    if sureness and status.known:
        table.add_row("How sure", Text(sureness))
    if status.applies_when:
        table.add_row("Applies when", Text(status.applies_when))
    parts: list[Table | Text] = [table]
    if not status.known:
        parts.insert(0, Text("Not in the catalog: meaning given by the code's range.", "italic"))
    colour = _COLOURS[status.severity]
    # The system's id stays in the title: it is what `--system` takes.
    title = Text.assemble((f"{status.system.value} {status.code}", f"bold {colour}"), " · ")
    title.append(status.title, style="bold")
    return Panel(Group(*parts), title=title, title_align="left", border_style=colour)
