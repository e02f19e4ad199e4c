"""The read step of a cycle: QuickBooks' preferences and changes, and unanswered adds found."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from sfqb.domain.bindings import Binding, BindingError
from sfqb.domain.entities import QbRef
from sfqb.sync.fields import qb_kind_of, to_plain
from sfqb.sync.inbound import TRANSACTION_TYPES
from sfqb.sync.matching import matches
from sfqb.sync.ops import QbAction, QbOp, QbResult

if TYPE_CHECKING:
    from sfqb.sync.cycle import Cycle

Pair = tuple[QbOp, Callable[[QbOp, QbResult], None] | None]


class Reading:
    """Builds the first batch of a cycle and takes its answers."""

    def __init__(self, cycle: Cycle, since: dict[str, datetime]) -> None:
        self._cycle = cycle
        self._since = since

    def ops(self) -> list[Pair]:
        """Marker definition, preferences, changes since the checkpoint, look-ups."""
        cycle = self._cycle
        pairs: list[Pair] = [
            (QbOp("", QbAction.DEFINE_MARKER, "SalesforceID"), self._defined),
            (QbOp("", QbAction.READ_PREFERENCES, "Preferences"), self._preferences),
        ]
        for qb_type in ("Customer", cycle.transaction_type, "ReceivePayment"):
            since = self._since.get(qb_type)
            if since is not None:
                pairs.append((QbOp("", QbAction.READ_CHANGED, qb_type, since=since), self._changed))
        for change in cycle.changes.values():
            mapped = cycle.canonical.get(change.sf)
            if change.unknown_since is None or mapped is None:
                continue
            if mapped.kind in TRANSACTION_TYPES:
                op = QbOp(
                    "", QbAction.READ_CHANGED, mapped.kind, sf=change.sf, since=change.unknown_since
                )
            elif isinstance(mapped.fields.get("Name"), str):
                qb_type = "Item" if mapped.kind.startswith("Item") else mapped.kind
                op = QbOp(
                    "", QbAction.READ, qb_type, sf=change.sf, names=(str(mapped.fields["Name"]),)
                )
            else:
                continue
            pairs.append((op, self._recover))
        return pairs

    def _defined(self, op: QbOp, result: QbResult) -> None:
        if not result.ok and result.status.code != "3100":  # 3100: defined already
            self._cycle.log(None, "define", result.status, "bindings kept in sfqb only")

    def _preferences(self, op: QbOp, result: QbResult) -> None:
        if result.ok and result.records:
            self._cycle.remedies.preferences(result.records[0].fields)

    def _changed(self, op: QbOp, result: QbResult) -> None:
        self._cycle.inbound.take(result.records)
        if not result.ok:
            self._cycle.log(None, "read", result.status, "QuickBooks' changes not read this cycle")

    def _recover(self, op: QbOp, result: QbResult) -> None:
        """A record whose add went unanswered: bind it if QuickBooks has it.

        A record carrying this record's Salesforce Id is it. A list record without a marker
        is it only when the company's match rule holds (its SalesforceID was not set yet).
        """
        cycle = self._cycle
        assert op.sf is not None
        ours = to_plain(cycle.canonical[op.sf].fields)
        for record in result.records:
            if record.marker != op.sf.id:
                unmarked_list = op.action is QbAction.READ and not record.marker
                if not unmarked_list or not matches(cycle.policy.match_rule, ours, record.fields):
                    continue
            binding = Binding(
                cycle.company,
                op.sf,
                QbRef(qb_kind_of(record.qb_type), record.id),
                "",
                cycle.clock(),
                edit_sequence=record.edit_sequence,
            )
            try:
                cycle.bindings.bind(binding)
            except BindingError:
                continue
            cycle.log(
                op.sf,
                "bind",
                result.status,
                "bound the record an unanswered add created",
                binding.qb,
            )
            return
