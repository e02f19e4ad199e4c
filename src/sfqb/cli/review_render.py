"""How `sfqb review` draws an item's evidence: the comparison with each candidate, company
messages, and the evidence table of each kind."""

from __future__ import annotations

import json
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from sfqb.codes.words import flow_text, status_label
from sfqb.jobs.review import Evidence, ReviewEntry


def print_comparison(console: Console, entry: ReviewEntry) -> None:
    """The Salesforce record beside each QuickBooks candidate, fields marked same/differs."""
    for number, view in enumerate(entry.comparison, 1):
        head = Text(f"  candidate {number}: QuickBooks {view.qb_type or 'record'} ")
        head.append(view.qb_id, style="bold")
        console.print(head)
        table = Table(box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
        table.add_column("    field", no_wrap=True)
        table.add_column("Salesforce", overflow="fold")
        table.add_column("QuickBooks", overflow="fold")
        table.add_column("", no_wrap=True)
        colours = {"same": "green", "differs": "red"}
        for f in view.fields:
            table.add_row(
                f"    {f.field}", _cell(f.salesforce), _cell(f.quickbooks),
                Text(f.mark, style=colours.get(f.mark, "yellow")),
            )  # fmt: skip
        console.print(table)
        console.print(f"    why not bound by sfqb: {view.verdict}", markup=False)


def print_company(console: Console, entry: ReviewEntry) -> None:
    console.print(headline(entry))
    console.print(f"  {entry.item.reason}", markup=False)
    console.print(
        "  closes by itself once QuickBooks accepts one of the records set aside (sfqb sends one "
        "each cycle to test); "
        f"`sfqb review resolve {entry.item.id} --ignore` lifts it now",
        markup=False,
    )
    console.print()


_COLUMNS: dict[Evidence, tuple[tuple[str, str], ...]] = {
    Evidence.CANDIDATES: (
        ("QuickBooks id", "qb_id"), ("type", "type"), ("name", "name"), ("phone", "phone"),
        ("email", "email"), ("bound to", "bound_to"), ("matches rule", "matches_rule"),
    ),
    Evidence.CONFLICTS: (
        ("field", "field"), ("Salesforce", "salesforce"), ("QuickBooks", "quickbooks"),
        ("last synced", "last_synced"),
    ),
    Evidence.HISTORY: (("at", "at"), ("status", "code"), ("title", "title")),
    Evidence.DELETION: (("QuickBooks id", "qb_id"), ("name", "name"), ("deleted", "deleted")),
    Evidence.BINDING: (
        ("record", "side"), ("QuickBooks id", "qb_id"), ("type", "type"), ("name", "name"),
        ("bound to", "bound_to"), ("state", "state"),
    ),
}  # fmt: skip


def _cell(value: Any) -> Text:
    if value is None or value == "":
        return Text("-")
    if isinstance(value, bool):
        return Text("yes" if value else "no")
    if isinstance(value, dict | list):
        return Text(json.dumps(value, default=str))
    return Text(str(value))


def evidence_table(entry: ReviewEntry) -> Table | None:
    evidence = [e for e in entry.item.candidates if isinstance(e, dict)]
    if not evidence:
        return None
    columns = _COLUMNS.get(entry.evidence)
    if columns is None:
        keys = sorted({k for e in evidence for k in e})
        columns = tuple((k, k) for k in keys)
    table = Table(title=f"  {entry.evidence.value}", box=box.SIMPLE_HEAD, title_justify="left")
    for header, key in columns:
        if key == "qb_id":  # an Id is never cut: the column keeps its longest Id whole
            longest = max((len(str(row.get(key) or "")) for row in evidence), default=1)
            table.add_column(header, no_wrap=True, min_width=longest)
        else:
            table.add_column(header, overflow="fold")
    for row in evidence:
        table.add_row(*(_cell(row.get(key)) for _, key in columns))
    return table


def headline(entry: ReviewEntry) -> Text:
    item = entry.item
    line = Text(f"#{item.id} ", style="bold")
    if entry.is_company:
        line.append(f"{item.company}: {item.source_id}", style="bold")
    else:
        line.append(f"{item.company}: {item.source_type} {item.source_id}", style="bold")
        if entry.name:
            line.append(f' "{entry.name}"')
        line.append(f" ({flow_text(item.flow)})")
    if item.system and item.code:
        title = entry.status.title if entry.status is not None else ""
        line.append(f"  {status_label(item.system, item.code, title)}", style="red")
    if item.status.value != "open":
        how = entry.resolved_by or item.resolution or ""
        if item.resolved_by and not entry.resolved_by:
            how += f", by {item.resolved_by}"
        line.append(f"  [{item.status.value}: {how}]", style="dim")
    return line
