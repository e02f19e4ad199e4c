"""Where a deleted QuickBooks list record went: the record it was merged into, if any.

QuickBooks Desktop reports no merges; QuickBooks Online names the survivor in its webhook Merge
event, which its driver hands over with the deleted record (`MERGED_INTO`). A merged-away
customer or item is a deletion (it appears in ListDeletedQuery), and its transactions now name
the record it was merged into (Intuit, "Requests that merge accounts customers vendors
classes"). Without a named survivor, sfqb follows a deleted record by what it knows: the
transactions sfqb bound whose last values named the record (read again by TxnID, the reference
found at the same place), else a live record that has the deleted record's name. A survivor is
only proposed here; `Remedies` decides what to do with it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sfqb.domain.bindings import Binding, BindingError
from sfqb.domain.entities import QB_PARENTS, QbKind, QbRef, SfRef
from sfqb.domain.status import DecodedStatus
from sfqb.sync.deletions import find_deletion
from sfqb.sync.fields import is_reference, references
from sfqb.sync.ops import MERGED_INTO, QbAction, QbOp, QbRecord, QbResult

if TYPE_CHECKING:
    from sfqb.sync.cycle import Cycle


@dataclass(frozen=True, slots=True)
class Followed:
    """What following a deleted record found: the survivor (or None) and the history."""

    survivor: QbRecord | None
    transactions: tuple[str, ...]  # the QuickBooks ids of its transactions sfqb knows


Found = Callable[[Followed], None]


def same_place(ours: Any, theirs: Any, sf: SfRef, ref_key: str) -> set[str]:
    """The ids QuickBooks has where our last values referenced `sf` (walked in parallel);
    `ref_key` holds the id in the target's references."""
    if is_reference(ours):
        named = str(ours["ref"]) == sf.sobject.value and str(ours["sf_id"]) == sf.id
        listed = theirs.get(ref_key) if isinstance(theirs, Mapping) else None
        return {str(listed)} if named and listed else set()
    found: set[str] = set()
    if isinstance(ours, Mapping) and isinstance(theirs, Mapping):
        for key, value in ours.items():
            found |= same_place(value, theirs.get(key), sf, ref_key)
    elif isinstance(ours, list | tuple) and isinstance(theirs, list | tuple):
        for mine, yours in zip(ours, theirs, strict=False):
            found |= same_place(mine, yours, sf, ref_key)
    return found


