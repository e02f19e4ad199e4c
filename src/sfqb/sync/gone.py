"""Transactions deleted in QuickBooks while their Salesforce record did not change.

A bound invoice a person deletes in QuickBooks leaves sfqb nothing to send: its Salesforce
record is unchanged, so no write meets QuickBooks' "object not found". Each cycle with a
checkpoint reads the deletions of its transaction type since that checkpoint; a deleted record
sfqb bound is reported once, as a review item about its Salesforce record: a person decides
whether it is added again or was deleted on purpose (sfqb never re-creates a transaction by
itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sfqb.domain.bindings import Binding
from sfqb.domain.entities import QbRef
from sfqb.domain.status import DecodedStatus, System
from sfqb.sync.ops import Pair, QbAction, QbOp, QbRecord, QbResult

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
        """The read of the transaction type's deletions since the checkpoint (none without)."""
        if since is None:
            return []
        op = QbOp("", QbAction.READ_DELETED, self._cycle.transaction_type, since=since)
        return [(op, self._take)]

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
            reason = (
                f"{op.qb_type} {record.id} was deleted in QuickBooks{when}, and "
                f"{binding.sf.sobject.value} {binding.sf.id} still links to it: add it to "
                "QuickBooks again, or ignore this if it was deleted on purpose"
            )
            status = cycle.catalog.decode(System.TRANSPORT, GONE_CODE, reason)
            cycle.log(binding.sf, "check", status, f"on the review list: {reason}", binding.qb)
            self.found.append(GoneTransaction(binding, record, status, reason))
