"""Binding changes people ask for, checked against QuickBooks before sfqb acts on them.

Two ways in, one mechanism: a person edits QuickBooks_ID__c on a Salesforce record (clears it,
or types another Id), or `sfqb review resolve --bind` names an Id that was not a listed
candidate. The runner hands the request in with the record (`PendingChange.bind_request`); the
cycle reads the QuickBooks records concerned in its read step (the one bound now and the one
asked for, and that Id among the other list too, to tell a wrong kind from a missing record),
then, before the plan is made:

- cleared, and the bound record is gone from QuickBooks (the article's fix for 3120): the
  binding goes, and the plan adds the record again in the same cycle;
- another Id, and the bound record is gone (or none is bound): bound when that record exists,
  is of the record's kind and is free; the plan then sends Salesforce's values to it (Mod);
- anything else (a healthy binding, a record that is missing, of another kind or bound
  elsewhere, a malformed Id) goes on the review list saying which, with both records' values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sfqb.domain.bindings import Binding, BindingError
from sfqb.domain.entities import QbKind, QbRef, SfRef
from sfqb.domain.qbd_ids import InvalidQbId
from sfqb.domain.status import DecodedStatus, System
from sfqb.sync.fields import found_binding
from sfqb.sync.ops import QbAction, QbOp, QbRecord, QbResult
from sfqb.sync.records import BindOrigin, BindRequest, ItemState
from sfqb.sync.writeback import QB_ID

if TYPE_CHECKING:
    from sfqb.sync.cycle import Cycle

Pair = tuple[QbOp, Callable[[QbOp, QbResult], None] | None]
# The list read beside the record's own, so an Id of the other list is named as such.
_OTHER_LIST = {QbKind.CUSTOMER: QbKind.ITEM, QbKind.ITEM: QbKind.CUSTOMER}


def person_edited(known: str, read: str, bound: str) -> bool:
    """True when QuickBooks_ID__c as read is a person's edit, not sfqb's own write.

    `known` is what sfqb last knew Salesforce held (read before, or written by sfqb itself),
    `bound` the QuickBooks Id the record is bound to ("" when unbound). A value equal to the
    binding is sfqb's write (or a person agreeing with it); an unchanged value is no edit.
    """
    return read not in (known, bound)


@dataclass(slots=True)
class _Check:
    """One request being checked: the reads still out and what they found."""

    sf: SfRef
    request: BindRequest
    want: str
    kind: QbKind
    bound: Binding | None
    pending: int = 0
    found: dict[str, QbRecord] = field(default_factory=dict)
    statuses: dict[str, DecodedStatus] = field(default_factory=dict)
    failed: DecodedStatus | None = None


class BindingEdits:
    """The binding changes of one cycle's records; `settled` lists those done with."""

    def __init__(self, cycle: Cycle) -> None:
        self._cycle = cycle
        self._open: dict[SfRef, _Check] = {}
        self.settled: set[SfRef] = set()

    def ops(self) -> list[Pair]:
        """The reads of every record with a binding change asked for (part of the read step)."""
        pairs: list[Pair] = []
        for change in self._cycle.changes.values():
            if change.bind_request is not None and change.sf in self._cycle.canonical:
                pairs += self._start(change.sf, change.bind_request)
        return pairs

    def unanswered(self, op: QbOp) -> None:
        """A read's reply never arrived: the change is checked again next cycle."""
        status = self._cycle.catalog.decode(
            System.TRANSPORT, "TIMEOUT", "QuickBooks' reply never arrived"
        )
        self._take(op, QbResult(op.op_id, status))

    def _start(self, sf: SfRef, request: BindRequest) -> list[Pair]:
        cycle = self._cycle
        qb_type = cycle.canonical[sf].kind
        bound = cycle.bindings.by_sf(cycle.company, sf)
        profile = cycle.profile
        check = _Check(sf, request, request.qb_id.strip(), profile.kind_of(qb_type), bound)
        if check.want:
            try:
                check.want = profile.check_id(check.want)
            except InvalidQbId as exc:
                self._refuse(check, f"{self._who(check)}, but {exc}")
                return []
        if check.want == (bound.qb.id if bound else ""):
            self.settled.add(sf)  # already so: nothing to change
            return []
        read_type = profile.read_type(qb_type)
        reads = [QbOp("", QbAction.READ, read_type, sf=sf, ids=(i,)) for i in self._ids(check)]
        other = _OTHER_LIST.get(check.kind)
        if check.want and other is not None:
            other_type = profile.read_type_of(other)
            reads.append(QbOp("", QbAction.READ, other_type, sf=sf, ids=(check.want,)))
        check.pending = len(reads)
        self._open[sf] = check
        return [(op, self._take) for op in reads]

    @staticmethod
    def _ids(check: _Check) -> list[str]:
        return [i for i in (check.want, check.bound.qb.id if check.bound else "") if i]

    def _take(self, op: QbOp, result: QbResult) -> None:
        check = self._open.get(op.sf) if op.sf is not None else None
        if check is None:
            return
        if not result.ok:
            check.failed = result.status
        for record in result.records:
            check.found.setdefault(record.id, record)
        if op.ids:
            check.statuses.setdefault(op.ids[0], result.status)
        check.pending -= 1
        if check.pending == 0:
            del self._open[check.sf]
            self._decide(check)

    # -- deciding ------------------------------------------------------------------------

    def _decide(self, check: _Check) -> None:
        cycle, sf, bound = self._cycle, check.sf, check.bound
        if check.failed is not None:  # QuickBooks could not look: not "not found"
            cycle.outcome(sf, ItemState.RETRY, check.failed, "the binding change is not checked")
            cycle.log(sf, "lookup", check.failed, "will check the binding change next cycle")
            return
        who = self._who(check)
        if bound is not None and bound.qb.id in check.found:
            self._refuse(check, f"{who}, but {bound.qb}, bound now, is still in QuickBooks")
            return
        if not check.want:
            assert bound is not None
            cycle.bindings.unbind(cycle.company, sf)
            # Logged as the person's act, not as the read that found the record gone.
            cleared = cycle.catalog.decode(System.TRANSPORT, "BINDING_CLEARED", who)
            cycle.log(
                sf, "unbind", cleared,
                f"{who}: {bound.qb} is gone from QuickBooks; binding removed, re-creating it",
                bound.qb,
            )  # fmt: skip
            self.settled.add(sf)
            return
        target = check.found.get(check.want)
        problem = self._problem(check, target)
        if problem or target is None:
            self._refuse(check, f"{who}, but {problem}")
            return
        kind = cycle.profile.kind_of(target.qb_type)
        binding = found_binding(cycle.company, sf, target, cycle.clock(), kind=kind)
        qb = binding.qb
        try:
            if bound is not None:
                cycle.bindings.unbind(cycle.company, sf)
            cycle.bindings.bind(binding)
        except BindingError as exc:
            if bound is not None and cycle.bindings.by_sf(cycle.company, sf) is None:
                cycle.bindings.bind(bound)  # leave the binding as it was
            self._refuse(check, f"{who}, but {exc}")
            return
        gone = f" ({bound.qb} is gone from QuickBooks)" if bound is not None else ""
        cycle.log(
            sf, "bind", check.statuses[check.want],
            f"{who}: bound to {qb} after QuickBooks confirmed it{gone}", qb,
        )  # fmt: skip
        self.settled.add(sf)

    def _problem(self, check: _Check, target: QbRecord | None) -> str:
        """Why the record asked for cannot be bound ("" when it can)."""
        cycle = self._cycle
        if target is None:
            return f"QuickBooks has no {check.kind} {check.want} (deleted, or never there)"
        kind = cycle.profile.kinds.get(target.qb_type)
        if kind is None or kind is not check.kind:
            return f"{check.want} is a QuickBooks {target.qb_type}, not a {check.kind}"
        other = cycle.bindings.by_qb(cycle.company, QbRef(kind, target.id))
        if other is not None and other.sf != check.sf:
            return f"QuickBooks {kind} {target.id} is bound to Salesforce {other.sf}"
        if target.marker and target.marker != check.sf.id:
            return f"QuickBooks {kind} {target.id} carries the SalesforceID {target.marker}"
        return ""

    @staticmethod
    def _who(check: _Check) -> str:
        request = check.request
        if request.origin is BindOrigin.REVIEW:
            return f"bind to {check.want} asked on the review list"
        by = request.by or "an unknown user"
        if not check.want:
            return f"{QB_ID} cleared in Salesforce by {by}"
        return f"{QB_ID} set to {check.want} in Salesforce by {by}"

    def _refuse(self, check: _Check, reason: str) -> None:
        cycle = self._cycle
        status = cycle.catalog.decode(System.TRANSPORT, "BINDING_CHANGE_REFUSED", reason)
        evidence = self._evidence(check)
        cycle.review(check.sf, status, reason, "bind", {"candidates": evidence})
        self.settled.add(check.sf)

    def _evidence(self, check: _Check) -> list[dict[str, Any]]:
        """Both records' values: the Salesforce record as edited, the bound and the asked one."""
        cycle, sf = self._cycle, check.sf
        payload = cycle.changes[sf].payload
        rows: list[dict[str, Any]] = [
            {
                "side": "Salesforce", "qb_id": check.request.qb_id or None,
                "type": sf.sobject.value, "name": payload.get("Name"), "bound_to": None,
                "state": f"{check.request.origin.value}, by {check.request.by or 'unknown'}",
            }
        ]  # fmt: skip
        if check.bound is not None:
            rows.append(self._row("bound now", check.bound.qb.id, check, sf.id))
        if check.want:
            other = cycle.bindings.by_qb(cycle.company, QbRef(check.kind, check.want))
            rows.append(self._row("asked for", check.want, check, other.sf.id if other else None))
        return rows

    @staticmethod
    def _row(side: str, qb_id: str, check: _Check, bound_to: str | None) -> dict[str, Any]:
        record = check.found.get(qb_id)
        return {
            "side": side, "qb_id": qb_id, "type": record.qb_type if record else None,
            "name": (record.name or record.fields.get("Name")) if record else None,
            "bound_to": bound_to or (record.marker if record else None),
            "state": "in QuickBooks" if record else "not found",
        }  # fmt: skip
