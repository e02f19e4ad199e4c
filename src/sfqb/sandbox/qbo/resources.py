"""The resources under /v3/company/{realm}/: entities, query, batch, CDC, Preferences and
CompanyInfo. Each function answers a JSON-able dict or raises QboError."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sfqb.sandbox.qbo import errors, query
from sfqb.sandbox.qbo.books import Books
from sfqb.sandbox.qbo.company import BY_LOWER, ENTITIES, Company, Record

# CDC works for every entity but these (Intuit's "Change data capture" page).
_NO_CDC = ("TaxCode",)


def entity_name(segment: str) -> str:
    """`customer` -> `Customer`; 500 Unsupported Operation for anything else."""
    entity = BY_LOWER.get(segment.lower())
    if entity is None:
        raise errors.unsupported(f"on resource {segment!r}")
    return entity


def parse_json(body: bytes) -> Record:
    """A JSON request body as an object (2010 when it is not one)."""
    try:
        value = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise errors.invalid_property("The request body is not valid JSON") from None
    if not isinstance(value, dict):
        raise errors.invalid_property("The request body must be a JSON object")
    return value


def write(books: Books, entity: str, operation: str | None, body: Record) -> dict[str, Any]:
    """POST /{entity}[?operation=delete|void|update]."""
    inner = body.get(entity, body) if isinstance(body.get(entity), dict) else body
    if operation in (None, "", "update", "create"):
        op = "update" if inner.get("Id") not in (None, "") else "create"
    else:
        op = operation
    return {entity: books.write(entity, op, inner)}


def run_query(company: Company, text: str) -> dict[str, Any]:
    """GET/POST /query."""
    parsed = query.parse(text, company.config.query_max_results)
    return {"QueryResponse": query.run(company, parsed)}


def batch(books: Books, body: Record, max_items: int, requestid: str | None) -> dict[str, Any]:
    """POST /batch: each item on its own; a Fault for an item does not stop the others.

    Intuit's batch page: at most 30 items; with a requestid each bId is at most 10
    characters. More items, a repeated bId or an item without one refuse the whole batch
    (Intuit does not say what it answers; the stricter choice)."""
    items = body.get("BatchItemRequest")
    if not isinstance(items, list) or not items:
        raise errors.required("BatchItemRequest")
    if len(items) > max_items:
        raise errors.invalid_property(
            f"BatchItemRequest has {len(items)} items; at most {max_items} are allowed",
            "BatchItemRequest",
        )
    bids = [str(item.get("bId", "")) if isinstance(item, dict) else "" for item in items]
    if "" in bids or len(set(bids)) != len(bids):
        raise errors.invalid_property("Every batch item needs its own bId", "bId")
    if requestid is not None and any(len(b) > 10 for b in bids):
        raise errors.business("A bId is longer than 10 characters while a requestid is given")
    answers: list[dict[str, Any]] = []
    for bid, item in zip(bids, items, strict=True):
        try:
            answers.append({"bId": bid, **_batch_item(books, item)})
        except errors.QboError as exc:
            answers.append({"bId": bid, "Fault": exc.fault()})
    return {"BatchItemResponse": answers}


def _batch_item(books: Books, item: Record) -> dict[str, Any]:
    if "Query" in item:
        return run_query(books.company, str(item["Query"]))
    names = [key for key in item if key in ENTITIES]
    if len(names) != 1:
        raise errors.invalid_property("A batch item needs exactly one entity or a Query")
    entity = names[0]
    operation = str(item.get("operation", "")).lower()
    if operation not in ("create", "update", "delete"):
        raise errors.invalid_property(f"operation {operation!r} is not create/update/delete")
    return {entity: books.write(entity, operation, item[entity])}


def cdc(company: Company, entities: str, changed_since: str) -> dict[str, Any]:
    """GET /cdc: changes since `changed_since` (at most 30 days back), oldest first, at most
    1,000 objects in the whole response (Intuit's CDC page: "Server responses can handle a
    maximum of 1,000 objects"); the client narrows its window when it gets that many."""
    names = [name.strip() for name in entities.split(",") if name.strip()]
    if not names:
        raise errors.required("entities")
    wanted = []
    for name in names:
        entity = BY_LOWER.get(name.lower())
        if entity is None or entity in _NO_CDC:
            raise errors.invalid_property(f"CDC does not support the entity {name!r}", "entities")
        wanted.append(entity)
    since = _when(changed_since)
    now = company.clock()
    if since < now - timedelta(days=company.config.cdc_max_days):
        raise errors.invalid_property(
            f"changedSince {changed_since} is more than {company.config.cdc_max_days} days ago",
            "changedSince",
        )
    found: list[tuple[datetime, str, Record]] = []
    for entity in wanted:
        found += [(when, entity, rec) for when, rec in company.changed_since(entity, since)]
    found.sort(key=lambda triple: triple[0])
    found = found[: company.config.cdc_max_objects]
    responses: list[dict[str, Any]] = []
    for entity in wanted:
        records = [rec for _, name, rec in found if name == entity]
        if records:
            responses.append({entity: records, "startPosition": 1, "maxResults": len(records)})
        else:
            responses.append({})
    return {"CDCResponse": [{"QueryResponse": responses}]}


def _when(text: str) -> datetime:
    if not text:
        raise errors.required("changedSince")
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise errors.invalid_property(
            f"changedSince {text!r} is not ISO 8601", "changedSince"
        ) from None
    # A time without an offset is read as UTC (Intuit reads it in the company's zone).
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def preferences(company: Company, body: Record | None) -> dict[str, Any]:
    """GET /preferences, or a sparse update of it (SyncToken checked, 5010 when stale)."""
    with company.lock:
        prefs = company.preferences
        if body is not None:
            if str(body.get("SyncToken")) != prefs["SyncToken"]:
                raise errors.stale("Preferences", str(body.get("SyncToken")), prefs["SyncToken"])
            for key, value in body.items():
                if isinstance(value, dict) and isinstance(prefs.get(key), dict):
                    prefs[key] = {**prefs[key], **value}
            prefs["SyncToken"] = str(int(prefs["SyncToken"]) + 1)
        return {"Preferences": json.loads(json.dumps(prefs))}
