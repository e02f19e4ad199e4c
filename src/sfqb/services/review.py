"""The review list's actions as the CLI and the console both call them, each recorded with who
and when: bind, create under another name (rename), re-create, retry now, ignore, assign and
correct a value sfqb sends for one record.

`ReviewDesk` settles items; this module adds what a person's console needs around it: the
item's history of actions, who resolved it (a person, or sfqb when the record went through),
the outcome of the last action after the next cycle, assignment (with an e-mail to the
assignee through the alerts' SMTP channel when an address is given), and per-record value
corrections that the mapping applies to that record only.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from sfqb.codes import Catalog
from sfqb.domain.entities import SfRef
from sfqb.domain.policy import CompanyPolicy
from sfqb.domain.status import Category
from sfqb.jobs.alerts import AlertCenter, AlertKind
from sfqb.jobs.bindings import Resolution
from sfqb.jobs.bindings import sf_of as _sf_of
from sfqb.jobs.gateway import SalesforceSource
from sfqb.jobs.queue_desk import QueueDesk
from sfqb.jobs.review import ReviewDesk, ReviewEntry, ReviewError
from sfqb.mapping import Mapper
from sfqb.store import (
    SFQB,
    Delivery,
    RecordOverride,
    ReviewAction,
    ReviewItem,
    ReviewStatus,
    Store,
)

# Failures on the record's own data: a person may correct the value sfqb sends.
DATA_CATEGORIES = frozenset({Category.VALIDATION})
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
        if _sf_of(self.item) is not None and not self.entry.is_company:
            found.insert(len(found) - 1, "retry")
            if self.correctable:
                found.insert(len(found) - 1, "correct")
        return (*found, "assign")


@dataclass(frozen=True, slots=True)
class Done:
    """What an action did, in words, and the item after it."""

    view: ReviewView
    done: str


class ReviewService:
    """The review list's actions; every collaborator is passed in by the composition root."""

    def __init__(  # noqa: PLR0917 - the collaborators
        self,
        store: Store,
        catalog: Catalog,
        alerts: AlertCenter,
        policy: Callable[[str], CompanyPolicy],
        mapper: Callable[[str], Mapper],
        salesforce: Callable[[str], SalesforceSource],
        *,
        clock: Callable[[], datetime],
    ) -> None:
        self._store, self._catalog, self._alerts = store, catalog, alerts
        self._policy, self._mapper, self._salesforce = policy, mapper, salesforce
        self._clock = clock
        self.desk = ReviewDesk(
            store, catalog, alerts, clock=clock,
            match_rule=lambda company: policy(company).match_rule,
        )  # fmt: skip

    # -- reading ---------------------------------------------------------------------------

    def listing(self, company: str, tab: ReviewTab = ReviewTab.OPEN) -> list[ReviewView]:
        """The company's open items (oldest first), or its closed ones (newest first)."""
        if tab is ReviewTab.OPEN:
            items = self._store.review.items(company, ReviewStatus.OPEN, limit=500)
            return [self._view(i) for i in items]
        closed = [
            i
            for status in (ReviewStatus.RESOLVED, ReviewStatus.IGNORED)
            for i in self._store.review.items(company, status, limit=500)
        ]
        closed.sort(key=lambda i: (i.resolved_at or i.created_at, i.id), reverse=True)
        return [self._view(i) for i in closed]

    def detail(self, company: str, item_id: int) -> ReviewView:
        """One item of the company, any status; ItemNotFound otherwise."""
        return self._view(self._item(company, item_id))

    def _item(self, company: str, item_id: int) -> ReviewItem:
        item = self._store.review.get(item_id)
        if item is None or item.company != company:
            raise ItemNotFound(f"no review item {item_id} in company {company!r}")
        return item

    def _view(self, item: ReviewItem) -> ReviewView:
        entry = self.desk.entry(item)
        history = tuple(self._store.review_actions.of_item(item.id))
        sf = _sf_of(item)
        overrides = (
            tuple(self._store.overrides.of_record(item.company, item.flow, sf)) if sf else ()
        )
        return ReviewView(
            entry, history, overrides, self._correctable(entry),
            self._outcome(item, history), _closed_by(entry),
        )  # fmt: skip

    def _correctable(self, entry: ReviewEntry) -> tuple[str, ...]:
        item = entry.item
        if entry.status is None or entry.status.category not in DATA_CATEGORIES:
            return ()
        if _sf_of(item) is None or item.status is not ReviewStatus.OPEN:
            return ()
        try:
            return self._mapper(item.company).targets(item.flow)
        except KeyError:
            return ()

    def _outcome(self, item: ReviewItem, history: tuple[ReviewAction, ...]) -> str | None:
        """What the next cycle made of the last action (or of the record, closed by sfqb)."""
        last = next((a for a in reversed(history) if a.action in _EFFECTIVE), None)
        sf = _sf_of(item)
        if last is None:
            if item.resolved_by == SFQB and item.resolved_at is not None:
                return f"the record went through at {when(item.resolved_at)}"
            return None
        done = _DONE_WORDS.get(last.action, last.action)
        after = []
        if sf is not None:
            attempts = self._store.journal.log(item.company, record=sf, limit=50)
            after = [a for a in attempts if a.created_at >= last.at]
        if not after:
            if item.resolved_by == SFQB and item.resolved_at is not None:
                return f"{done}; the record went through at {when(item.resolved_at)}"
            return f"{done}; waits for the next cycle"
        newest = after[0]
        if newest.failed:
            return (
                f"{done}; failed again at {when(newest.created_at)}: {newest.system} "
                f"{newest.code} {newest.title}"
            )
        return f"{done}; the record went through at {when(newest.created_at)}"

    # -- acting ----------------------------------------------------------------------------

    def bind(self, company: str, item_id: int, qb_id: str, by: str) -> Done:
        """Bind the record to QuickBooks record `qb_id` (a candidate, or one checked next
        cycle); changes only sfqb's binding and the binding field."""
        self._open(company, item_id)
        return self._done("bind", self.desk.bind(item_id, qb_id, company, by=_who(by)), by)

    def rename(self, company: str, item_id: int, new_name: str, by: str) -> Done:
        """Rename the record in Salesforce and add it to QuickBooks under the new name."""
        item = self._open(company, item_id)
        if not new_name.strip():
            raise ReviewError("the new name is empty")
        done = self.desk.recreate(
            item_id, company, rename_to=new_name, salesforce=self._salesforce(item.company),
            by=_who(by),
        )  # fmt: skip
        return self._done("rename", done, by)

    def recreate(self, company: str, item_id: int, by: str, *, anyway: bool = False) -> Done:
        """Clear the record's binding; the next cycle adds it to QuickBooks afresh."""
        self._open(company, item_id)
        done = self.desk.recreate(item_id, company, anyway=anyway, by=_who(by))
        return self._done("recreate", done, by)

    def ignore(self, company: str, item_id: int, by: str) -> Done:
        """Close the item as ignored."""
        self._open(company, item_id)
        return self._done("ignore", self.desk.ignore(item_id, company, by=_who(by)), by)

    def retry(self, company: str, item_id: int, by: str) -> Done:
        """Make the record due for the next cycle, as `sfqb retry` does; the item stays open
        until the record goes through (sfqb then resolves it) or fails again."""
        item = self._record(company, item_id, "retry")
        return self._record_retry(item, by, "")

    def correct(self, company: str, item_id: int, field: str, value: str, by: str) -> Done:
        """Send `value` for `field` of this record from now on (this record only), then retry.

        Only for an item that failed on the record's data; `field` is one the flow writes.
        Neither Salesforce nor QuickBooks is edited: sfqb sends the value in its next write.
        """
        item = self._record(company, item_id, "correct")
        view = self._view(item)
        if not view.correctable:
            raise ReviewError(
                f"review item {item_id} did not fail on the record's data "
                f"({item.system} {item.code}): there is no value to correct"
            )
        field, value = field.strip(), value.strip()
        if field not in view.correctable:
            raise ReviewError(
                f"{field!r} is not a field sfqb writes for this record; one of: "
                + ", ".join(view.correctable)
            )
        if not value:
            raise ReviewError(f"the value for {field} is empty")
        sf = _sf_of(item)
        assert sf is not None
        self._store.overrides.set(item.company, item.flow, sf, field, value, _who(by))
        return self._record_retry(item, by, f'{field} set to "{value}" for this record; ')

    def assign(
        self,
        company: str,
        item_id: int,
        person: str,
        by: str,
        *,
        email: str | None = None,
        people: Collection[str] | None = None,
    ) -> Done:
        """Assign the item to `person` (one of `people`, the users who see the company, when
        given); with `email`, tell them by e-mail through the alerts' SMTP channel."""
        item = self._open(company, item_id)
        person = person.strip()
        if not person:
            raise ReviewError("name the person to assign the item to")
        if people is not None and person not in people:
            raise ReviewError(f"{person!r} is not a user who sees company {company!r}")
        address = (email or "").strip() or None
        if address is not None and ("@" not in address or any(c.isspace() for c in address)):
            raise ReviewError(f"{address!r} is not an e-mail address")
        self._store.review.assign(item.id, person)
        done = f"assigned to {person}"
        if address is not None:
            done += "; " + self._tell(item, person, address, _who(by))
        elif item.assigned_to is not None and item.assigned_to != person:
            self._alerts.resolve(
                company, AlertKind.REVIEW_ASSIGNED, f"review:{item.id}:{item.assigned_to}"
            )
        self._store.review_actions.record(item.id, company, "assign", _who(by), done)
        return Done(self._view(self._item(company, item_id)), done)

    # -- helpers ---------------------------------------------------------------------------

    def _open(self, company: str, item_id: int) -> ReviewItem:
        item = self._item(company, item_id)
        return self.desk.open_item(item.id, company)

    def _record(self, company: str, item_id: int, what: str) -> ReviewItem:
        item = self._open(company, item_id)
        if _sf_of(item) is None or self.desk.entry(item).is_company:
            raise ReviewError(
                f"review item {item_id} is not about a Salesforce record: {what} does not apply"
            )
        return item

    def _record_retry(self, item: ReviewItem, by: str, said: str) -> Done:
        sf = _sf_of(item)
        assert sf is not None
        row = self._store.queue.get(item.company, item.flow, sf)
        if row is None:
            raise ReviewError(f"Salesforce {sf} was never read by sfqb: nothing to retry")
        retried = QueueDesk(self._store, clock=self._clock).retry([item.company], [str(row.id)])
        if retried.made_due:
            done = f"{said}the next cycle tries Salesforce {sf} again"
        else:
            why = retried.left[0][1] if retried.left else "already due"
            done = f"{said}Salesforce {sf} is {why}: the next cycle takes it"
        action = "correct" if said else "retry"
        self._store.review_actions.record(item.id, item.company, action, _who(by), done)
        return Done(self._view(self._item(item.company, item.id)), done)

    def _done(self, action: str, resolution: Resolution, by: str) -> Done:
        item = resolution.item
        self._store.review_actions.record(item.id, item.company, action, _who(by), resolution.done)
        return Done(self._view(self._item(item.company, item.id)), resolution.done)

    def _tell(self, item: ReviewItem, person: str, address: str, by: str) -> str:
        settings = replace(self._policy(item.company).alerts, email_to=(address,), webhook_url="")
        what = f"{item.source_type} {item.source_id}"
        body = (
            f"{by} assigned you review item {item.id} of {item.company}: {what} in flow "
            f"{item.flow}.\n\n{item.reason}\n\nSee the review list of {item.company} "
            f"(or `sfqb review --company {item.company}`)."
        )
        alert = self._alerts.review_assigned(
            item.company, item.id, person,
            f"[sfqb] {item.company}: {what} assigned to you", body, settings,
            previous=item.assigned_to if item.assigned_to != person else None,
        )  # fmt: skip
        if alert is None:
            return f"{person} was already told by e-mail"
        if alert.delivery is Delivery.FAILED:
            return f"the e-mail to {address} was not sent ({alert.error})"
        return f"told {person} by e-mail at {address}"


def _who(by: str) -> str:
    """The person's name as recorded (a name is required of every action)."""
    name = by.strip()
    if not name:
        raise ReviewError("an action needs the name of the person taking it")
    return name


def _closed_by(entry: ReviewEntry) -> str | None:
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


def record_of(item: ReviewItem) -> SfRef | None:
    """The Salesforce record of a record item (None for company messages and QuickBooks')."""
    return _sf_of(item)
