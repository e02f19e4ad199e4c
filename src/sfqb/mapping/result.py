"""What a mapping produces: values, reference placeholders, reported changes and a fingerprint."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class MappingChange:
    """One value the mapping changed before sending, and the rule that changed it."""

    field: str
    original: object
    sent: object
    rule: str


@dataclass(frozen=True)
class Reference:
    """A placeholder for a record on the other side, found through the binding of `sf_id`.

    In the mapped values it appears as {"ref": sobject, "sf_id": sf_id}; `path` says where.
    """

    sobject: str
    sf_id: str
    path: str


@dataclass(frozen=True)
class Mapped:
    """A mapped record: target kind, plain field values, references, changes and fingerprint."""

    kind: str
    fields: Mapping[str, object]
    refs: tuple[Reference, ...]
    changes: tuple[MappingChange, ...]
    fingerprint: str


# The types of a mapped or written value's leaves: the walks over values return these by type,
# before the slower Mapping and sequence checks (an ABC's isinstance for every leaf).
SCALARS = frozenset({str, int, float, bool, Decimal, date, datetime, type(None)})


def freeze(value: object) -> object:
    """Make nested dicts read-only and lists tuples, so a Mapped cannot be altered."""
    if type(value) in SCALARS:
        return value
    if isinstance(value, Mapping):
        return MappingProxyType({str(k): freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value


def _tagged(value: object) -> Any:
    """What json cannot encode itself: a read-only mapping, a tagged decimal or date."""
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, datetime | date):
        return {"$date": value.isoformat()}
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def canonical_json(value: object) -> str:
    """JSON with sorted keys and tagged decimals/dates: equal values give equal text."""
    return json.dumps(
        value, default=_tagged, sort_keys=True, separators=(",", ":"), ensure_ascii=True
    )


def fingerprint(kind: str, fields: Mapping[str, object]) -> str:
    """sha256 of the canonical JSON of the kind and mapped values (echo suppression)."""
    text = canonical_json({"kind": kind, "fields": fields})
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
