"""What the review list shows of an item or a held record: the views the CLI and the console
read, built by `sfqb.services.review.ReviewService`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sfqb.domain.entities import SfRef
from sfqb.domain.status import DecodedStatus
from sfqb.jobs.bindings import sf_of
from sfqb.jobs.review import ReviewEntry, ReviewError
from sfqb.store import (
    SFQB,
    Attempt,
    QueueItem,
    RecordOverride,
    ReviewAction,
    ReviewItem,
    ReviewStatus,
)

# The actions whose effect the next cycle shows (an assignment changes nothing in either system).
_EFFECTIVE = ("bind", "rename", "recreate", "retry", "correct")
_DONE_WORDS = {
    "bind": "bound",
    "rename": "created under another name",
    "recreate": "re-created",
    "retry": "retried",
    "correct": "value corrected",
    "ignore": "ignored",
}


class ReviewTab(StrEnum):
    """The two lists: items waiting for a person, and items closed (resolved or ignored)."""

    OPEN = "open"
    RESOLVED = "resolved"


class ItemNotFound(ReviewError):
    """No item of that number in the company (another company's item is not found either)."""


def when(at: datetime) -> str:
    """A time as the review list shows it."""
    return f"{at:%Y-%m-%d %H:%M} UTC"


@dataclass(frozen=True, slots=True)
class ReviewView:
    """An item as a person reads it: the entry, its history, who resolved it, the outcome."""

    entry: ReviewEntry
    history: tuple[ReviewAction, ...]
    overrides: tuple[RecordOverride, ...]
    correctable: tuple[str, ...]  # the fields a person may correct; () when not a data failure
    outcome: str | None
    closed_by: str | None  # who or what resolved it, in words

    @property
    def item(self) -> ReviewItem:
        """The stored item."""
        return self.entry.item

    @property
    def actions(self) -> tuple[str, ...]:
        """Everything a person can do with it now."""
        if self.item.status is not ReviewStatus.OPEN:
            return ()
        found = list(self.entry.actions)
        if sf_of(self.item) is not None and not self.entry.is_company:
            found.insert(len(found) - 1, "retry")
            if self.correctable:
                found.insert(len(found) - 1, "correct")
        return (*found, "assign")


@dataclass(frozen=True, slots=True)
class HeldRecord:
    """A record QuickBooks refused on its data: its queue row (failed, waiting for a person),
    the decoded refusal, the fields a person may correct, and what was done about it."""

    row: QueueItem
    status: DecodedStatus | None
    name: str | None
    correctable: tuple[str, ...]
    overrides: tuple[RecordOverride, ...]
    history: tuple[ReviewAction, ...]
    outcome: str | None

    @property
    def sf(self) -> SfRef:
        """The Salesforce record."""
        assert isinstance(self.row.source, SfRef)
        return self.row.source


@dataclass(frozen=True, slots=True)
class Done:
    """What an action did, in words, and the item after it."""

    view: ReviewView
    done: str


def closed_by(entry: ReviewEntry) -> str | None:
    """Who or what closed the item, in words; None while it is open."""
    item = entry.item
    if item.status is ReviewStatus.OPEN:
        return None
    if entry.resolved_by:  # a Salesforce user's edit, read back from the log
        return entry.resolved_by
    if item.resolved_by == SFQB:
        return "sfqb: the record went through"
    if item.resolved_by:
        return item.resolved_by
    return "not recorded (closed before sfqb kept names)"


def outcome(
    history: Sequence[ReviewAction], attempts: Sequence[Attempt], item: ReviewItem | None
) -> str | None:
    """What the next cycle made of the last action that changes something (the record's
    attempts newest first), or that sfqb closed the item when the record went through."""
    last = next((a for a in reversed(history) if a.action in _EFFECTIVE), None)
    through = (
        item.resolved_at
        if item is not None and item.resolved_by == SFQB and item.resolved_at is not None
        else None
    )
    if last is None:
        return f"the record went through at {when(through)}" if through else None
    done = _DONE_WORDS.get(last.action, last.action)
    after = [a for a in attempts if a.created_at >= last.at]
    if not after:
        if through is not None:
            return f"{done}; the record went through at {when(through)}"
        return f"{done}; waits for the next cycle"
    newest = after[0]
    if newest.failed:
        return (
            f"{done}; failed again at {when(newest.created_at)}: {newest.system} "
            f"{newest.code} {newest.title}"
        )
    return f"{done}; the record went through at {when(newest.created_at)}"
