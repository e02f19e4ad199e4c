"""Field-level helpers of the engine: references, diffs by ownership, plain values."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from sfqb.domain.bindings import Binding
from sfqb.domain.entities import QbKind, QbRef, SfObject, SfRef
from sfqb.mapping.result import SCALARS
from sfqb.sync.ops import QbRecord


class UnresolvedReference(LookupError):
    """A mapped record references a Salesforce record that is not bound yet."""

    def __init__(self, sf: SfRef) -> None:
        super().__init__(f"{sf} is not in QuickBooks yet")
        self.sf = sf


def found_binding(
    company: str,
    sf: SfRef,
    record: QbRecord,
    at: datetime,
    *,
    kind: QbKind,
    name_field: str | None = None,
    mapped_name: object = None,
) -> Binding:
    """A new binding of `sf` to a QuickBooks record of binding `kind` sfqb read, nothing
    applied to it yet.

    When `mapped_name` (the name Salesforce maps into `name_field`) is not the record's own (a
    unique variant sfqb added it under, or a record a person chose), it counts as applied: the
    next Mod does not rename the QuickBooks record.
    """
    keep = name_field is not None and mapped_name not in (None, record.name)
    return Binding(
        company,
        sf,
        QbRef(kind, record.id),
        "",
        at,
        version=record.version,
        sf_values={name_field: mapped_name} if keep and name_field else None,
    )


def is_reference(value: object) -> bool:
    """True for a mapping placeholder {"ref": sobject, "sf_id": id}."""
    return isinstance(value, Mapping) and _placeholder(value)


def _placeholder(value: Mapping[Any, Any]) -> bool:
    return len(value) == 2 and "ref" in value and "sf_id" in value


# The shapes mapped values come in, tested by type first: an ABC's isinstance is slow, and a
# cycle walks every record's values several times a cycle.
_MAPPINGS = (dict, MappingProxyType)
_SEQUENCES = (list, tuple)
_PLAIN = frozenset({str, int, float, bool, type(None)})  # JSON as they are


def references(fields: Mapping[str, Any]) -> list[SfRef]:
    """Every Salesforce record the mapped values reference, in order, without repeats."""
    found: dict[SfRef, None] = {}

    def walk(value: object) -> None:
        kind = type(value)
        if kind in SCALARS:
            return
        if kind in _MAPPINGS or (kind not in _SEQUENCES and isinstance(value, Mapping)):
            assert isinstance(value, Mapping)
            if _placeholder(value):
                found.setdefault(SfRef(SfObject(str(value["ref"])), str(value["sf_id"])))
                return
            for item in value.values():
                walk(item)
        elif kind in _SEQUENCES or isinstance(value, list | tuple):
            assert isinstance(value, list | tuple)
            for item in value:
                walk(item)

    walk(fields)
    return list(found)


def resolve(fields: Mapping[str, Any], lookup: Callable[[SfRef], QbRef | None]) -> dict[str, Any]:
    """The values with each placeholder replaced by the `QbRef` it is bound to (each connector
    encodes it in its own shape); UnresolvedReference if one is not bound."""

    def walk(value: object) -> Any:
        if is_reference(value):
            assert isinstance(value, Mapping)
            sf = SfRef(SfObject(str(value["ref"])), str(value["sf_id"]))
            qb = lookup(sf)
            if qb is None:
                raise UnresolvedReference(sf)
            return qb
        if isinstance(value, Mapping):
            return {str(k): walk(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [walk(v) for v in value]
        return value

    resolved: dict[str, Any] = walk(fields)
    return resolved


def qb_refs(value: object) -> set[QbRef]:
    """Every resolved reference in a write's fields."""
    if type(value) in SCALARS:
        return set()
    if isinstance(value, QbRef):
        return {value}
    if isinstance(value, Mapping):
        values = list(value.values())
    elif isinstance(value, list | tuple):
        values = list(value)
    else:
        return set()
    found: set[QbRef] = set()
    for item in values:
        found |= qb_refs(item)
    return found


def to_plain(value: object) -> Any:
    """A JSON-ready copy: mappings to dicts, tuples to lists, Decimal and dates to strings."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, QbRef):
        return {"kind": value.kind.value, "id": value.id}
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def changed_fields(
    new: Mapping[str, Any], old: Mapping[str, Any] | None, allowed: Callable[[str], bool]
) -> dict[str, Any]:
    """Top-level fields of `new` that differ from `old` (compared as plain values) and may be sent.

    With no `old` snapshot every allowed field counts as changed.
    """
    before = to_plain(old) if old is not None else None
    out: dict[str, Any] = {}
    for key, value in new.items():
        if not allowed(key):
            continue
        if before is None or to_plain(value) != before.get(key):
            out[key] = value
    return out
