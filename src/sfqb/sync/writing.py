"""The write step's operations: the Add or Mod a planned record becomes, and what a success binds.

`Cycle` hands each planned operation here (`op_for`) and each successful Add or Mod back
(`written`); remedies build their retries with `add_op` and `mod_op`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from sfqb.domain.bindings import Binding, BindingError
from sfqb.domain.entities import QbKind, QbRef, SfRef
from sfqb.domain.status import System
from sfqb.mapping import Mapped, MappingChange, Owner
from sfqb.sync import hierarchy
from sfqb.sync.existing import own_names
from sfqb.sync.fields import UnresolvedReference, changed_fields, resolve
from sfqb.sync.inbound import sales_tax_note
from sfqb.sync.ops import QbAction, QbOp, QbResult
from sfqb.sync.ownership import newer, writable
from sfqb.sync.plan import Action, Operation

if TYPE_CHECKING:
    from sfqb.sync.cycle import Cycle

_NAME_SPACE = (QbKind.CUSTOMER, QbKind.VENDOR)  # the name lists sfqb writes that share names


class Writing:
    """Builds a cycle's Adds and Mods and binds what QuickBooks saved."""

    def __init__(self, cycle: Cycle) -> None:
        self._cycle = cycle
        self._summaries: dict[SfRef, str] = {}

    def op_for(self, op: Operation) -> QbOp | None:
        """The Add or Mod a planned operation sends now; None when there is nothing to send
        (in step already, or a fresh EditSequence is read first)."""
        cycle = self._cycle
        if op.action is Action.ADD:
            return self.add_op(op.sf)
        binding = cycle.bindings.by_sf(cycle.company, op.sf)
        assert binding is not None
        if hierarchy.parent_cleared(cycle.canonical[op.sf].fields, binding.sf_values):
            hierarchy.check_top_level(cycle, op.sf, binding)  # a job no more: ask QuickBooks
            return None
        built = self.mod_op(op.sf, binding)
        if built is None:
            cycle.synced(op.sf, binding, binding.qb_fingerprint, binding.version)
        elif cycle.orders.guarded(built):  # sent once a read says its document is open
            return None
        elif binding.version is None:
            cycle.ask(
                replace(built, action=QbAction.READ, ids=(binding.qb.id,), fields={}),
                cycle.remedies.with_fresh_version(built),
                first=False,
            )
            return None
        return built

    def add_op(self, sf: SfRef) -> QbOp | None:
        """An Add of `sf` with its name made unique among names seen; None if it cannot be."""
        cycle = self._cycle
        change, canonical = cycle.changes[sf], cycle.canonical[sf]
        kind = cycle.profile.kind_of(canonical.kind)
        taken = cycle.inbound.names.setdefault(kind, set())
        scope = hierarchy.prefix(cycle, sf) if cycle.profile.sibling_names else ""
        if cycle.mapper.flows[change.flow].name_rule is None:
            # No name to make unique (a transaction): the names taken change nothing, so the
            # record maps as it did when the cycle was built.
            return self._add(sf, canonical, taken, scope or "")
        # Customers and vendors share one name space in QuickBooks (3100 / Online 6240).
        space = taken
        if kind in _NAME_SPACE:
            others = [n for o in _NAME_SPACE if o != kind and (n := cycle.inbound.names.get(o))]
            if others:
                space = taken.union(*others)
            # The party's own record in its other role keeps its name: the second-name rule
            # (`second`) handles a vendor; a customer sent under it meets 3100 and goes to
            # a person with the reason (sfqb.sync.existing), never under a made-up name.
            own = {held.casefold() for _o, _b, held in own_names(cycle, sf)}
            if own:
                space = set(space) - own
        if cycle.profile.sibling_names:  # a job's name is unique only among its siblings
            space = hierarchy.sibling_names(space, scope)
        mapped = cycle.mapper.map(
            change.flow,
            change.payload,
            taken=space,
            kind=cycle.kind_for(change),
            overrides=change.overrides,
            second=cycle.second_name(change),
        )
        return self._add(sf, mapped, taken, scope or "")

    def _add(self, sf: SfRef, mapped: Mapped, taken: set[str], scope: str) -> QbOp | None:
        """The Add of `mapped`, its references resolved; its name joins `taken` (with its
        scope, the parent's "Name:")."""
        cycle = self._cycle
        try:
            fields = resolve(mapped.fields, self._qb_of)
        except UnresolvedReference as exc:
            cycle.parent_missing(sf, str(exc))
            return None
        name = cycle.mapped_name(sf, mapped.fields)
        if name is not None:
            taken.add((scope + name).casefold())
        self._note_changes(sf, mapped.changes, set(fields))
        return QbOp("", QbAction.ADD, mapped.kind, sf=sf, fields=fields)

    def mod_op(
        self, sf: SfRef, binding: Binding, qb_changed: datetime | None = None
    ) -> QbOp | None:
        """A Mod sending the fields Salesforce may write that changed; None when none did."""
        cycle = self._cycle
        change, canonical = cycle.changes[sf], cycle.canonical[sf]
        flow = cycle.mapper.flows[change.flow]
        when = qb_changed or cycle.inbound.changed_at(sf)
        allowed = writable(flow, Owner.SALESFORCE, newer(change.modstamp, when))
        fields = changed_fields(canonical.fields, binding.sf_values, allowed)
        if not fields:
            return None
        try:
            resolved = resolve(fields, self._qb_of)
        except UnresolvedReference as exc:
            cycle.parent_missing(sf, str(exc))
            return None
        self._note_changes(sf, canonical.changes, set(fields))
        return QbOp(
            "",
            QbAction.MOD,
            canonical.kind,
            sf=sf,
            qb_id=binding.qb.id,
            version=binding.version,
            fields=resolved,
        )

    def _note_changes(self, sf: SfRef, changes: Sequence[MappingChange], sent: set[str]) -> None:
        """What QuickBooks' rules changed in the values sent, for the log line's summary."""
        shown = [c for c in changes if c.field.split("/")[0].split("[")[0] in sent]
        if shown:
            self._summaries[sf] = "; ".join(
                f"{c.field}: {c.original!r} sent as {c.sent!r} ({c.rule})" for c in shown
            )

    def written(self, op: QbOp, result: QbResult) -> None:
        """A successful Add or Mod: bind or refresh, queue the marker, note the sync status."""
        assert op.sf is not None
        cycle = self._cycle
        record = result.records[0]
        cycle.inbound.note_time(record)
        cycle.holds.succeeded(op)
        qb = QbRef(cycle.profile.kind_of(record.qb_type), record.id)
        binding = cycle.bindings.by_sf(cycle.company, op.sf)
        if op.action is QbAction.ADD or binding is None:
            binding = Binding(cycle.company, op.sf, qb, "", cycle.clock())
            try:
                cycle.bindings.bind(binding)
            except BindingError as exc:
                cycle.fail(
                    op.sf,
                    cycle.catalog.decode(System.TRANSPORT, "MAPPING_REFUSED", str(exc)),
                    "bind",
                )
                return
            cycle.mark(op.sf, record.qb_type, record.id)
        elif not binding.fingerprint:
            # Bound by a person or by a look-up, synced for the first time: store the marker.
            cycle.mark(op.sf, record.qb_type, record.id, known=False)
        cycle.log(
            op.sf,
            op.action.value,
            result.status,
            "added and bound" if op.action is QbAction.ADD else self._updated(op),
            qb,
            summary="; ".join(
                n
                for n in (
                    self._summaries.pop(op.sf, ""),
                    sales_tax_note(record.fields, cycle.changes[op.sf].payload),
                )
                if n
            ),
        )
        cycle.synced(op.sf, binding, cycle.inbound.wrote(binding, record), record.version)

    def _qb_of(self, sf: SfRef) -> QbRef | None:
        binding = self._cycle.bindings.by_sf(self._cycle.company, sf)
        return None if binding is None else binding.qb

    def _updated(self, op: QbOp) -> str:
        """What a Mod changed, in words: the fields it sent; an item or customer made inactive
        said so."""
        active = self._cycle.profile.active_field
        sent = [k for k in op.fields if k != active]
        if op.fields.get(active) is False:
            return "made inactive in QuickBooks" + (f"; updated {', '.join(sent)}" if sent else "")
        return f"updated {', '.join(sent)}" if sent else "updated"
