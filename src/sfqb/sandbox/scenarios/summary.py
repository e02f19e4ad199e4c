"""What the seed-codes scenario shows, counted from the store: per code, and per situation."""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from importlib import resources
from typing import Any

import yaml

from sfqb.domain.bindings import Binding
from sfqb.domain.entities import SfRef
from sfqb.store import CircuitState, QueueStatus, Store
from sfqb.store.journal import Attempt
from sfqb.store.review import ReviewStatus

BY_SFQB = "synced by sfqb"  # the resolution the runner writes when a record syncs after all
COMPANY_SOURCE = "company"
CONNECTOR_FLOW = "connector"


@cache
def situations() -> tuple[dict[str, str], ...]:
    """The seed article's seven situations and 3200, as the scenario stages them (data file)."""
    text = resources.files("sfqb.sandbox").joinpath("data/seed_codes.yaml").read_text("utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return tuple({k: str(v) for k, v in s.items()} for s in loaded["situations"])


def code_summary(store: Store, company: str, circuit: CircuitState | None) -> dict[str, Any]:
    """For each `system:code` in the log: seen, resolved_automatically, needs_review and
    company_messages.

    A record counts as resolved automatically when it had the code, its queue row is done, it
    is bound, and no person resolved a review item of it. A connector outage line (no record)
    counts when the company's circuit is closed again with a contact after the line.
    """
    log = store.journal.log(company, limit=1_000_000)
    reviews = store.review.items(company, status=None, limit=1_000_000)
    open_records = {
        (r.flow, r.source_type, r.source_id)
        for r in reviews
        if r.status is ReviewStatus.OPEN and r.source_type != COMPANY_SOURCE
    }
    by_person = {
        (r.flow, r.source_type, r.source_id)
        for r in reviews
        if r.status is not ReviewStatus.OPEN
        and r.source_type != COMPANY_SOURCE
        and r.resolution != BY_SFQB
    }
    lines: dict[str, list[Attempt]] = defaultdict(list)
    for line in log:
        lines[line.status_key].append(line)
    result: dict[str, Any] = {}
    for key in sorted(lines):
        records = {(a.flow, a.sf) for a in lines[key] if a.sf is not None}
        resolved = sum(
            1
            for flow, sf in records
            if _synced(store, company, flow, sf)
            and (flow, sf.sobject.value, sf.id) not in by_person
            and (flow, sf.sobject.value, sf.id) not in open_records
        )
        resolved += sum(
            1 for a in lines[key] if a.flow == CONNECTOR_FLOW and _reconnected(circuit, a)
        )
        result[key] = {
            "seen": len(lines[key]),
            "resolved_automatically": resolved,
            "needs_review": sum(
                1 for flow, sf in records if (flow, sf.sobject.value, sf.id) in open_records
            ),
            "company_messages": sum(
                1
                for r in reviews
                if r.source_type == COMPANY_SOURCE and f"{r.system}:{r.code}" == key
            ),
        }
    return result


def _synced(store: Store, company: str, flow: str, sf: SfRef) -> bool:
    row = store.queue.get(company, flow, sf)
    binding: Binding | None = store.bindings.by_sf(company, sf)
    return row is not None and row.status is QueueStatus.DONE and binding is not None


def _reconnected(circuit: CircuitState | None, line: Attempt) -> bool:
    return (
        circuit is not None
        and not circuit.is_open
        and circuit.last_contact is not None
        and circuit.last_contact > line.created_at
    )


def situation_rows(store: Store, company: str, codes: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per situation: the code, what happened, what sfqb did, who had to act."""
    log = store.journal.log(company, limit=1_000_000)
    rows = []
    for situation in situations():
        key = situation["code"]
        actions = []
        for line in reversed(log):  # oldest first
            if line.status_key == key and line.action_taken not in actions:
                actions.append(line.action_taken)
        counts = codes.get(key, {"seen": 0, "resolved_automatically": 0, "needs_review": 0,
                                 "company_messages": 0})  # fmt: skip
        rows.append(
            {
                "code": key,
                "title": situation["title"],
                "happened": " ".join(situation["staged"].split()),
                "sfqb_did": "; ".join(actions) or "(code not seen)",
                "who_acted": situation["who"],
                **counts,
            }
        )
    return rows


def decoded_lines(store: Store, company: str, keys: list[str], per_code: int = 1) -> list[Attempt]:
    """The first `per_code` log lines of each of `keys`, oldest first, for printing."""
    chosen: list[Attempt] = []
    log = list(reversed(store.journal.log(company, limit=1_000_000)))
    for key in keys:
        chosen += [line for line in log if line.status_key == key][:per_code]
    return chosen
