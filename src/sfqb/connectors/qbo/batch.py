"""Batch requests: the body for up to 30 items, and one answer per item matched by bId.

Shapes (Intuit's batch reference): `{"BatchItemRequest": [{"bId", "operation", "<Entity>": {..}}
| {"bId", "Query": "select ..."}]}` answered by `{"BatchItemResponse": [{"bId", "<Entity>"} |
{"bId", "Fault"} | {"bId", "QueryResponse"}]}`. A bId has at most 10 characters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sfqb.connectors.qbo.api import BatchAnswer, BatchItem
from sfqb.connectors.qbo.faults import fault_from_json, key
from sfqb.sync.ops import ReplyLost

MAX_ITEMS = 30
MAX_BID = 10
_NOT_ENTITIES = {"bid", "fault", "queryresponse", "time", "operation"}


def batch_body(items: Sequence[BatchItem]) -> dict[str, Any]:
    """The JSON body of a batch request; ValueError for more than 30 items or bad bIds."""
    if not items:
        raise ValueError("a batch needs at least one item")
    if len(items) > MAX_ITEMS:
        raise ValueError(
            f"a QuickBooks Online batch takes at most {MAX_ITEMS} items, not {len(items)}"
        )
    bids = [item.bid for item in items]
    if len(set(bids)) != len(bids):
        raise ValueError("every item of a batch needs its own bId")
    requests: list[dict[str, Any]] = []
    for item in items:
        if not item.bid or len(item.bid) > MAX_BID:
            raise ValueError(f"a bId has 1 to {MAX_BID} characters: {item.bid!r}")
        if item.query is not None:
            if item.operation is not None:
                raise ValueError(f"batch item {item.bid} is a query and a write at once")
            requests.append({"bId": item.bid, "Query": item.query})
            continue
        if item.operation is None or not item.entity:
            raise ValueError(f"batch item {item.bid} needs an entity and an operation")
        requests.append(
            {"bId": item.bid, "operation": item.operation.value, item.entity: dict(item.body)}
        )
    return {"BatchItemRequest": requests}


def read_batch(items: Sequence[BatchItem], answer: Mapping[str, Any]) -> list[BatchAnswer]:
    """One BatchAnswer per item, in item order; ReplyLost when an item has no answer."""
    by_bid: dict[str, Mapping[str, Any]] = {}
    for raw in key(answer, "BatchItemResponse") or ():
        if isinstance(raw, Mapping) and key(raw, "bId") is not None:
            by_bid[str(key(raw, "bId"))] = raw
    missing = [item.bid for item in items if item.bid not in by_bid]
    if missing:
        # Those items' outcome is unknown: send the batch again with the same requestid.
        raise ReplyLost(
            f"QuickBooks Online's batch answer has no item for bId {', '.join(missing)}"
        )
    return [_answer(item, by_bid[item.bid]) for item in items]


def _answer(item: BatchItem, raw: Mapping[str, Any]) -> BatchAnswer:
    fault = fault_from_json(raw)
    if fault is not None:
        return BatchAnswer(bid=item.bid, fault=fault)
    response = key(raw, "QueryResponse")
    if isinstance(response, Mapping):
        found = next((v for v in response.values() if isinstance(v, list)), [])
        return BatchAnswer(bid=item.bid, entities=tuple(v for v in found if isinstance(v, dict)))
    entity = key(raw, item.entity) if item.entity else None
    if not isinstance(entity, Mapping):
        entity = next(
            (
                v
                for k, v in raw.items()
                if k.lower() not in _NOT_ENTITIES and isinstance(v, Mapping)
            ),
            None,
        )
    return BatchAnswer(bid=item.bid, entity=entity)