class Merges:
    """Follows deleted list records of one cycle to their survivors."""

    def __init__(self, cycle: Cycle) -> None:
        self._cycle = cycle

    # -- what sfqb does with what it found ---------------------------------------------

    def deleted(
        self, op: QbOp, status: DecodedStatus, gone: QbRecord, otherwise: Callable[[], None]
    ) -> None:
        """A bound record QuickBooks confirms deleted: follow it to its survivor and carry on
        there; a record with history and no survivor goes to review; `otherwise` (the
        company's on_deleted policy) only for a list record with no history."""
        sf = op.sf
        kind = self._cycle.profile.kinds.get(op.qb_type)
        if sf is None or op.qb_id is None or kind not in _LISTS:
            otherwise()
            return
        gone_id = op.qb_id

        def done(found: Followed) -> None:
            cycle = self._cycle
            if found.survivor is not None:
                refused = self._move(sf, found.survivor, status)
                if refused is not None:
                    cycle.review(sf, status, refused, "mod", _evidence(gone_id, gone, found))
                    return
                binding = cycle.bindings.by_sf(cycle.company, sf)
                assert binding is not None
                mod = cycle.writing.mod_op(sf, binding)
                if mod is None:
                    cycle.synced(sf, binding, binding.qb_fingerprint, binding.version)
                else:
                    cycle.ask(mod, first=False)
            elif found.transactions:
                cycle.review(
                    sf,
                    status,
                    f"{op.qb_type} {gone.name or gone_id} was deleted in QuickBooks but had "
                    f"{len(found.transactions)} transaction(s) there (merged into another "
                    "record?): bind it to the record that has them, or re-create it",
                    "mod",
                    _evidence(gone_id, gone, found),
                )
            else:
                otherwise()

        merged = gone.fields.get(MERGED_INTO)
        self.follow(
            sf, op.qb_type, gone_id, gone.name, done, merged_into=str(merged) if merged else None
        )

    def parent_gone(self, binding: Binding, status: DecodedStatus, otherwise: Found) -> None:
        """A bound parent whose record is gone: follow it; `otherwise` gets what was found
        when there is no survivor to move the binding to."""
        qb_type = self._cycle.profile.read_type_of(binding.qb.kind)

        def done(found: Followed) -> None:
            refused = (
                None if found.survivor is None else self._move(binding.sf, found.survivor, status)
            )
            if found.survivor is not None and refused is None:
                self._cycle.requeue.add(binding.sf)  # writes its new QuickBooks ID next cycle
            elif refused is not None:
                self._cycle.log(binding.sf, "check", status, f"held: {refused}")
            else:
                otherwise(found)

        if not self._cycle.profile.reports_merges:
            self.follow(binding.sf, qb_type, binding.qb.id, None, done)
            return

        def deleted(_op: QbOp, result: QbResult) -> None:  # names the survivor, if merged
            gone_id = binding.qb.id.upper()
            gone = next((r for r in result.records if r.id.upper() == gone_id), None)
            merged = gone.fields.get(MERGED_INTO) if gone is not None else None
            self.follow(
                binding.sf, qb_type, binding.qb.id, None, done,
                merged_into=str(merged) if merged else None,
            )  # fmt: skip

        find_deletion(self._cycle, qb_type, binding.qb.id, binding.sf, deleted)

    def _move(self, sf: SfRef, survivor: QbRecord, status: DecodedStatus) -> str | None:
        """Move the binding of `sf` to the survivor; the reason when it cannot be moved."""
        cycle = self._cycle
        qb = QbRef(cycle.profile.kind_of(survivor.qb_type), survivor.id)
        name = survivor.name or survivor.id
        holder = cycle.bindings.by_qb(cycle.company, qb)
        other = holder.sf.id if holder is not None else survivor.marker
        if other not in (None, "", sf.id):
            return (
                f'merged in QuickBooks into "{name}" ({survivor.id}), which is bound to '
                f"Salesforce {other}: merge the Salesforce records too, or bind this one elsewhere"
            )
        old = cycle.bindings.unbind(cycle.company, sf)
        # The binding moves with what was last synced, so only Salesforce's newer changes go to
        # the survivor: the bookkeeper chose its name and values by merging into it.
        try:
            cycle.bindings.bind(replace(old, qb=qb, version=survivor.version))
        except BindingError as exc:
            cycle.bindings.bind(old)
            return str(exc)
        cycle.log(
            sf,
            "bind",
            status,
            f'merged in QuickBooks into "{name}" ({survivor.id}): the binding follows it, '
            "nothing re-created",
            qb,
        )
        cycle.mark(sf, survivor.qb_type, survivor.id)
        return None

    # -- finding the survivor ----------------------------------------------------------

    def history(self, sf: SfRef) -> dict[str, dict[str, Mapping[str, Any]]]:
        """sfqb's bound transactions whose last values referenced `sf`: by QuickBooks type,
        transaction id -> those values."""
        cycle = self._cycle
        found: dict[str, dict[str, Mapping[str, Any]]] = {}
        for binding in cycle.bindings.for_company(cycle.company):
            values = binding.sf_values
            if not QB_PARENTS[binding.qb.kind] or not values:
                continue
            if sf in references(values):
                found.setdefault(binding.qb.kind.value, {})[binding.qb.id] = values
        return found

    def follow(
        self,
        sf: SfRef,
        qb_type: str,
        gone_id: str,
        name: str | None,
        done: Found,
        *,
        merged_into: str | None = None,
    ) -> None:
        """Look for the record `gone_id` was merged into (read at once when the target named
        it: `merged_into`); `done` gets what was found."""
        history = self.history(sf)
        ids = tuple(i for by_id in history.values() for i in by_id)
        if merged_into is not None:
            self._by_id(qb_type, merged_into, ids, done)
            return
        if not history:
            self._by_name(qb_type, gone_id, name, ids, done)
            return
        seen: set[str] = set()
        waiting = set(history)

        def read(op: QbOp, result: QbResult) -> None:
            waiting.discard(op.qb_type)
            for record in result.records if result.ok else ():
                ours = history[op.qb_type].get(record.id)
                seen.update(same_place(ours, record.fields, sf, self._cycle.profile.ref_key))
            if waiting:
                return
            seen.discard(gone_id)
            if len(seen) == 1:
                self._by_id(qb_type, seen.pop(), ids, done)
            elif seen:
                done(Followed(None, ids))  # its transactions went to several records
            else:
                self._by_name(qb_type, gone_id, name, ids, done)

        for txn_type, by_id in history.items():
            self._cycle.ask(QbOp("", QbAction.READ, txn_type, sf=sf, ids=tuple(by_id)), read)

    def _by_id(self, qb_type: str, qb_id: str, ids: tuple[str, ...], done: Found) -> None:
        def then(_op: QbOp, result: QbResult) -> None:
            found = next((r for r in result.records if r.id == qb_id), None)
            done(Followed(found, ids))

        read_type = self._cycle.profile.read_type(qb_type)
        self._cycle.ask(QbOp("", QbAction.READ, read_type, ids=(qb_id,)), then)

    def _by_name(
        self, qb_type: str, gone_id: str, name: str | None, ids: tuple[str, ...], done: Found
    ) -> None:
        if not name:
            done(Followed(None, ids))
            return

        def then(_op: QbOp, result: QbResult) -> None:
            live = [r for r in result.records if r.id != gone_id]
            done(Followed(live[0] if len(live) == 1 else None, ids))

        read_type = self._cycle.profile.read_type(qb_type)
        self._cycle.ask(QbOp("", QbAction.READ, read_type, names=(name,)), then)


_LISTS = (QbKind.CUSTOMER, QbKind.ITEM)


def _evidence(gone_id: str, gone: QbRecord, found: Followed) -> dict[str, Any]:
    survivor = found.survivor
    return {
        "qb_id": gone_id,
        "name": gone.name,
        "deleted": gone.time_modified.isoformat() if gone.time_modified else None,
        "transactions": list(found.transactions),
        "merged_into": survivor.id if survivor is not None else None,
    }
