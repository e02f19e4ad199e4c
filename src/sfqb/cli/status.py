"""`sfqb status`: per company, the connector (up, late or down), last contact, last run, what
waits, and the command that lists what is behind each number."""

from __future__ import annotations

import json
import textwrap
from typing import Annotated, Any

import typer
from rich.console import Console

from sfqb.cli.context import Services
from sfqb.cli.errors import UserError, fail
from sfqb.services.status import company_status as status_of
from sfqb.store import SecretKeyError, StoreError


def register(app: typer.Typer) -> None:
    """Add `status` to the app."""
    app.command("status")(status)


def company_status(services: Services, company: str) -> dict[str, Any]:
    """One company's status as a JSON-ready mapping (sfqb.services.status.company_status)."""
    return status_of(services.health, services.store, services.secrets, company)


_QUEUE_WORDS = {
    "pending": "due",
    "inflight": "being sent",
    "failed": "failed",
    "waiting": "waiting",
    "review": "on the review list",
}


def _span(minutes: int) -> str:
    if minutes < 120:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes // (24 * 60)} days"


def _connector_lines(data: dict[str, Any]) -> list[str]:
    circuit, connector = data["circuit"], data["connector"]
    expected = f"expected at least every {_span(connector['expected_minutes'])}"
    if circuit["state"] == "open":
        lines = [f"  connector: DOWN since {circuit['since']} (flows paused)"]
        cause = circuit["cause"]
        if cause:
            lines.append(
                f"    {cause['system']} {cause['code']} - {cause['title']}: {cause['message']}"
            )
            lines.append(f"    {cause['meaning']}")
            lines.extend(f"    fix: {step}" for step in cause["fix"])
        return lines
    if connector["health"] == "waiting":
        return ["  connector: not heard from yet (no Web Connector call so far)"]
    if connector["health"] == "late":
        return [
            f"  connector: WARNING - no contact for {_span(connector['silent_minutes'])} "
            f"({expected}, from {connector['expected_from']})",
            "    the last contact succeeded, but the Web Connector has stopped calling: check "
            "that it runs on the QuickBooks computer and QuickBooks is open",
        ]
    return [f"  connector: up ({expected})"]


def _queue_line(company: str, counts: dict[str, int]) -> str:
    """What `sfqb queue` lists (records not done), with the synced ones apart and unpointed."""
    synced = counts.get("done", 0)
    waiting = {k: v for k, v in counts.items() if k != "done" and v}
    done = f"{synced} synced" if synced else "none synced yet"
    if not waiting:
        return f"  queue: nothing waiting ({done})"
    total = sum(waiting.values())
    parts = ", ".join(f"{_QUEUE_WORDS.get(k, k)} {v}" for k, v in waiting.items())
    return f"  queue: {total} not done yet ({parts}; list: sfqb queue --company {company}); {done}"


def _sweep_line(sweep: dict[str, Any] | None) -> str:
    """When the nightly sweep of QuickBooks Online's last 30 days of changes last ran."""
    if sweep is None:
        return "  last CDC sweep (QuickBooks' last 30 days read again, nightly): none yet"
    done = sweep["finished_at"] or "still running"
    return (
        f"  last CDC sweep (QuickBooks' last 30 days read again, nightly): #{sweep['id']} "
        f"{sweep['status']} (started {sweep['started_at']}, finished {done})"
    )


def _lines(data: dict[str, Any]) -> list[str]:
    name = data["company"]
    lines = [str(name), *_connector_lines(data)]
    if data.get("secrets") == "cannot decrypt":
        lines.append(
            "  secrets: cannot decrypt (SFQB_SECRET_KEY is unset or not the key they were "
            "encrypted with); sync and the Web Connector stop until it is"
        )
    lines.append(f"  last contact: {data['last_contact'] or 'never'}")
    run = data["last_run"]
    if run is None:
        lines.append("  last run: none yet")
    else:
        done = run["finished_at"] or "still running"
        trips = (run.get("counts") or {}).get("qb_batches")
        via = "" if trips is None else f"; {trips} QuickBooks round trip(s)"
        lines.append(f"  last run: #{run['id']} {run['status']} (started {run['started_at']}, "
                     f"finished {done}{via})")  # fmt: skip
    failures, review = data["open_failures"], data["review_open"]
    lines.append(f"  open failures: {failures}" + (
        f" (list: sfqb log --status failed --company {name})" if failures else ""
    ))  # fmt: skip
    lines.append(_queue_line(name, data["queue"]))
    lines.append(f"  review items open: {review}" + (
        f" (list: sfqb review --company {name})" if review else ""
    ))  # fmt: skip
    qbo = data.get("qbo")
    if qbo is not None:
        calls = qbo["api_calls"]
        lines.append(
            f"  QuickBooks Online: company {qbo['realm_id']} ({qbo['environment']}), "
            f"{qbo['connection']}, reconnect by {qbo['reconnect_by'][:10]}; API calls in "
            f"{calls['month']}: {calls['reads']} reads, {calls['writes']} writes"
        )
        lines.append(_sweep_line(data.get("last_cdc_sweep")))
    lines.extend(f"  alert: {a['subject']} (since {a['raised_at']})" for a in data["alerts_open"])
    return lines


def status(
    ctx: typer.Context,
    company: Annotated[
        str | None, typer.Option("--company", help="One company (default: every company).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """Each company's connector (up, or down since when and why), last contact and last run."""
    from sfqb.cli.settings import companies, services_of

    services = services_of(ctx)
    try:
        found = [company_status(services, c) for c in companies(services.store, company)]
    except (UserError, StoreError, SecretKeyError) as exc:
        raise fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(found, indent=2))
        return
    if not found:
        typer.echo("no companies yet; run `sfqb qwc --company NAME` or `sfqb connect ...`")
        return
    width = Console().width
    for data in found:
        typer.echo("\n".join(wrapped(_lines(data), width)))


def wrapped(lines: list[str], width: int) -> list[str]:
    """Lines wrapped to `width` at spaces only (an Id, dashes and all, stays whole), each
    continuation indented two more than its line."""
    out: list[str] = []
    for line in lines:
        indent = " " * (len(line) - len(line.lstrip(" ")) + 2)
        kept = textwrap.wrap(
            line, width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False
        )
        out.extend(kept or [line])
    return out
