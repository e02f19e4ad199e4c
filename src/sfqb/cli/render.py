"""Rich rendering of decoded statuses for people."""

from __future__ import annotations

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from sfqb.domain.status import DecodedStatus, Severity

_COLOURS = {Severity.INFO: "green", Severity.WARNING: "yellow", Severity.ERROR: "red"}
_ACTORS = {
    "sfqb": "nobody - sfqb handles it",
    "quickbooks_user": "a QuickBooks user",
    "quickbooks_admin": "the QuickBooks administrator",
    "salesforce_admin": "the Salesforce administrator",
    "integration_admin": "the integration administrator",
}
_REMEDIES = {
    "none": "nothing",
    "retry_next_cycle": "retries on the next cycle, with backoff",
    "sync_parent_first": "syncs the parent record first, then this one",
    "bind_existing": "binds the existing QuickBooks record when the match rule allows",
    "recreate_unbound": "clears the binding and re-creates the record (per policy)",
    "reread_and_reapply": "re-reads the record and re-applies the change once",
    "open_circuit": "pauses the company's flows, raises one alert, resumes by itself",
    "preflight_block": "checks before sending, reports once per company, holds the records",
    "refresh_auth": "refreshes the session or token and retries once",
    "resend": "sends the request again",
    "shrink_window": "reads a smaller time window",
    "hold_for_review": "holds the record on the review list for a person",
}


def remedy_text(status: DecodedStatus) -> str:
    """What sfqb will do by itself, in words."""
    return _REMEDIES.get(status.remedy.value, status.remedy.value)


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
    table.add_row("Who acts", Text(_ACTORS.get(status.actor.value, status.actor.value)))
    facts = f"{status.category.value} · retryable: {'yes' if status.retryable else 'no'}"
    if status.confidence.value != "confirmed":
        facts += f" · confidence: {status.confidence.value}"
    table.add_row("Kind", Text(facts))
    if status.applies_when:
        table.add_row("Applies when", Text(status.applies_when))
    parts: list[Table | Text] = [table]
    if not status.known:
        parts.insert(0, Text("Not in the catalog: meaning given by the code's range.", "italic"))
    colour = _COLOURS[status.severity]
    title = Text.assemble((f"{status.system.value} {status.code}", f"bold {colour}"), " · ")
    title.append(status.title, style="bold")
    return Panel(Group(*parts), title=title, title_align="left", border_style=colour)
