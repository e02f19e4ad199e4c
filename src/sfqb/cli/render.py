"""Rich rendering of decoded statuses for people."""

from __future__ import annotations

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from sfqb.codes.words import remedy_phrase
from sfqb.domain.status import DecodedStatus, Severity
from sfqb.services.codes import status_view

_COLOURS = {Severity.INFO: "green", Severity.WARNING: "yellow", Severity.ERROR: "red"}


def remedy_text(status: DecodedStatus) -> str:
    """What sfqb will do by itself: the words that follow "sfqb will"."""
    return remedy_phrase(status.remedy)


def status_panel(status: DecodedStatus, location: str | None = None) -> Panel:
    """A readable panel for one interpretation of a code."""
    table = Table.grid(padding=(0, 1))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for label, text in status_view(status, location or "").rows():
        table.add_row(label, Text(text))
    parts: list[Table | Text] = [table]
    if not status.known:
        parts.insert(0, Text("Not in the catalog: meaning given by the code's range.", "italic"))
    colour = _COLOURS[status.severity]
    # The system's id stays in the title: it is what `--system` takes.
    title = Text.assemble((f"{status.system.value} {status.code}", f"bold {colour}"), " · ")
    title.append(status.title, style="bold")
    return Panel(Group(*parts), title=title, title_align="left", border_style=colour)
