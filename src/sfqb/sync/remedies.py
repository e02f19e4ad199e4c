"""What sfqb does by itself when QuickBooks refuses a write: the remedy named in the catalog.

`Remedies.handle` dispatches on the decoded status's remedy (`sfqb.codes` data decides which
code gets which remedy); each remedy either fixes the record in this cycle, or turns it into a
one-step decision on the review list with the evidence a person needs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sfqb.domain.bindings import Binding
from sfqb.domain.entities import QbRef, SfRef
from sfqb.domain.policy import OnConflict, OnDeleted
from sfqb.domain.status import DecodedStatus, Remedy, System
from sfqb.mapping import Owner
from sfqb.sync.deletions import find_deletion
from sfqb.sync.existing import ExistingName, as_type
from sfqb.sync.fields import references, to_plain
from sfqb.sync.holds import Holds
from sfqb.sync.inbound import TRANSACTION_TYPES
from sfqb.sync.merges import Followed, Merges
from sfqb.sync.ops import QbAction, QbOp, QbRecord, QbResult, Then
from sfqb.sync.ownership import newer, top_level_owners
from sfqb.sync.plan import Action

if TYPE_CHECKING:
    from sfqb.sync.cycle import Cycle


class Remedies:
    """The remedies of one cycle (3100 is `sfqb.sync.existing`, holds `sfqb.sync.holds`)."""

    def __init__(self, cycle: Cycle, holds: Holds) -> None:
        self._cycle = cycle
        self._holds = holds
        self.names = ExistingName(cycle)
        self._reapplied: set[SfRef] = set()
        self._retyped: set[SfRef] = set()
        self._merges = Merges(cycle)

    # -- dispatch ------------------------------------------------------------------------

    def handle(self, op: QbOp, status: DecodedStatus) -> None:
        """Apply the remedy the catalog names for `status`, or fail the record."""
        handlers: dict[Remedy, Callable[[QbOp, DecodedStatus], bool]] = {
            Remedy.BIND_EXISTING: self.names.bind_existing,
            Remedy.RECREATE_UNBOUND: self._bound_record_gone,
            Remedy.REREAD_AND_REAPPLY: self._reread,
            Remedy.SYNC_PARENT_FIRST: self._check_parents,
            Remedy.PREFLIGHT_BLOCK: self._holds.refused,
        }
        handler = handlers.get(status.remedy)
        if handler is None or not handler(op, status):
            kind = self._cycle.profile.kind_of(op.qb_type)
            qb = QbRef(kind, op.qb_id) if op.qb_id else None
            self._cycle.fail(op.sf, status, op.action.value, qb)

    # -- 3120 / 610: the bound record is gone ------------------------------------------

    def _bound_record_gone(self, op: QbOp, status: DecodedStatus) -> bool:
        if op.sf is not None and op.action is QbAction.ADD:
            # Not found on an add: a record it names is gone or inactive (QuickBooks Online's
            # 610 "made inactive"): check its parents as for an invalid reference.
            return self._check_parents(op, status)
        if op.sf is None or op.qb_id is None or op.action is not QbAction.MOD:
            return False
        profile = self._cycle.profile
        every_item = profile.read_type(op.qb_type)
        if every_item != op.qb_type and op.sf not in self._retyped:
            # An item of another type is "not found" by this type's Mod: read it (a read of
            # every item type) before taking it for deleted.
            self._retyped.add(op.sf)
            read = QbOp("", QbAction.READ, every_item, sf=op.sf, ids=(op.qb_id,))
            self._cycle.ask(read, lambda _o, result: self._item_type(op, status, result))
            return True
        self._read_deleted(op, status)
        return True

    def _read_deleted(self, op: QbOp, status: DecodedStatus) -> None:
        assert op.sf is not None
        find_deletion(
            self._cycle,
            op.qb_type,
            op.qb_id or "",
            op.sf,
            lambda _o, r: self._deleted(op, status, r),
        )

    def _item_type(self, op: QbOp, status: DecodedStatus, result: QbResult) -> None:
        """The item is there, of another type: send the Mod of its type."""
        cycle, sf = self._cycle, op.sf
        assert sf is not None
        fresh = next((r for r in result.records if r.id == op.qb_id), None)
        if fresh is None or fresh.qb_type == op.qb_type:
            self._read_deleted(op, status)
            return
        mod = as_type(self._cycle, op, fresh.qb_type, status)
        if mod is None:
            return
        binding = cycle.bindings.by_sf(cycle.company, sf)
        if binding is not None:
            cycle.bindings.update(replace(binding, version=fresh.version))
        cycle.log(
            sf,
            "mod",
            status,
            f"the QuickBooks item is an {fresh.qb_type}: sent as {fresh.qb_type}Mod",
        )
        cycle.ask(replace(mod, op_id="", version=fresh.version))

    def _deleted(self, op: QbOp, status: DecodedStatus, result: QbResult) -> None:
        cycle, sf = self._cycle, op.sf
        assert sf is not None
        gone = next((r for r in result.records if r.id == op.qb_id), None)
        if gone is None:
            cycle.review(
                sf,
                status,
                f"QuickBooks has no record {op.qb_id} and no deletion of it (merged into another?)",
                "mod",
                {"qb_id": op.qb_id},
            )
            return
        self._merges.deleted(op, status, gone, lambda: self._by_policy(op, status, gone))

    def _by_policy(self, op: QbOp, status: DecodedStatus, gone: QbRecord) -> None:
        cycle, sf = self._cycle, op.sf
        assert sf is not None
        when = gone.time_modified.isoformat() if gone.time_modified else "recently"
        if cycle.policy.on_deleted is OnDeleted.HOLD:
            cycle.review(
                sf,
                status,
                f"{op.qb_type} {gone.name or op.qb_id} was deleted in QuickBooks "
                f"({when}); re-create it or ignore",
                "mod",
                {"qb_id": op.qb_id, "deleted": when, "name": gone.name},
            )
            return
        cycle.bindings.unbind(cycle.company, sf)
        add = cycle.writing.add_op(sf)
        if add is not None:
            cycle.log(
                sf, "mod", status, f"deleted in QuickBooks ({when}): binding cleared, re-creating"
            )
            cycle.ask(add, first=False)

    # -- 3200 / 5010: stale edit sequence ----------------------------------------------

    def _reread(self, op: QbOp, status: DecodedStatus) -> bool:
        if op.sf is None or op.qb_id is None or op.sf in self._reapplied:
            return False
        self._reapplied.add(op.sf)
        qb_type = self._cycle.profile.read_type(op.qb_type)
        read = QbOp("", QbAction.READ, qb_type, sf=op.sf, ids=(op.qb_id,))
        self._cycle.ask(read, lambda _o, result: self._reapply(op, status, result))
        return True

    def _reapply(self, op: QbOp, status: DecodedStatus, result: QbResult) -> None:
        cycle, sf = self._cycle, op.sf
        assert sf is not None
        fresh = next((r for r in result.records if r.id == op.qb_id), None)
        binding = cycle.bindings.by_sf(cycle.company, sf)
        if fresh is None or binding is None:
            cycle.fail(sf, status, "mod")
            return
        binding = cycle.bindings.update(replace(binding, version=fresh.version))
        conflicts = self._conflicts(op, binding, fresh)
        if conflicts and cycle.policy.on_conflict is OnConflict.REVIEW:
            cycle.review(
                sf,
                status,
                "both Salesforce and QuickBooks changed "
                + ", ".join(c["field"] for c in conflicts),
                "mod",
                {"conflicts": conflicts},
            )
            return
        # Newest wins per field: only a field QuickBooks changed too is decided by time; the
        # other fields of the change go as they were (QuickBooks editing, say, its Notes must
        # not drop Salesforce's new phone number).
        qb_newer = newer(fresh.time_modified, cycle.changes[sf].modstamp)
        dropped = {c["field"] for c in conflicts} if qb_newer else set()
        fields = {k: v for k, v in op.fields.items() if k not in dropped}
        cycle.log(sf, "mod", status, "re-read the record and re-applied the change once")
        if fields:
            cycle.ask(replace(op, op_id="", version=fresh.version, fields=fields))
        else:
            cycle.synced(sf, binding, binding.qb_fingerprint, fresh.version)

    def _conflicts(self, op: QbOp, binding: Binding, fresh: QbRecord) -> list[dict[str, Any]]:
        """Fields both sides changed since the last sync that neither side owns outright."""
        cycle = self._cycle
        owners = top_level_owners(cycle.mapper.flows[cycle.changes[binding.sf].flow])
        last = binding.sf_values or {}
        found = []
        for field, value in op.fields.items():
            if owners.get(field) != frozenset({Owner.NEWEST}) or field not in last:
                continue
            theirs = _comparable(fresh.fields.get(field), value, cycle.profile.ref_key)
            ours, theirs = to_plain(value), to_plain(theirs)
            if theirs not in (last[field], ours):
                found.append(
                    {
                        "field": field,
                        "salesforce": ours,
                        "quickbooks": theirs,
                        "last_synced": last[field],
                    }
                )
        return found

    def with_fresh_version(self, mod: QbOp) -> Then:
        """A continuation that sends `mod` with the edit sequence a read returned."""

        def then(_op: QbOp, result: QbResult) -> None:
            fresh = next((r for r in result.records if r.id == mod.qb_id), None)
            if fresh is None:
                self.handle(
                    mod,
                    result.status
                    if not result.ok
                    else self._cycle.catalog.decode(
                        System.TRANSPORT,
                        "RECORD_GONE",
                        f"QuickBooks has no {mod.qb_type} {mod.qb_id}",
                    ),
                )
                return
            binding = self._cycle.bindings.by_sf(self._cycle.company, mod.sf) if mod.sf else None
            if binding is not None:
                self._cycle.bindings.update(replace(binding, version=fresh.version))
            self._cycle.ask(replace(mod, version=fresh.version))

        return then

    # -- 3140 / 2500: a parent QuickBooks does not have --------------------------------

    def _check_parents(self, op: QbOp, status: DecodedStatus) -> bool:
        """QuickBooks lacks a parent sfqb has bound: check the parents, retry the child later."""
        cycle, sf = self._cycle, op.sf
        if sf is None:
            return False
        checked = 0
        for parent in references(cycle.canonical[sf].fields):
            binding = cycle.bindings.by_sf(cycle.company, parent)
            if binding is None:
                continue
            qb_type = cycle.profile.read_type_of(binding.qb.kind)
            read = QbOp("", QbAction.READ, qb_type, sf=parent, ids=(binding.qb.id,))
            cycle.ask(read, self._parent_check(binding))
            checked += 1
        entry = cycle.catalog.entry(status.system, status.code)
        if checked and entry is not None and "cause" in entry.placeholders:
            # Its parents were synced: the entry's cause is not a "not yet" (qbXML's 3140 says
            # so by a placeholder; QuickBooks Online's 610 and 2500 name no cause).
            status = cycle.catalog.decode(
                status.system, status.code, status.message, {"cause": _GONE_SINCE}
            )
        cycle.fail(sf, replace(status, retryable=True), op.action.value)
        return True

    def _parent_check(self, binding: Binding) -> Then:
        return lambda _op, result: self._parent_checked(binding, result)

    def _parent_checked(self, binding: Binding, result: QbResult) -> None:
        found = next((r for r in result.records if r.id == binding.qb.id), None)
        if found is not None:  # there, maybe inactive: on_inactive decides before it is named
            self._cycle.inactive.seen(found)
            return
        # The parent's record is gone from QuickBooks: followed to the record it was merged
        # into, else held when it had transactions, else re-created next cycle (by policy).
        status = self._cycle.catalog.decode(
            System.TRANSPORT,
            "RECORD_GONE",
            f"QuickBooks has no {binding.qb.kind.value} {binding.qb.id}",
        )
        self._merges.parent_gone(
            binding, status, lambda found: self._parent_by_policy(binding, status, found)
        )

    def _parent_by_policy(self, binding: Binding, status: DecodedStatus, found: Followed) -> None:
        cycle = self._cycle
        if found.transactions:
            cycle.log(binding.sf, "check", status, _HELD_WITH_HISTORY)
            return
        cycle.log(
            binding.sf,
            "check",
            status,
            "the parent was deleted in QuickBooks; its binding is cleared so it is added again"
            if cycle.policy.on_deleted is OnDeleted.RECREATE
            else "the parent was deleted in QuickBooks; held for review",
        )
        if cycle.policy.on_deleted is OnDeleted.RECREATE:
            cycle.bindings.unbind(cycle.company, binding.sf)
            cycle.requeue.add(binding.sf)  # its queue row is done: make it due again


_GONE_SINCE = (
    "which sfqb had already added to QuickBooks, so it was deleted, merged or made inactive "
    "there since; sfqb reads it now and the parent's next log line says which"
)
_HELD_WITH_HISTORY = (
    "the parent is gone from QuickBooks but had transactions there (merged?); held for review"
)


def _comparable(theirs: Any, ours: Any, ref_key: str) -> Any:
    """QuickBooks' value restricted to the keys we send (an address has parts we do not map);
    a reference QuickBooks read as the `QbRef` we send."""
    if isinstance(ours, QbRef) and isinstance(theirs, Mapping) and theirs.get(ref_key):
        return QbRef(ours.kind, str(theirs[ref_key]))
    if isinstance(theirs, Mapping) and isinstance(ours, Mapping):
        return {k: theirs.get(k) for k in ours}
    return theirs


__all__ = ["TRANSACTION_TYPES", "Action", "Remedies"]
