"""The sync queue as a person works it: what waits, and making chosen records due again.

A person names a record the way they know it: its Salesforce Id (15 or 18 characters), its
name as read from Salesforce, or the queue row's number that `sfqb queue` shows. Retrying makes
failed, waiting and held rows due now and says which; a row already due or in flight is
reported as such, not counted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sfqb.mapping import fold_name
from sfqb.store import QueueItem, QueueStatus, Store

RETRYABLE = (QueueStatus.FAILED, QueueStatus.WAITING, QueueStatus.REVIEW)


class UnknownRecord(ValueError):
    """A record a person named that no open queue row is about; the text is one line."""


def record_name(row: QueueItem) -> str | None:
    """The record's name as last read (None when it has none, e.g. an Opportunity's line)."""
    value = row.payload.get("Name")
    return value if isinstance(value, str) and value else None


def _matches(row: QueueItem, selector: str) -> bool:
    text = selector.strip()
    if text.isdigit() and int(text) == row.id:
        return True
    source_id = row.source.id
    if text == source_id or (len(text) == 15 and source_id.startswith(text)):
        return True  # a 15-character Id is the 18-character one without its checksum
    name = record_name(row)
    return name is not None and fold_name(name) == fold_name(text)


@dataclass(frozen=True, slots=True)
class Retried:
    """What a retry made due, and the named rows it left as they were (with why)."""

    made_due: list[QueueItem] = field(default_factory=list)
    left: list[tuple[QueueItem, str]] = field(default_factory=list)


class QueueDesk:
    """Lists the open queue and retries rows by record; every collaborator is passed in."""

    def __init__(self, store: Store, *, clock: Callable[[], datetime]) -> None:
        self._store, self._clock = store, clock

    def open_rows(self, companies: Iterable[str]) -> list[QueueItem]:
        """The rows not yet done, of these companies, in queue order."""
        return [row for name in companies for row in self._store.queue.open_items(name)]

    def find(self, companies: Iterable[str], selector: str) -> list[QueueItem]:
        """The open rows a person's selector names; UnknownRecord when none."""
        found = [row for row in self.open_rows(companies) if _matches(row, selector)]
        if not found:
            raise UnknownRecord(
                f"no open queue row is about {selector!r} (a Salesforce Id, a record's name or "
                "a row number)"
            )
        return found

    def retry(self, companies: Sequence[str], selectors: Sequence[str] = ()) -> Retried:
        """Make the named rows (all failed, waiting and held rows when none are named) due now."""
        if selectors:
            chosen = {row.id: row for s in selectors for row in self.find(companies, s)}
            rows = list(chosen.values())
        else:
            rows = [r for r in self.open_rows(companies) if r.status in RETRYABLE]
        result = Retried()
        now = self._clock()
        for row in rows:
            if row.status not in RETRYABLE:
                why = "in flight" if row.status is QueueStatus.INFLIGHT else "already due"
                result.left.append((row, why))
                continue
            self._store.queue.retry(row.company, now, [row.id])
            again = self._store.queue.item(row.id)
            result.made_due.append(again or row)
        return result
