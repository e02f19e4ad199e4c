"""Transactions deleted in QuickBooks while their Salesforce record did not change.

A bound invoice, sales receipt, estimate, sales order or credit memo a person deletes in
QuickBooks (as QuickBooks' own help tells them to undo one) leaves sfqb nothing to send: its
Salesforce record is unchanged, so no write meets QuickBooks' "object not found". Each cycle
with a checkpoint reads, since that checkpoint, the deletions of every transaction type the
company's flows can make and the target binds (`bound_types`: QuickBooks Desktop's
TxnDeletedQuery takes each as a TxnDelType, qbxml120.xsd; QuickBooks Online's Change Data
Capture reports each deleted entity with status "Deleted", while a voided one stays and is not
a deletion). A deleted record sfqb bound is reported once, as a review item about its
Salesforce record: a person decides whether it is added again or was deleted on purpose (sfqb
never re-creates a transaction by itself).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sfqb.domain.bindings import Binding
from sfqb.domain.entities import QbRef
from sfqb.domain.status import DecodedStatus, System
from sfqb.sync.ops import Pair, QbAction, QbOp, QbRecord, QbResult
from sfqb.sync.target import TargetProfile

if TYPE_CHECKING:
    from sfqb.sync.cycle import Cycle

GONE_CODE = "RECORD_GONE"


@dataclass(frozen=True, slots=True)
class GoneTransaction:
    """A bound transaction QuickBooks reports deleted: its binding, the record, why."""

    binding: Binding
    record: QbRecord
    status: DecodedStatus
    reason: str


class Gone:
    """Reads one cycle's deleted transactions and keeps those sfqb bound (`found`)."""

    def __init__(self, cycle: Cycle) -> None:
        self._cycle = cycle
        self.found: list[GoneTransaction] = []

    def ops(self, since: datetime | None) -> list[Pair]:
        """The reads of each bound transaction type's deletions since the checkpoint (none
        without one)."""
        if since is None:
            return []
        cycle = self._cycle
        made = (kind for flow in cycle.mapper.flows.flows.values() for kind in flow.kinds)
        types = bound_types(cycle.profile, (cycle.transaction_type, *made))
        return [(QbOp("", QbAction.READ_DELETED, t, since=since), self._take) for t in types]

    def _take(self, op: QbOp, result: QbResult) -> None:
        if not result.ok:  # read again from the same checkpoint next cycle
            return
        cycle = self._cycle
        kind = cycle.profile.kinds.get(op.qb_type)
        if kind is None:
            return
        for record in result.records:
            binding = cycle.bindings.by_qb(cycle.company, QbRef(kind, record.id))
            if binding is None:
                continue
            when = f" on {record.time_modified:%Y-%m-%d}" if record.time_modified else ""
            what = _words(op.qb_type).capitalize()
            reason = (
                f"{what} {record.id} was deleted in QuickBooks{when}, and "
                f"{binding.sf.sobject.value} {binding.sf.id} still links to it: add it to "
                "QuickBooks again, or ignore this if it was deleted on purpose"
            )
            status = cycle.catalog.decode(System.TRANSPORT, GONE_CODE, reason)
            cycle.log(binding.sf, "check", status, f"on the review list: {reason}", binding.qb)
            self.found.append(GoneTransaction(binding, record, status, reason))


def bound_types(profile: TargetProfile, kinds: Iterable[str]) -> tuple[str, ...]:
    """The transaction types among `kinds` that `profile` binds, each once, in order (a list
    type such as Customer or an item type is not a transaction)."""
    return tuple(dict.fromkeys(k for k in kinds if profile.binds(k) and profile.list_of(k) is None))


def _words(qb_type: str) -> str:
    """A QuickBooks type as a person reads it: "SalesOrder" -> "sales order"."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", qb_type).lower()
