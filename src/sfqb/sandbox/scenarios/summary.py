"""What the seed-codes scenario shows, counted from the store: per code, and per situation."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

import yaml

from sfqb.domain.bindings import Binding
from sfqb.domain.entities import SfRef
from sfqb.store import CircuitState, QueueStatus, Store
from sfqb.store.journal import Attempt
from sfqb.store.review import ReviewItem, ReviewStatus

BY_SFQB = "synced by sfqb"  # the resolution the runner writes when a record syncs after all
COMPANY_SOURCE = "company"
CONNECTOR_FLOW = "connector"


DESKTOP = "seed_codes.yaml"  # the data file of the QuickBooks Desktop situations


@cache
def _loaded(data: str) -> dict[str, Any]:
    text = resources.files("sfqb.sandbox").joinpath(f"data/{data}").read_text("utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def situations(data: str = DESKTOP) -> tuple[dict[str, str], ...]:
    """The situations a target's data file stages: the seed article's seven, 3200 and, on
    QuickBooks Desktop, the by-hand ones."""
    return tuple({k: str(v) for k, v in s.items()} for s in _loaded(data)["situations"])


def situations_title(data: str = DESKTOP) -> str:
    """The title of a target's situations table."""
    default = "The seed article's seven situations, 3200, and what people fix by hand"
    return str(_loaded(data).get("title") or default)


def code_summary(store: Store, company: str, circuit: CircuitState | None) -> dict[str, Any]:
    """For each `system:code` in the log: seen, resolved_automatically, needs_review and
    company_messages.

    A record counts as resolved automatically when it had the code, its queue row is done, it
    is bound, and no person resolved a review item of it. A connector outage line (no record)
    counts when the company's circuit is closed again with a contact after the line.
    """
    reviews = store.review.items(company, status=None, limit=1_000_000)
    lines: dict[str, list[Attempt]] = defaultdict(list)
    for line in store.journal.log(company, limit=1_000_000):
        lines[line.status_key].append(line)
    return {
        key: _counts(store, company, key, lines[key], reviews, circuit=circuit)
        for key in sorted(lines)
    }


def _counts(
    store: Store,
    company: str,
    key: str,
    lines: list[Attempt],
    reviews: list[ReviewItem],
    *,
    circuit: CircuitState | None = None,
    people: bool = False,
) -> dict[str, int]:
    open_records = {
        (r.flow, r.source_type, r.source_id)
        for r in reviews
        if r.status is ReviewStatus.OPEN and r.source_type != COMPANY_SOURCE
    }
    # With `people`, a person's action is what the role's records waited for: count them too.
    by_person = {
        (r.flow, r.source_type, r.source_id)
        for r in reviews
        if not people
        and r.status is not ReviewStatus.OPEN
        and r.source_type != COMPANY_SOURCE
        # sfqb closes an item whose record synced after all; a person's Retry made it so
        and (r.resolution != BY_SFQB or store.review_actions.of_item(r.id))
    }
    records = {(a.flow, a.sf) for a in lines if a.sf is not None}
    resolved = sum(
        1
        for flow, sf in records
        if _synced(store, company, flow, sf)
        and (flow, sf.sobject.value, sf.id) not in by_person
        and (flow, sf.sobject.value, sf.id) not in open_records
    )
    resolved += sum(1 for a in lines if a.flow == CONNECTOR_FLOW and _reconnected(circuit, a))
    return {
        "seen": len(lines),
        "resolved_automatically": resolved,
        "needs_review": sum(
            1 for flow, sf in records if (flow, sf.sobject.value, sf.id) in open_records
        ),
        "company_messages": sum(
            1 for r in reviews if r.source_type == COMPANY_SOURCE and f"{r.system}:{r.code}" == key
        ),
    }


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


@dataclass(frozen=True, slots=True)
class Staged:
    """What the scenario staged for the situations that name a `role` in the data file."""

    records: Mapping[str, set[str]] = field(default_factory=dict)  # role -> Salesforce Ids
    since: datetime | None = None  # when people started changing things (the second pass)
    by_people: frozenset[str] = frozenset()  # the roles a person acted on


def situation_rows(
    store: Store,
    company: str,
    codes: dict[str, Any],
    staged: Staged | None = None,
    data: str = DESKTOP,
) -> list[dict[str, Any]]:
    """One row per situation: the code, what happened, what sfqb did, who had to act.

    A situation without a role shows every action logged with its code (but those of the
    records a role row with the same code shows) and the code's counts. A situation with a
    role shows what sfqb did with the role's records since the second pass (and their lines
    with its code from the first), each action named by its Salesforce object, and counts over
    the role's lines with its code; `resolved_by_people` counts what a person finished (sfqb's
    log cannot tell an edit in Salesforce from sfqb's own progress), including a review item
    closed by what the person did.
    """
    staged = staged or Staged()
    log = list(reversed(store.journal.log(company, limit=1_000_000)))  # oldest first
    claimed: dict[str, set[str]] = defaultdict(set)  # code -> the records its role rows show
    for situation in situations(data):
        if situation.get("role"):
            claimed[situation["code"]] |= staged.records.get(situation["role"], set())
    reviews = store.review.items(company, status=None, limit=1_000_000)
    rows = []
    for situation in situations(data):
        key, role = situation["code"], situation.get("role", "")
        if role:
            mine = staged.records.get(role, set())
            lines = [a for a in log if a.sf is not None and a.sf.id in mine]
            if staged.since is not None:  # and its code's lines, from whichever pass
                lines = [a for a in lines if a.created_at >= staged.since or a.status_key == key]
            did = [f"{a.sf.sobject.value}: {a.action_taken}" for a in lines if a.sf is not None]
            people = role in staged.by_people
            counts: dict[str, int] = _counts(
                store, company, key, [a for a in lines if a.status_key == key], reviews,
                people=people,
            )  # fmt: skip
            if people:
                counts["resolved_by_people"] = counts["resolved_automatically"]
                counts["resolved_automatically"] = 0
        else:
            did = [
                a.action_taken
                for a in log
                if a.status_key == key and (a.sf is None or a.sf.id not in claimed[key])
            ]
            counts = codes.get(key, {"seen": 0, "resolved_automatically": 0, "needs_review": 0,
                                     "company_messages": 0})  # fmt: skip
        rows.append(
            {
                "code": key,
                "title": situation["title"],
                "happened": " ".join(situation["staged"].split()),
                "sfqb_did": "; ".join(dict.fromkeys(did)) or "(code not seen)",
                "who_acted": situation["who"],
                **({"role": role} if role else {}),
                **counts,
            }
        )
    return rows


def decoded_lines(store: Store, company: str, keys: list[str], per_code: int = 1) -> list[Attempt]:
    """The first `per_code` log lines of each of `keys`, in the order they happened."""
    chosen: list[Attempt] = []
    log = list(reversed(store.journal.log(company, limit=1_000_000)))
    for key in keys:
        chosen += [line for line in log if line.status_key == key][:per_code]
    return sorted(chosen, key=lambda line: (line.created_at, line.id))
