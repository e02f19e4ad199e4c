"""Jobs (sub-customers): where a new customer's name must be unique, and the names to read it by.

A Salesforce child account maps a `ParentRef` to its parent account; the engine sends the
parent first (the reference makes it a parent in the plan). On a target whose names are unique
only among siblings (QuickBooks Desktop, `TargetProfile.sibling_names`), a job's name is
checked against its parent's other children only, and a read by name uses the full name
("Parent:Job"). Elsewhere (QuickBooks Online: a DisplayName is unique across every customer,
vendor and employee, sub-customers included, as Intuit's Customer page states no exception) the
whole list is the scope.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sfqb.domain.bindings import Binding
from sfqb.domain.entities import QbRef, SfObject, SfRef
from sfqb.domain.status import DecodedStatus, System
from sfqb.sync.fields import is_reference
from sfqb.sync.ops import QbAction, QbOp, QbResult

if TYPE_CHECKING:
    from sfqb.sync.cycle import Cycle

PARENT = "ParentRef"
SEPARATOR = ":"
# Neither QuickBooks documents a write that makes a job a top-level customer again, so sfqb
# sends none and asks a person (the sync goes on once the two agree again).
CLEARED = (
    "the account no longer has a parent account in Salesforce, but its QuickBooks customer is "
    "still a job of the former parent's customer: make it a top-level customer in QuickBooks, "
    "or give the account its parent again; then retry it (sfqb review resolve ID --retry)"
)


def parent_cleared(mapped: Mapping[str, Any], sent: Mapping[str, Any] | None) -> bool:
    """True when the record was sent as a job and now maps no parent."""
    return bool(sent and sent.get(PARENT)) and mapped.get(PARENT) is None


def parent_of(cycle: Cycle, sf: SfRef, fields: Mapping[str, Any] | None = None) -> QbRef | None:
    """The QuickBooks customer a record's mapped ParentRef names (None: no parent, or not bound).

    `fields` are a write's fields (resolved) or the record's mapped ones (placeholders).
    """
    mapped = cycle.canonical.get(sf)
    value = (fields if fields is not None else (mapped.fields if mapped else {})).get(PARENT)
    if isinstance(value, QbRef):
        return value
    if is_reference(value):
        assert isinstance(value, Mapping)
        binding = cycle.bindings.by_sf(cycle.company, SfRef(SfObject(value["ref"]), value["sf_id"]))
        return binding.qb if binding is not None else None
    return None


def has_parent(cycle: Cycle, sf: SfRef, fields: Mapping[str, Any] | None = None) -> bool:
    """True when the record maps a parent (bound or not)."""
    mapped = cycle.canonical.get(sf)
    values = fields if fields is not None else (mapped.fields if mapped else {})
    return values.get(PARENT) is not None


def prefix(cycle: Cycle, sf: SfRef, fields: Mapping[str, Any] | None = None) -> str | None:
    """The full-name prefix of the record's siblings ("Parent:" as QuickBooks spells it, "" at
    the top level); None when the parent's full name is not known in this cycle.

    Always "" on a target whose names are unique across the list.
    """
    if not cycle.profile.sibling_names or not has_parent(cycle, sf, fields):
        return ""
    parent = parent_of(cycle, sf, fields)
    name = cycle.inbound.full_names.get(parent.id) if parent is not None else None
    return None if name is None else name + SEPARATOR


def sibling_names(taken: Collection[str], scope: str | None) -> set[str]:
    """The names (as leaf names) already used in `scope` among `taken` (full names).

    `scope` "" is the top level, "Parent:" a parent's children; None (unknown) gives none, so
    QuickBooks' own duplicate check (3100) decides.
    """
    if scope is None:
        return set()
    folded = scope.casefold()
    out = set()
    for name in taken:
        text = name.casefold()
        if text.startswith(folded) and SEPARATOR not in text[len(folded) :]:
            out.add(text[len(folded) :])
    return out


def check_top_level(cycle: Cycle, sf: SfRef, binding: Binding) -> None:
    """A job whose account lost its parent: read its QuickBooks customer; once a person made it
    a top-level customer there, carry on with the Mod; while it is still a job, review."""

    def answered(_op: QbOp, result: QbResult) -> None:
        if not result.ok:
            cycle.fail(sf, result.status, "read")  # e.g. QuickBooks busy: retried next cycle
            return
        record = next(iter(result.records), None)
        if record is None or record.fields.get(PARENT):
            cycle.review(sf, _cleared(cycle), CLEARED, "mod", {"qb_id": binding.qb.id})
            return
        values = {k: v for k, v in (binding.sf_values or {}).items() if k != PARENT}
        bound = replace(binding, sf_values=values, version=record.version)
        cycle.bindings.update(bound)
        mod = cycle.writing.mod_op(sf, bound)
        if mod is None:
            cycle.synced(sf, bound, bound.qb_fingerprint, record.version)
        else:
            cycle.ask(mod, first=False)

    read_type = cycle.profile.read_type_of(binding.qb.kind)
    cycle.ask(QbOp("", QbAction.READ, read_type, sf=sf, ids=(binding.qb.id,)), answered)


def _cleared(cycle: Cycle) -> DecodedStatus:
    return cycle.catalog.decode(System.TRANSPORT, "MAPPING_REFUSED", CLEARED)
