"""3100 (QuickBooks Online 6240): the name exists, not bound to this record.

QuickBooks keeps one name space per list family: an Add meets a record of its name. sfqb reads
the records of that name (and of every unique variant the mapping would try next), binds the one
that is this party by the company's match rule, sends the record under a name of its own when
the name belongs to other Salesforce records, or puts the choice on the review list. Item names
hold 31 characters, so two products cut to the same name meet here too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sfqb.domain.bindings import Binding, BindingError
from sfqb.domain.entities import QbRef, Role, SfRef, targets_of
from sfqb.domain.status import DecodedStatus
from sfqb.mapping import MappingInputError, RecordNotEligible, apply_name_rule, fold_name
from sfqb.sync import hierarchy
from sfqb.sync.fields import found_binding, to_plain
from sfqb.sync.matching import MatchFields, field_at, matches, rule_for
from sfqb.sync.ops import QbAction, QbOp, QbRecord, QbResult
from sfqb.sync.records import flow_of

if TYPE_CHECKING:
    from sfqb.sync.cycle import Cycle


@dataclass(frozen=True, slots=True)
class _OwnRecord:
    kind: str  # "Vendor"
    role: str  # "vendor"
    suffix: str  # the company's second-name suffix, " (V)"


class ExistingName:
    """The 3100 remedy of one cycle."""

    def __init__(self, cycle: Cycle) -> None:
        self._cycle = cycle
        self._renamed: set[SfRef] = set()

    def bind_existing(self, op: QbOp, status: DecodedStatus) -> bool:
        """3100 on an Add of a named record: read the records of that name (and its variants)."""
        cycle = self._cycle
        name = cycle.mapped_name(op.sf, op.fields) if op.sf is not None else None
        if op.action is not QbAction.ADD or op.sf is None or name is None:
            return False
        sf = op.sf
        scope = hierarchy.prefix(cycle, sf, op.fields)
        parent = hierarchy.parent_of(cycle, sf, op.fields)
        if scope is None and parent is not None:
            # A job's siblings are read by full name: learn its parent's first.
            def named(_o: QbOp, result: QbResult) -> None:
                for record in result.records:
                    cycle.inbound.note_name(record)
                self._read_names(op, status, name, hierarchy.prefix(cycle, sf, op.fields))

            kind = cycle.profile.read_type_of(parent.kind)
            cycle.ask(QbOp("", QbAction.READ, kind, sf=sf, ids=(parent.id,)), named)
            return True
        self._read_names(op, status, name, scope)
        return True

    def _read_names(self, op: QbOp, status: DecodedStatus, name: str, scope: str | None) -> None:
        """Read the records of the name and its variants (full names within `scope`)."""
        assert op.sf is not None
        names = tuple((scope or "") + n for n in (name, *self.variants(op.sf, name)))
        qb_type = self._cycle.profile.read_type(op.qb_type)
        read = QbOp("", QbAction.READ, qb_type, sf=op.sf, names=names)
        self._cycle.ask(read, lambda _o, result: self._candidates(op, status, result))

    def variants(self, sf: SfRef, sent: str, count: int = 20) -> list[str]:
        """The names the mapping would try after `sent` (its unique suffixes), so one read
        learns which of them QuickBooks already has."""
        cycle = self._cycle
        rule = cycle.mapper.flows[cycle.changes[sf].flow].name_rule
        if rule is None or not rule.unique:
            return []
        base = cycle.mapped_name(sf) or sent
        taken, variants = {sent.casefold()}, []
        for _ in range(count):
            variant, _changes = apply_name_rule(rule, base, taken)
            taken.add(variant.casefold())
            variants.append(variant)
        return [v for v in variants if v.casefold() != sent.casefold()]

    def _candidates(self, op: QbOp, status: DecodedStatus, result: QbResult) -> None:
        cycle, sf = self._cycle, op.sf
        assert sf is not None
        profile, name_field = cycle.profile, cycle.name_field(sf) or ""
        rule = rule_for(cycle.policy.match_rule, profile.kind_of(op.qb_type))
        ours = to_plain(op.fields)
        sent = fold_name(cycle.mapped_name(sf, op.fields) or "")
        found = [r for r in result.records if fold_name((r.name or "").rsplit(":", 1)[-1]) == sent]
        taken = cycle.inbound.names.setdefault(profile.kind_of(op.qb_type), set())
        taken.update(r.name for r in result.records if r.name)
        evidence, eligible = [], []
        for record in found:
            # A sales-tax or discount item of that name is evidence, never a record to bind.
            bindable = profile.binds(record.qb_type)
            bound = (
                cycle.bindings.by_qb(
                    cycle.company, QbRef(profile.kind_of(record.qb_type), record.id)
                )
                if bindable
                else None
            )
            fits = bindable and matches(rule, ours, record.fields, name_field, profile.match_fields)
            evidence.append(
                _evidence(
                    record, bound.sf.id if bound else None, fits, name_field, profile.match_fields
                )
            )
            if bound is None and record.marker in (None, "", sf.id) and fits:
                eligible.append(record)
        if len(eligible) == 1:
            self._bind_to(
                sf, eligible[0], status, f"bound the existing QuickBooks record (rule {rule})"
            )
            return
        others = [e for e in evidence if e["bound_to"] not in (None, sf.id)]
        if found and len(others) == len(evidence) and sf not in self._renamed:
            # The name belongs to other Salesforce records' customers: a different party, so
            # this one gets a name of its own (the mapping's uniqueness rule), not a person.
            # Every variant the read found is taken, so the next name is free.
            self._renamed.add(sf)
            add = cycle.writing.add_op(sf)
            if add is not None:
                cycle.log(
                    sf,
                    "add",
                    status,
                    f'sending it as "{cycle.mapped_name(sf, add.fields)}": the name '
                    "belongs to another Salesforce record's QuickBooks record",
                )
                cycle.ask(add)
            return
        if not found:
            name = cycle.mapped_name(sf, op.fields) or ""
            reason = f'"{name}" is used by a vendor, employee or other name, not a {op.qb_type}'
            own = self._own_other_record(sf, name)
            if own is not None:
                # The party's own record in its other role holds the name (a vendor-only
                # Account that now has a deal): renaming a record people already use is
                # theirs to decide, so the new one waits for them (the second-name rule is
                # applied before sending only when both are known up front).
                reason = (
                    f'"{name}" is this record\'s own QuickBooks {own.kind} (bound as its '
                    f"{own.role}): QuickBooks keeps customers and vendors in one list of names, "
                    f"and sfqb does not rename a {own.kind} that exists already. Rename it in "
                    f'QuickBooks (e.g. "{name}{own.suffix}"), then retry this record'
                )
        elif not eligible:
            reason = (
                f"QuickBooks has a record of that name, but it does not match by {rule} or is bound"
            )
        else:
            reason = f"{len(eligible)} QuickBooks records match by {rule}; choose one"
        cycle.review(sf, status, reason, "add", {"candidates": evidence, "rule": str(rule)})

    def _own_other_record(self, sf: SfRef, name: str) -> _OwnRecord | None:
        """The record of `sf` in another role that QuickBooks holds under `name`, if any."""
        for other, binding, held in own_names(self._cycle, sf):
            if fold_name(held) == fold_name(name):
                # The suffix the second record would take: the vendor flow's, whichever is new.
                vendor = other if other.role is Role.VENDOR else sf
                suffix = self._cycle.mapper.second_suffix(flow_of(vendor))
                return _OwnRecord(str(binding.qb.kind), str(other.role), suffix)
        return None

    def _bind_to(self, sf: SfRef, record: QbRecord, status: DecodedStatus, action: str) -> None:
        cycle = self._cycle
        kind = cycle.profile.kind_of(record.qb_type)
        binding = found_binding(cycle.company, sf, record, cycle.clock(), kind=kind)
        try:
            cycle.bindings.bind(binding)
        except BindingError as exc:
            cycle.review(sf, status, str(exc), "bind", {})
            return
        cycle.log(sf, "bind", status, action, binding.qb)
        cycle.mark(sf, record.qb_type, record.id)
        mod = cycle.writing.mod_op(sf, binding)  # carry on: Salesforce's values onto the record
        if mod is not None and mod.qb_type != record.qb_type:
            mod = as_type(cycle, mod, record.qb_type, status)  # e.g. an ItemNonInventory
            if mod is None:
                return
        if mod is None:
            cycle.synced(sf, binding, "", record.version)
        else:
            cycle.ask(mod, first=False)


def own_names(cycle: Cycle, sf: SfRef) -> list[tuple[SfRef, Binding, str]]:
    """The QuickBooks names of `sf`'s own records in its other roles (an Account's vendor when
    `sf` is its customer), with their refs and bindings."""
    found = []
    for role in (r for r in Role if targets_of(sf.sobject, r)):
        other = SfRef(sf.sobject, sf.id, role)
        binding = cycle.bindings.by_sf(cycle.company, other) if role is not sf.role else None
        if binding is None or not binding.sf_values:
            continue
        rule = cycle.mapper.flows[flow_of(other)].name_rule
        held = binding.sf_values.get(rule.field) if rule is not None else None
        if isinstance(held, str):
            found.append((other, binding, held))
    return found


def as_type(cycle: Cycle, op: QbOp, qb_type: str, status: DecodedStatus) -> QbOp | None:
    """`op` as a write of `qb_type` (a record bound to an item of another type), with the
    fields that type takes; None, and on the review list, when the map cannot write it."""
    sf = op.sf
    assert sf is not None
    change = cycle.changes[sf]
    try:
        mapped = cycle.mapper.map(
            change.flow, change.payload, kind=qb_type, overrides=change.overrides
        )
    except (MappingInputError, RecordNotEligible):
        kinds = ", ".join(cycle.mapper.flows[change.flow].kinds)
        cycle.review(
            sf,
            status,
            f"the QuickBooks item is an {qb_type}; the map writes only {kinds}",
            op.action.value,
            {"qb_id": op.qb_id, "type": qb_type},
        )
        return None
    fields = {k: v for k, v in op.fields.items() if k in mapped.fields}
    return replace(op, qb_type=qb_type, fields=fields)


def _evidence(
    record: QbRecord, bound_to: str | None, fits: bool, name_field: str, paths: MatchFields
) -> dict[str, Any]:
    fields = record.fields
    return {
        "qb_id": record.id,
        "type": record.qb_type,
        "name": fields.get(name_field) or record.name,
        "phone": field_at(fields, paths.phone),
        "email": field_at(fields, paths.email),
        "bound_to": bound_to,
        "marker": record.marker,
        "matches_rule": fits,
    }
