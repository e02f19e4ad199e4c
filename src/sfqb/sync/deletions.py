"""Reads of QuickBooks' deletions, in DeletedDateRangeFilter windows, newest first.

ListDeletedQuery and TxnDeletedQuery take no iterator (qbxmlops120.xsd: their Rq types carry no
iterator attributes), so an unbounded read answers with every deletion QuickBooks keeps, at
once. sfqb looks for one record's deletion between when it last knew the record (its binding's
sync time) and now, one window at a time from the newest, and stops at the window that names
it. QuickBooks keeps deleted list objects for 90 days (the ListDeletedQuery descriptions of
QuickBooks Desktop API services, e.g. Conductor's "deleted list-objects ... from the last 90
days"), so no read reaches further back than that.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sfqb.domain.entities import SfRef
from sfqb.sync.inbound import WALL_CLOCK_SPREAD
from sfqb.sync.ops import QbAction, QbOp, QbResult

if TYPE_CHECKING:
    from sfqb.sync.cycle import Cycle

Then = Callable[[QbOp, QbResult], None]

DELETED_WINDOW = timedelta(days=7)
DELETIONS_KEPT = timedelta(days=90)


def windows(
    known: datetime, now: datetime, width: timedelta = DELETED_WINDOW
) -> list[tuple[datetime, datetime | None]]:
    """From..to windows covering `known` to now in QuickBooks' wall clock, newest first.

    Both are sfqb's instants: the lowest bound is `known` as the earliest wall clock it can be
    anywhere (UTC-12), and the newest window is left open, so no offset is needed. Adjacent
    windows share their bound: a deletion on it is read twice at most, never missed.
    """
    low = max(
        known.replace(tzinfo=None) - WALL_CLOCK_SPREAD, now.replace(tzinfo=None) - DELETIONS_KEPT
    )
    high = now.replace(tzinfo=None) - width
    out: list[tuple[datetime, datetime | None]] = [(max(low, high), None)]
    while high > low:
        out.append((max(low, high - width), high))
        high -= width
    return out


def find_deletion(cycle: Cycle, qb_type: str, qb_id: str, sf: SfRef, then: Then) -> None:
    """Ask for the deletion of `qb_id` window by window; `then` gets the answer that names it,
    a failed answer, or the oldest window's (not found)."""
    binding = cycle.bindings.by_sf(cycle.company, sf)
    now = cycle.clock()
    spans = windows(binding.synced_at if binding is not None else now - DELETIONS_KEPT, now)

    def ask(index: int) -> None:
        since, until = spans[index]
        op = QbOp("", QbAction.READ_DELETED, qb_type, sf=sf, ids=(qb_id,), since=since, until=until)
        cycle.ask(op, lambda o, result: answered(index, o, result))

    def answered(index: int, op: QbOp, result: QbResult) -> None:
        found = any(r.id.upper() == qb_id.upper() for r in result.records)
        if found or not result.ok or index + 1 == len(spans):
            then(op, result)
        else:
            ask(index + 1)

    ask(0)
