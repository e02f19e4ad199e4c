"""What sfqb does by itself when QuickBooks refuses a write: the remedy named in the catalog.

`Remedies.handle` dispatches on the decoded status's remedy (`sfqb.codes` data decides which
code gets which remedy); each remedy either fixes the record in this cycle, or turns it into a
one-step decision on the review list with the evidence a person needs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sfqb.domain.bindings import Binding, BindingError
from sfqb.domain.entities import QbRef, SfRef
from sfqb.domain.policy import OnConflict, OnDeleted
from sfqb.domain.status import DecodedStatus, Remedy, System
from sfqb.mapping import Owner, apply_name_rule, fold_name
from sfqb.sync.deletions import find_deletion
from sfqb.sync.fields import qb_kind_of, references, to_plain
from sfqb.sync.inbound import TRANSACTION_TYPES
from sfqb.sync.matching import matches, rule_for
from sfqb.sync.merges import Followed, Merges
from sfqb.sync.ops import QbAction, QbOp, QbRecord, QbResult
from sfqb.sync.ownership import newer, top_level_owners
from sfqb.sync.plan import Action, Operation
from sfqb.sync.preflight import block_message, preflight
from sfqb.sync.records import Block

if TYPE_CHECKING:
    from sfqb.sync.cycle import Cycle

Then = Callable[[QbOp, QbResult], None]


def _read_type(qb_type: str) -> str:
    return "Item" if qb_type.startswith("Item") else qb_type


class Remedies:
    """The remedies of one cycle, and the company-level blocks it knows and finds."""

    def __init__(self, cycle: Cycle, blocks: dict[str, Block]) -> None:
        self._cycle = cycle
        self.blocks = blocks
        self.new_blocks: dict[str, Block] = {}
        self.cleared: set[str] = set()
        self._probing: set[str] = set()
        self._preferences: Mapping[str, Any] = {}
        self._reapplied: set[SfRef] = set()
        self._renamed: set[SfRef] = set()
        self._merges = Merges(cycle)

    # -- preflight: preferences and company-level blocks ---------------------------------

    def preferences(self, fields: Mapping[str, Any]) -> None:
        """QuickBooks' preferences, read at the start of the cycle."""
        self._preferences = fields

    def held_back(self, op: Operation) -> bool:
        """Hold a record a block covers (one probe per block and cycle goes through)."""
        cycle = self._cycle
        canonical = cycle.canonical[op.sf]
        key = f"{canonical.kind}:{op.action.value}"
        missing = self._missing_feature(canonical.kind, canonical.fields)
        if missing is not None and key not in self.blocks:
            status = cycle.catalog.decode(System.QBXML, "3250", missing["setting"])
            self._open_block(key, status, missing["setting"], op.sf, "preferences")
        block = self.blocks.get(key) or self.new_blocks.get(key)
        if block is None:
            return False
        if missing is None and key not in self.new_blocks and key not in self._probing:
            self._probing.add(key)  # this record tests whether QuickBooks accepts it now
            return False
        cycle.hold(op.sf, block.status, f"held for the company: {block.message}")
        return True

    def _missing_feature(self, kind: str, fields: Mapping[str, Any]) -> dict[str, Any] | None:
        for feature in preflight()["features"]:
            when = feature["when"]
            needed = when.get("type") == kind or (when.get("field") in fields)
            if needed and self._preferences.get(feature["preference"]) is False:
                return dict(feature)
        return None

    def _open_block(
        self, key: str, status: DecodedStatus, message: str, sf: SfRef, op: str
    ) -> None:
        block = Block(key, status, message)
        self.new_blocks[key] = block
        self._cycle.log(sf, op, status, f"reported once for the company; held: {message}")

    def succeeded(self, op: QbOp) -> None:
        """A write went through: a block on its kind (if any) is lifted."""
        key = f"{op.qb_type}:{op.action.value}"
        if key in self.blocks:
            self.cleared.add(key)

    # -- dispatch ------------------------------------------------------------------------

    def handle(self, op: QbOp, status: DecodedStatus) -> None:
        """Apply the remedy the catalog names for `status`, or fail the record."""
        handlers: dict[Remedy, Callable[[QbOp, DecodedStatus], bool]] = {
            Remedy.BIND_EXISTING: self._bind_existing,
            Remedy.RECREATE_UNBOUND: self._bound_record_gone,
            Remedy.REREAD_AND_REAPPLY: self._reread,
            Remedy.SYNC_PARENT_FIRST: self._check_parents,
            Remedy.PREFLIGHT_BLOCK: self._block,
        }
        handler = handlers.get(status.remedy)
        if handler is None or not handler(op, status):
            qb = QbRef(qb_kind_of(op.qb_type), op.qb_id) if op.qb_id else None
            self._cycle.fail(op.sf, status, op.action.value, qb)

    # -- 3100 / 6240: the name exists --------------------------------------------------

    def _bind_existing(self, op: QbOp, status: DecodedStatus) -> bool:
        name = op.fields.get("Name")
        if op.action is not QbAction.ADD or op.sf is None or not isinstance(name, str):
            return False
        names = (name, *self._name_variants(op.sf, name))
        read = QbOp("", QbAction.READ, _read_type(op.qb_type), sf=op.sf, names=names)
        self._cycle.ask(read, lambda _o, result: self._candidates(op, status, result))
        return True

    def _name_variants(self, sf: SfRef, sent: str, count: int = 20) -> list[str]:
        """The names the mapping would try after `sent` (its unique suffixes), so one read
        learns which of them QuickBooks already has."""
        cycle = self._cycle
        rule = cycle.mapper.flows[cycle.changes[sf].flow].name_rule
        if rule is None or not rule.unique:
            return []
        base = str(cycle.canonical[sf].fields.get("Name") or sent)
        taken, variants = {sent.casefold()}, []
        for _ in range(count):
            variant, _changes = apply_name_rule(rule, base, taken)
            taken.add(variant.casefold())
            variants.append(variant)
        return [v for v in variants if v.casefold() != sent.casefold()]

    def _candidates(self, op: QbOp, status: DecodedStatus, result: QbResult) -> None:
        cycle, sf = self._cycle, op.sf
        assert sf is not None
        rule = rule_for(cycle.policy.match_rule, op.qb_type)
        ours = to_plain(op.fields)
        sent = fold_name(op.fields.get("Name", ""))
        found = [r for r in result.records if fold_name((r.name or "").rsplit(":", 1)[-1]) == sent]
        taken = cycle.inbound.names.setdefault(qb_kind_of(op.qb_type), set())
        taken.update(r.name for r in result.records if r.name)
        evidence, eligible = [], []
        for record in found:
            bound = cycle.bindings.by_qb(
                cycle.company, QbRef(qb_kind_of(record.qb_type), record.id)
            )
            fits = matches(rule, ours, record.fields)
            evidence.append(_evidence(record, bound.sf.id if bound else None, fits))
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
            add = cycle.add_op(sf)
            if add is not None:
                cycle.log(
                    sf,
                    "add",
                    status,
                    f'sending it as "{add.fields.get("Name")}": the name '
                    "belongs to another Salesforce record's QuickBooks record",
                )
                cycle.ask(add)
            return
        if not found:
            name = op.fields.get("Name")
            reason = f'"{name}" is used by a vendor, employee or other name, not a {op.qb_type}'
        elif not eligible:
            reason = (
                f"QuickBooks has a record of that name, but it does not match by {rule} or is bound"
            )
        else:
            reason = f"{len(eligible)} QuickBooks records match by {rule}; choose one"
        cycle.review(sf, status, reason, "add", {"candidates": evidence, "rule": str(rule)})

    def _bind_to(self, sf: SfRef, record: QbRecord, status: DecodedStatus, action: str) -> None:
        cycle = self._cycle
        binding = Binding(
            cycle.company,
            sf,
            QbRef(qb_kind_of(record.qb_type), record.id),
            "",
            cycle.clock(),
            edit_sequence=record.edit_sequence,
        )
        try:
            cycle.bindings.bind(binding)
        except BindingError as exc:
            cycle.review(sf, status, str(exc), "bind", {})
            return
        cycle.log(sf, "bind", status, action, binding.qb)
        cycle.mark(sf, record.qb_type, record.id)
        mod = cycle.mod_op(sf, binding)  # carry on: Salesforce's values onto the record
        if mod is None:
            cycle.synced(sf, binding, "", record.edit_sequence)
        else:
            cycle.ask(mod, first=False)

    # -- 3120 / 610: the bound record is gone ------------------------------------------

    def _bound_record_gone(self, op: QbOp, status: DecodedStatus) -> bool:
        if op.sf is None or op.qb_id is None or op.action is not QbAction.MOD:
            return False
        find_deletion(
            self._cycle, op.qb_type, op.qb_id, op.sf, lambda _o, r: self._deleted(op, status, r)
        )
        return True

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
        add = cycle.add_op(sf)
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
        read = QbOp("", QbAction.READ, _read_type(op.qb_type), sf=op.sf, ids=(op.qb_id,))
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
        binding = cycle.bindings.update(replace(binding, edit_sequence=fresh.edit_sequence))
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
            cycle.ask(replace(op, op_id="", edit_sequence=fresh.edit_sequence, fields=fields))
        else:
            cycle.synced(sf, binding, binding.qb_fingerprint, fresh.edit_sequence)

    def _conflicts(self, op: QbOp, binding: Binding, fresh: QbRecord) -> list[dict[str, Any]]:
        """Fields both sides changed since the last sync that neither side owns outright."""
        cycle = self._cycle
        owners = top_level_owners(cycle.mapper.flows[cycle.changes[binding.sf].flow])
        last = binding.sf_values or {}
        found = []
        for field, value in op.fields.items():
            if owners.get(field) != frozenset({Owner.NEWEST}) or field not in last:
                continue
            ours, theirs = to_plain(value), _comparable(to_plain(fresh.fields.get(field)), value)
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

    def with_fresh_edit_sequence(self, mod: QbOp) -> Then:
        """A continuation that sends `mod` with the edit sequence a read returned."""

        def then(_op: QbOp, result: QbResult) -> None:
            fresh = next((r for r in result.records if r.id == mod.qb_id), None)
            if fresh is None:
                self.handle(
                    mod,
                    result.status
                    if not result.ok
                    else self._cycle.catalog.decode(
                        System.QBXML,
                        "3120",
                        f'Object "{mod.qb_id}" specified in the request cannot be found.',
                    ),
                )
                return
            binding = self._cycle.bindings.by_sf(self._cycle.company, mod.sf) if mod.sf else None
            if binding is not None:
                self._cycle.bindings.update(replace(binding, edit_sequence=fresh.edit_sequence))
            self._cycle.ask(replace(mod, edit_sequence=fresh.edit_sequence))

        return then

    # -- 3140 / 2500: a parent QuickBooks does not have --------------------------------

    def _check_parents(self, op: QbOp, status: DecodedStatus) -> bool:
        """QuickBooks lacks a parent sfqb has bound: check the parents, retry the child later."""
        cycle, sf = self._cycle, op.sf
        if sf is None:
            return False
        for parent in references(cycle.canonical[sf].fields):
            binding = cycle.bindings.by_sf(cycle.company, parent)
            if binding is None:
                continue
            qb_type = "Customer" if binding.qb.kind.value == "Customer" else "Item"
            read = QbOp("", QbAction.READ, qb_type, sf=parent, ids=(binding.qb.id,))
            cycle.ask(read, self._parent_check(binding))
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
            System.QBXML,
            "3120",
            f'Object "{binding.qb.id}" specified in the request cannot be found.',
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
            "the parent's QuickBooks record is gone; its binding is cleared so it is added again"
            if cycle.policy.on_deleted is OnDeleted.RECREATE
            else "the parent's QuickBooks record is gone; held for review",
        )
        if cycle.policy.on_deleted is OnDeleted.RECREATE:
            cycle.bindings.unbind(cycle.company, binding.sf)
            cycle.requeue.add(binding.sf)  # its queue row is done: make it due again

    # -- 3250 / 3260: feature off, no permission ---------------------------------------

    def _block(self, op: QbOp, status: DecodedStatus) -> bool:
        if op.sf is None:
            return False
        key = f"{op.qb_type}:{op.action.value}"
        message = block_message(op, status, self._preferences)
        if key not in self.blocks and key not in self.new_blocks:
            self._open_block(key, status, message, op.sf, op.action.value)
        self._cycle.hold(op.sf, status, f"held for the company: {message}")
        return True


_HELD_WITH_HISTORY = (
    "the parent's QuickBooks record is gone but had transactions there (merged?); held for review"
)


def _comparable(theirs: Any, ours: Any) -> Any:
    """QuickBooks' value restricted to the keys we send (an address has parts we do not map)."""
    if isinstance(theirs, dict) and isinstance(ours, Mapping):
        return {k: theirs.get(k) for k in ours}
    return theirs


def _evidence(record: QbRecord, bound_to: str | None, fits: bool) -> dict[str, Any]:
    fields = record.fields
    return {
        "qb_id": record.id,
        "type": record.qb_type,
        "name": fields.get("Name") or record.name,
        "phone": fields.get("Phone"),
        "email": fields.get("Email"),
        "bound_to": bound_to,
        "marker": record.marker,
        "matches_rule": fits,
    }


__all__ = ["TRANSACTION_TYPES", "Action", "Remedies"]
