"""Batch requests whose answer sfqb may not have kept, written down before they leave.

Intuit's requestid makes a write safe to send again: "If the service receives another request
with the same RequestID, instead of performing the operation again or returning an error, the
service sends the same response as it did for the original request", provided the app sends
"the same content and requestid as the first request" (Intuit developer blog, "Request ID update
for QuickBooks Online integration"). So a batch is written down before it leaves - its
requestid, its items exactly as sent (bIds included), whether it went as one batch request or
as single requests, and the Salesforce record each item wrote for. While any of those records is
still in flight at a later cycle (the answer was lost, or the worker stopped before keeping
it), the batch is sent again as it was, and its answer - the first one, when Intuit had done
it - names the record each add created.

Intuit documents no time after which it forgets a requestid. Sending the batch again is never
worse than the alternative (look the records up, then add what is not found): a forgotten
requestid adds a transaction twice either way, a remembered one never does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sfqb.connectors.qbo.api import BatchItem, BatchOperation


@dataclass(frozen=True, slots=True)
class UnansweredBatch:
    """One batch request as sent: `records` maps each bId to the Salesforce record ("Id") it
    wrote for; `singly` says it went as single requests (each `requestid-bId`)."""

    request_id: str
    items: tuple[BatchItem, ...]
    records: Mapping[str, str]
    sent_at: datetime
    singly: bool = False
    sf_ids: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sf_ids", frozenset(self.records.values()))

    def to_json(self) -> dict[str, Any]:
        """The batch as stored."""
        return {
            "request_id": self.request_id,
            "singly": self.singly,
            "records": dict(self.records),
            "sent_at": self.sent_at.isoformat(),
            "items": [
                {
                    "bid": i.bid,
                    "entity": i.entity,
                    "operation": i.operation.value if i.operation else None,
                    "body": dict(i.body),
                }
                for i in self.items
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> UnansweredBatch:
        """The batch as `to_json` stored it."""
        items = tuple(
            BatchItem(
                bid=str(i["bid"]),
                entity=str(i["entity"]),
                operation=BatchOperation(i["operation"]) if i.get("operation") else None,
                body=dict(i["body"]),
            )
            for i in data["items"]
        )
        return cls(
            request_id=str(data["request_id"]),
            items=items,
            records={str(k): str(v) for k, v in data["records"].items()},
            sent_at=datetime.fromisoformat(str(data["sent_at"])),
            singly=bool(data.get("singly", False)),
        )


class BatchJournal(Protocol):
    """Where one company's batches are written down before they leave.

    A journal in the store keeps a batch while any of its records is in flight in the queue
    (an answer received is kept only once the cycle has written it down: a worker stopped in
    between must still find the batch); one in memory forgets it once answered.
    """

    def keep(self, batch: UnansweredBatch) -> None:
        """Write the batch down before it is sent."""
        ...

    def answered(self, request_id: str) -> None:
        """QuickBooks Online answered the batch (and the driver handed the answer on)."""
        ...

    def unanswered(self) -> Sequence[UnansweredBatch]:
        """The batches whose answer may not have been kept, oldest first."""
        ...


class MemoryJournal:
    """A journal in memory, for one process (tests and the in-process harness)."""

    def __init__(self) -> None:
        self._batches: dict[str, UnansweredBatch] = {}

    def keep(self, batch: UnansweredBatch) -> None:
        """Write the batch down before it is sent."""
        self._batches[batch.request_id] = batch

    def answered(self, request_id: str) -> None:
        """Forget the batch: its answer reached the engine in this process."""
        self._batches.pop(request_id, None)

    def unanswered(self) -> list[UnansweredBatch]:
        """The batches still unanswered, oldest first."""
        return sorted(self._batches.values(), key=lambda b: b.sent_at)
