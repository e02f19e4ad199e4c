"""Where a company's bindings show in QuickBooks, and writing the Salesforce Id there.

The binding field is a custom field people can see (`CompanyPolicy.binding_field`, e.g.
SalesforceID or an existing AccountID) on the lists that have it, or sfqb's private field. The
choice is made from the definitions read at the start of each cycle: an existing field of that
name, else one sfqb defines where every list it needs has a free slot, else the private field.
Transactions always keep the private field (and the `[sf:ID]` memo marker): the custom fields
they inherit from their customer are never their own binding.

Marker writes modify the record in QuickBooks (a new EditSequence the write's answer does not
carry), so they go after every Add and Mod of the cycle, and the records are read again after
them so the next Mod carries a current EditSequence instead of getting 3200.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import TYPE_CHECKING

from sfqb.domain.entities import QbRef, SfRef
from sfqb.domain.sfid import same_id
from sfqb.domain.status import Category
from sfqb.sync.ops import Pair, QbAction, QbOp, QbRecord, QbResult, Then
from sfqb.sync.slots import full_list
from sfqb.sync.target import TargetProfile

if TYPE_CHECKING:
    from sfqb.sync.cycle import Cycle

# The lists sfqb binds. Public custom fields exist on customers, vendors, employees and items
# (Intuit, "Data extensions: custom fields and private data"); a vendor shows its Account's Id
# as a customer does.
LISTS = ("Customer", "Vendor", "Item")
_NAMES = {"Customer": "customers", "Vendor": "vendors", "Item": "items"}
_NONE: Mapping[str, object] = MappingProxyType({})


def list_of(profile: TargetProfile, qb_type: str) -> str | None:
    """The custom-field list of a QuickBooks type (Customer, Item), None for transactions."""
    kind = profile.list_of(qb_type)
    return kind.value if kind is not None else None


@dataclass(frozen=True, slots=True)
class _Mark:
    sf: SfRef
    qb_type: str
    qb_id: str
    record: QbRecord | None  # as last read; None when new (no value yet)
    known: bool = True  # False: read the record before writing
    verified: bool = False  # read just now, after a failed or unanswered write


class Marking:
    """The binding-field choice of one cycle and the marker writes that follow the writes."""

    def __init__(self, cycle: Cycle, settled: frozenset[str]) -> None:
        self._cycle = cycle
        self._wanted = cycle.policy.binding_field
        self._settled = settled
        self.field: str | None = None  # the visible field in use this cycle
        self.lists: frozenset[str] = frozenset()
        self._defs: dict[str, tuple[str, ...]] | None = None
        self._slots: Mapping[str, object] | None = None
        self._pending: dict[SfRef, _Mark] = {}
        self._retried: set[SfRef] = set()
        self._refresh: dict[str, set[str]] = {}
        self._sweeping = 0
        self._sweep_ok = True
        self._decided = False
        self._announced: str | None = None
        self._swept = False

    @property
    def settled(self) -> str | None:
        """The choice to remember as announced and migrated (every marker written), or None."""
        if self._announced is not None:
            return self._announced
        if self.field is not None and self._swept and self._sweep_ok:
            return self.field
        return None

    # -- the choice ------------------------------------------------------------------------

    def ops(self) -> list[Pair]:
        """The first ops of a cycle: sfqb's private field, and what the choice needs to know."""
        pairs: list[Pair] = [
            (QbOp("", QbAction.DEFINE_MARKER, "SalesforceID"), self._private_defined)
        ]
        if self._wanted:
            pairs.append((QbOp("", QbAction.READ_FIELD_DEFS, "FieldDefs"), self._read_defs))
            pairs.append((QbOp("", QbAction.READ_FIELD_SLOTS, "FieldSlots"), self._read_slots))
        return pairs

    def _private_defined(self, op: QbOp, result: QbResult) -> None:
        # A duplicate name: the field is defined already.
        if not result.ok and result.status.category is not Category.DUPLICATE:
            self._cycle.log(None, "define", result.status, "bindings kept in sfqb only")
        if not self._wanted:
            self._private("binding_field is empty", result)

    def _read_defs(self, op: QbOp, result: QbResult) -> None:
        if result.ok:
            self._defs = {r.id.casefold(): tuple(r.fields["AssignTo"]) for r in result.records}
        self._choose(result)

    def _read_slots(self, op: QbOp, result: QbResult) -> None:
        if result.ok and result.records:
            self._slots = result.records[0].fields
        self._choose(result)

    def _choose(self, result: QbResult) -> None:
        if self._decided:
            return
        if not result.ok:
            self._private("the custom fields could not be read this cycle", result, settle=False)
            return
        if self._defs is None or self._slots is None:
            return
        wanted = self._wanted
        existing = self._defs.get(wanted.casefold())
        if existing is not None:
            lists = frozenset(existing) & set(LISTS)
            if lists:
                self._use(wanted, lists, f"uses the existing custom field {wanted}", result)
            else:
                self._private(f"the custom field {wanted} is not on customers or items", result)
            return
        full = full_list(self._defs.values(), self._slots, LISTS)
        if full is not None:
            self._private(f"no free custom-field slot on {full} to define {wanted}", result)
            return
        self._decided = True
        self._sweep_lists(frozenset(LISTS))  # in the same batch: its marks wait for the define
        define = QbOp("", QbAction.DEFINE_MARKER, wanted, binding_field=wanted, names=LISTS)
        self._cycle.ask(define, self._defined, first=True)

    def _defined(self, op: QbOp, result: QbResult) -> None:
        wanted = self._wanted
        if result.ok:
            self._use(wanted, frozenset(LISTS), f"defined the custom field {wanted}", result)
        else:
            self._sweep_ok = False
            why = f"QuickBooks refused to define the custom field {wanted} ({result.status.title})"
            self._private(why, result, settle=False)

    def _use(self, name: str, lists: frozenset[str], how: str, result: QbResult) -> None:
        defining = self._decided
        self._decided = True
        self.field, self.lists = name, lists
        if name in self._settled:
            return
        shown = " and ".join(_NAMES[x] for x in LISTS if x in lists)
        message = f"binding field: {how}; the Salesforce Id shows on {shown} in QuickBooks"
        self._cycle.log(None, "binding field", result.status, message)
        if not defining:
            self._sweep_lists(lists)

    def _sweep_lists(self, lists: frozenset[str]) -> None:
        self._sweeping = len(lists)
        for list_type in sorted(lists):
            read = QbOp("", QbAction.READ_CHANGED, list_type)  # every record of the list
            self._cycle.ask(read, self._sweep, first=True)

    def _private(self, why: str, result: QbResult, *, settle: bool = True) -> None:
        self._decided = True
        if "" in self._settled and settle:
            return
        message = f"binding field: {why}; the Salesforce Id stays in sfqb's private field"
        self._cycle.log(None, "binding field", result.status, message)
        if settle:
            self._announced = ""

    # -- the migration of private markers ----------------------------------------------------

    def _sweep(self, op: QbOp, result: QbResult) -> None:
        """Every record of a list, read once when a visible field is first used: bound ones
        whose field lacks their Id get it (the private marker stays; nothing is lost)."""
        self._sweeping -= 1
        self._sweep_ok = self._sweep_ok and result.ok
        cycle = self._cycle
        profile = cycle.profile
        for record in result.records:
            if not profile.binds(record.qb_type):  # a sales-tax or discount item: never bound
                continue
            binding = cycle.bindings.by_qb(
                cycle.company, QbRef(profile.kind_of(record.qb_type), record.id)
            )
            if binding is not None:
                self.mark(binding.sf, record.qb_type, record.id, record)
        self._swept = self._sweeping == 0

    # -- marker writes -----------------------------------------------------------------------

    def mark(
        self, sf: SfRef, qb_type: str, qb_id: str, record: QbRecord | None, *, known: bool = True
    ) -> None:
        """Write `sf`'s Id into the binding field of a QuickBooks record once this cycle.

        `record` is the record as read (None: just added, no value yet); with `known` False
        the record is read first to see what it holds.
        """
        if sf not in self._pending:
            # Only its binding field's values are looked at (`_writes`): a cycle that read a
            # whole company's records keeps their markers until the writes, not their fields.
            slim = replace(record, fields=_NONE) if record is not None and record.fields else record
            self._pending[sf] = _Mark(sf, qb_type, qb_id, slim, known)

    def shows(self, record: QbRecord, sf_id: str) -> bool:
        """True when the record's binding field (visible, else private) already holds `sf_id`."""
        visible = self.field if self._list(record.qb_type) in self.lists else None
        held = record.custom.get(visible) if visible is not None else record.marker
        return held is not None and same_id(held, sf_id)

    def _writes(self, mark: _Mark) -> QbOp | None:
        visible = self.field if self._list(mark.qb_type) in self.lists else None
        record = mark.record
        if visible is not None:
            current = record.custom.get(visible) if record is not None else None
        elif self._list(mark.qb_type) is not None or mark.verified:
            current = record.marker if record is not None else None
        else:  # a transaction's marker may be its memo's: add; a refusal re-reads it (below)
            current = None
        if current == mark.sf.id:
            return None
        if visible is not None and current and not same_id(current, mark.sf.id):
            return None  # someone else's value: not overwritten (the read step reports it)
        # (the same Id pasted in its 15-character form is written again in the 18)
        return QbOp(
            "",
            QbAction.SET_MARKER,
            mark.qb_type,
            sf=mark.sf,
            qb_id=mark.qb_id,
            marker=mark.sf.id,
            binding_field=visible,
            exists=current is not None,
        )

    def next_ops(self) -> list[Pair]:
        """After every Add and Mod: the marker writes, then the reads that refresh EditSequences."""
        pairs: list[Pair] = []
        unknown: dict[str, list[_Mark]] = {}
        for sf in list(self._pending):
            mark = self._pending.pop(sf)
            if not mark.known:
                unknown.setdefault(self._read_type(mark.qb_type), []).append(mark)
                continue
            op = self._writes(mark)
            if op is not None:
                pairs.append((op, self._written(mark)))
        # One read per type and per `max_batch` records, not per record: a read naming every
        # record of a large load would bring back an answer too big to take.
        size = self._cycle.profile.max_batch
        for read_type, marks in sorted(unknown.items()):
            marks.sort(key=lambda m: m.qb_id)
            for start in range(0, len(marks), size):
                chunk = marks[start : start + size]
                ids = tuple(sorted({m.qb_id for m in chunk}))
                read = QbOp("", QbAction.READ, read_type, ids=ids)
                pairs.append((read, self._verified(chunk)))
        if pairs:
            return pairs
        for read_type, refresh in sorted(self._refresh.items()):
            stale = sorted(refresh)
            for start in range(0, len(stale), size):
                read = QbOp("", QbAction.READ, read_type, ids=tuple(stale[start : start + size]))
                pairs.append((read, self._refreshed))
        self._refresh.clear()
        return pairs

    def _verified(self, marks: list[_Mark]) -> Then:
        def then(op: QbOp, result: QbResult) -> None:
            found = {r.id: r for r in result.records}
            for mark in marks:
                record = found.get(mark.qb_id)
                if record is not None:
                    self._pending[mark.sf] = replace(mark, record=record, known=True, verified=True)
                elif not result.ok:
                    self._sweep_ok = False
                    self._cycle.log(
                        mark.sf, "mark", result.status, "the binding field is set next cycle"
                    )

        return then

    def _written(self, mark: _Mark) -> Then:
        def then(op: QbOp, result: QbResult) -> None:
            if result.ok:
                self._refresh.setdefault(self._read_type(mark.qb_type), set()).add(mark.qb_id)
                return
            self._sweep_ok = False
            if mark.sf not in self._retried:
                # In use (not applied): send it again; anything else: read what is there first.
                self._retried.add(mark.sf)
                self._pending[mark.sf] = replace(mark, known=result.status.retryable)
                return
            self._cycle.log(
                mark.sf, "mark", result.status, "binding kept in sfqb; the binding field not set"
            )

        return then

    def unanswered(self, op: QbOp) -> None:
        """A marker write's reply never came: read the record and write again if needed."""
        if op.action is QbAction.SET_MARKER and op.sf is not None and op.sf not in self._retried:
            self._retried.add(op.sf)
            assert op.qb_id is not None
            self._pending[op.sf] = _Mark(op.sf, op.qb_type, op.qb_id, None, known=False)
        self._sweep_ok = False

    def _refreshed(self, op: QbOp, result: QbResult) -> None:
        cycle = self._cycle
        profile = cycle.profile
        for record in result.records:
            if not profile.binds(record.qb_type):
                continue
            binding = cycle.bindings.by_qb(
                cycle.company, QbRef(profile.kind_of(record.qb_type), record.id)
            )
            if binding is None or record.version is None:
                continue
            fingerprint = cycle.inbound.refreshed(record)
            if fingerprint == binding.qb_fingerprint:  # only sfqb's marker changed it
                cycle.bindings.update(replace(binding, version=record.version))

    def _list(self, qb_type: str) -> str | None:
        return list_of(self._cycle.profile, qb_type)

    def _read_type(self, qb_type: str) -> str:
        return self._cycle.profile.read_type(qb_type)
