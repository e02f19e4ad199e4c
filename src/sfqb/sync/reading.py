"""The read step of a cycle: QuickBooks' preferences and changes, and unanswered adds found."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from sfqb.domain.bindings import Binding, BindingError
from sfqb.domain.entities import QbRef, SfRef
from sfqb.domain.status import System
from sfqb.sync.fields import qb_kind_of, to_plain
from sfqb.sync.inbound import TRANSACTION_TYPES
from sfqb.sync.marking import list_of
from sfqb.sync.matching import matches, rule_for
from sfqb.sync.ops import QbAction, QbOp, QbRecord, QbResult
from sfqb.sync.records import ItemState

if TYPE_CHECKING:
    from sfqb.sync.cycle import Cycle

Pair = tuple[QbOp, Callable[[QbOp, QbResult], None] | None]


class Reading:
    """Builds the first batch of a cycle and takes its answers."""

    def __init__(self, cycle: Cycle, since: dict[str, datetime]) -> None:
        self._cycle = cycle
        self._since = since
        self._waiting: dict[tuple[QbAction, str], list[SfRef]] = {}

    def unanswered(self, op: QbOp) -> None:
        """A look-up's reply never arrived: its records stay in flight (not added again)."""
        status = self._cycle.catalog.decode(
            System.TRANSPORT, "TIMEOUT", "QuickBooks' reply never arrived"
        )
        for sf in self._waiting.pop((op.action, op.qb_type), []):
            self._cycle.outcome(sf, ItemState.INFLIGHT, status, "look-up's reply never arrived")
            self._cycle.log(sf, "lookup", status, "will look the record up again next cycle")

    def ops(self) -> list[Pair]:
        """Marker definition, preferences, changes since the checkpoint, look-ups."""
        cycle = self._cycle
        pairs: list[Pair] = [
            *cycle.marking.ops(),
            (QbOp("", QbAction.READ_PREFERENCES, "Preferences"), self._preferences),
        ]
        for qb_type in ("Customer", cycle.transaction_type, "ReceivePayment"):
            since = self._since.get(qb_type)
            if since is not None:
                pairs.append((QbOp("", QbAction.READ_CHANGED, qb_type, since=since), self._changed))
        waiting: dict[tuple[QbAction, str], list[SfRef]] = {}
        earliest: dict[str, datetime] = {}
        for change in cycle.changes.values():
            mapped = cycle.canonical.get(change.sf)
            if change.unknown_since is None or mapped is None:
                continue
            bound = cycle.bindings.by_sf(cycle.company, change.sf)
            if bound is not None:
                # Bound before the worker stopped: only the marker may be missing; set it again.
                cycle.mark(change.sf, mapped.kind, bound.qb.id, known=False)
                continue
            if mapped.kind in TRANSACTION_TYPES:
                waiting.setdefault((QbAction.READ_CHANGED, mapped.kind), []).append(change.sf)
                first = earliest.get(mapped.kind)
                if first is None or change.unknown_since < first:
                    earliest[mapped.kind] = change.unknown_since
            elif isinstance(mapped.fields.get("Name"), str):
                read_type = "Item" if mapped.kind.startswith("Item") else mapped.kind
                waiting.setdefault((QbAction.READ, read_type), []).append(change.sf)
        # One look-up per type for every record whose add went unanswered: transactions by the
        # [sf:ID] marker among those changed since the earliest unanswered add, lists by name.
        for (action, qb_type), records in waiting.items():
            if action is QbAction.READ_CHANGED:
                op = QbOp("", action, qb_type, since=earliest[qb_type])
            else:
                names = sorted({str(cycle.canonical[sf].fields["Name"]) for sf in records})
                op = QbOp("", action, qb_type, names=tuple(names))
            self._waiting[(action, qb_type)] = records
            pairs.append((op, self._recover))
        return pairs

    def _preferences(self, op: QbOp, result: QbResult) -> None:
        if result.ok and result.records:
            self._cycle.remedies.preferences(result.records[0].fields)

    def _changed(self, op: QbOp, result: QbResult) -> None:
        cycle = self._cycle
        cycle.inbound.take(result.records)
        if not result.ok:
            cycle.log(None, "read", result.status, "QuickBooks' changes not read this cycle")
        for record in result.records:
            if record.qb_type == "ReceivePayment" or (
                record.marker and not list_of(record.qb_type)
            ):
                continue
            binding = cycle.bindings.by_qb(
                cycle.company, QbRef(qb_kind_of(record.qb_type), record.id)
            )
            if binding is not None:  # bound: its binding field is set if it lacks the Id
                cycle.mark(binding.sf, record.qb_type, record.id, record)

    def _recover(self, op: QbOp, result: QbResult) -> None:
        """Records whose add went unanswered: bind each to its record if QuickBooks has it.

        A record carrying the Salesforce Id is it. A list record without a marker is it only
        when its name and the company's match rule agree (its SalesforceID was not set yet).
        """
        cycle = self._cycle
        records = self._waiting.pop((op.action, op.qb_type), [])
        if not result.ok:
            # Not "not found": QuickBooks could not look. Adding now could duplicate them.
            for sf in records:
                cycle.outcome(sf, ItemState.INFLIGHT, result.status, "look-up failed")
                cycle.log(sf, "lookup", result.status, "will look the record up again next cycle")
            return
        taken: set[str] = set()
        for sf in records:
            found = self._find(sf, op, result, taken)
            if found is None:
                continue
            taken.add(found.id)
            binding = Binding(
                cycle.company,
                sf,
                QbRef(qb_kind_of(found.qb_type), found.id),
                "",
                cycle.clock(),
                edit_sequence=found.edit_sequence,
            )
            try:
                cycle.bindings.bind(binding)
            except BindingError:
                continue
            cycle.log(
                sf, "bind", result.status, "bound the record an unanswered add created", binding.qb
            )
            cycle.mark(sf, found.qb_type, found.id, found)

    def _find(self, sf: SfRef, op: QbOp, result: QbResult, taken: set[str]) -> QbRecord | None:
        cycle = self._cycle
        ours = to_plain(cycle.canonical[sf].fields)
        for record in result.records:
            if record.id in taken:
                continue
            if record.marker == sf.id or sf.id in record.custom.values():
                return record
            if (
                op.action is QbAction.READ
                and not record.marker
                and matches(rule_for(cycle.policy.match_rule, record.qb_type), ours, record.fields)
            ):
                return record
        return None
