"""A company's status as data: the connector, last contact and run, what waits, what is open
(`sfqb status` prints it; the console's overview reads it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sfqb.jobs.health import HealthDesk
from sfqb.store import SecretBox, Store
from sfqb.store.keyring import undecryptable


def company_status(
    health: HealthDesk, store: Store, secrets: SecretBox | None, company: str
) -> dict[str, Any]:
    """One company's status as a JSON-ready mapping (HealthDesk.status, whether its stored
    secrets open with `secrets`, and QuickBooks Online's connection when it has one)."""
    data = health.status(company)
    data["secrets"] = "cannot decrypt" if company in undecryptable(store.engine, secrets) else "ok"
    data["qbo"] = qbo_connection(store, company)
    return data


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def qbo_connection(store: Store, company: str) -> dict[str, Any] | None:
    """The company's QuickBooks Online connection and this month's API calls (None: none)."""
    found = store.qbo_tokens.get(company)
    if found is None:
        return None
    calls = store.qbo_calls.month(company)
    return {
        "realm_id": found.realm_id,
        "environment": found.environment.value,
        "connection": "lost" if found.lost_at else "connected",
        "reconnect_by": _when(found.reconnect_by),
        "api_calls": {"month": calls.month, "reads": calls.reads, "writes": calls.writes},
        "webhook_changes_pending": store.qbo_events.pending_count(company),
    }
