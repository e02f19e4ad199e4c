"""`sfqb status`: per company, the connector circuit, last contact, last run, what waits."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

import typer

from sfqb.cli.context import Services
from sfqb.cli.errors import UserError, fail
from sfqb.store import QueueStatus, SecretKeyError, StoreError, to_jsonable

REVIEW_LIMIT = 100_000


def register(app: typer.Typer) -> None:
    """Add `status` to the app."""
    app.command("status")(status)


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def company_status(services: Services, company: str) -> dict[str, Any]:
    """One company's status as a JSON-ready mapping."""
    store = services.store
    state = services.circuit.state(company)
    runs = store.journal.runs(company, limit=1)
    last_run = None
    if runs:
        run = runs[0]
        last_run = {
            "id": run.id,
            "status": run.status.value,
            "flows": list(run.flows),
            "started_at": _when(run.started_at),
            "finished_at": _when(run.finished_at),
            "counts": run.counts,
        }
    queue = store.queue.count_by_status(company)
    return {
        "company": company,
        "circuit": {
            "state": "open" if state.is_open else "closed",
            "since": _when(state.since),
            "cause": state.cause.to_json() if state.cause else None,
        },
        "last_contact": _when(services.circuit.last_heard(company)),
        "last_run": last_run,
        "open_failures": store.journal.count_open_failures(company),
        "queue": {s.value: queue.get(s, 0) for s in QueueStatus if queue.get(s, 0)},
        "review_open": len(store.review.items(company, limit=REVIEW_LIMIT)),
        "alerts_open": [
            {"kind": a.kind, "key": a.key, "subject": a.subject, "raised_at": _when(a.raised_at)}
            for a in store.alerts.items(company)
        ],
        "policy": to_jsonable(services.policy(company)),
        "qbo": _qbo(services, company),
    }


def _qbo(services: Services, company: str) -> dict[str, Any] | None:
    """The company's QuickBooks Online connection and this month's API calls (None: none)."""
    found = services.store.qbo_tokens.get(company)
    if found is None:
        return None
    calls = services.store.qbo_calls.month(company)
    return {
        "realm_id": found.realm_id,
        "environment": found.environment.value,
        "connection": "lost" if found.lost_at else "connected",
        "reconnect_by": _when(found.reconnect_by),
        "api_calls": {"month": calls.month, "reads": calls.reads, "writes": calls.writes},
        "webhook_changes_pending": services.store.qbo_events.pending_count(company),
    }


def _lines(data: dict[str, Any]) -> list[str]:
    circuit = data["circuit"]
    lines = [str(data["company"])]
    if circuit["state"] == "open":
        lines.append(f"  connector: DOWN since {circuit['since']} (flows paused)")
        cause = circuit["cause"]
        if cause:
            lines.append(
                f"    {cause['system']} {cause['code']} - {cause['title']}: {cause['message']}"
            )
            lines.append(f"    {cause['meaning']}")
            lines.extend(f"    fix: {step}" for step in cause["fix"])
    else:
        lines.append("  connector: up")
    lines.append(f"  last contact: {data['last_contact'] or 'never'}")
    run = data["last_run"]
    if run is None:
        lines.append("  last run: none yet")
    else:
        done = run["finished_at"] or "still running"
        lines.append(f"  last run: #{run['id']} {run['status']} (started {run['started_at']}, "
                     f"finished {done})")  # fmt: skip
    queue = ", ".join(f"{k} {v}" for k, v in data["queue"].items()) or "empty"
    lines.append(f"  open failures: {data['open_failures']}")
    lines.append(f"  queue: {queue}")
    lines.append(f"  review items open: {data['review_open']}")
    qbo = data.get("qbo")
    if qbo is not None:
        calls = qbo["api_calls"]
        lines.append(
            f"  QuickBooks Online: company {qbo['realm_id']} ({qbo['environment']}), "
            f"{qbo['connection']}, reconnect by {qbo['reconnect_by'][:10]}; API calls in "
            f"{calls['month']}: {calls['reads']} reads, {calls['writes']} writes"
        )
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
    for data in found:
        typer.echo("\n".join(_lines(data)))
