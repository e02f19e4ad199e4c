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

from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from datetime import datetime

from sfqb.codes import Catalog
from sfqb.domain.entities import SfRef
from sfqb.domain.people import Role
from sfqb.domain.policy import CompanyPolicy
from sfqb.domain.status import Category, DecodedStatus
from sfqb.jobs.alerts import AlertCenter, AlertKind
from sfqb.jobs.bindings import Resolution
from sfqb.jobs.bindings import sf_of as _sf_of
from sfqb.jobs.gateway import SalesforceSource
from sfqb.jobs.queue_desk import QueueDesk, record_name
from sfqb.jobs.review import ReviewDesk, ReviewEntry, ReviewError
from sfqb.mapping import Mapper
from sfqb.services.people import list_users
from sfqb.services.review_views import (
    Done,
    HeldRecord,
    ItemNotFound,
    ReviewTab,
    ReviewView,
    closed_by,
    outcome,
)
from sfqb.store import (
    Delivery,
    QueueItem,
    QueueStatus,
    ReviewAction,
    ReviewItem,
    ReviewStatus,
    Store,
)
from sfqb.sync.records import flow_of
from sfqb.sync.target import TargetProfile

__all__ = [
    "DATA_CATEGORIES", "Done", "HeldRecord", "ItemNotFound", "ReviewService", "ReviewTab",
    "ReviewView",
]  # fmt: skip

# Failures on the record's own data: a person may correct the value sfqb sends.
DATA_CATEGORIES = frozenset({Category.VALIDATION})


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
        profile_of: Callable[[str], TargetProfile],
    ) -> None:
        self._store, self._catalog, self._alerts = store, catalog, alerts
        self._policy, self._mapper, self._salesforce = policy, mapper, salesforce
        self._clock = clock
        self.desk = ReviewDesk(
            store, catalog, alerts, clock=clock, profile_of=profile_of,
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
            self._outcome(item.company, sf, history, item), closed_by(entry),
        )  # fmt: skip

    def _correctable(self, entry: ReviewEntry) -> tuple[str, ...]:
        item = entry.item
        sf = _sf_of(item)
        if sf is None or item.status is not ReviewStatus.OPEN:
            return ()
        return self._fields_if_data(item.company, item.flow, entry.status)

    def _fields_if_data(
        self, company: str, flow: str, status: DecodedStatus | None
    ) -> tuple[str, ...]:
        """The fields a person may correct after a failure on the record's data, else ()."""
        if status is None or status.category not in DATA_CATEGORIES:
            return ()
        try:
            return self._mapper(company).targets(flow)
        except KeyError:
            return ()

    def _outcome(
        self,
        company: str,
        sf: SfRef | None,
        history: Sequence[ReviewAction],
        item: ReviewItem | None,
    ) -> str | None:
        attempts = self._store.journal.log(company, record=sf, limit=50) if sf else []
        return outcome(history, attempts, item)

    # -- records held for a value QuickBooks refused ------------------------------------------

    def held(self, company: str) -> list[HeldRecord]:
        """The company's records QuickBooks refused on their data (not on the review list:
        they wait, failed, until a person corrects a value or the record changes)."""
        found = []
        for row in self._store.queue.open_items(company):
            if row.status is QueueStatus.FAILED and isinstance(row.source, SfRef):
                held = self._held(row)
                if held.correctable:
                    found.append(held)
        return found

    def held_record(self, company: str, sf: SfRef) -> HeldRecord:
        """One record of the company as the correction form shows it; ItemNotFound if sfqb
        never read it."""
        row = self._store.queue.get(company, flow_of(sf), sf)
        if row is None:
            raise ItemNotFound(f"sfqb has not read Salesforce {sf} in company {company!r}")
        return self._held(row)

    def _held(self, row: QueueItem) -> HeldRecord:
        sf = row.source
        assert isinstance(sf, SfRef)
        status = None
        if row.last_system is not None and row.last_code is not None:
            status = self._catalog.decode(row.last_system, row.last_code, row.last_error or "")
        history = tuple(self._store.review_actions.of_record(row.company, *_key(sf)))
        open_items = [
            i
            for i in self._store.review.of_record(row.company, sf.sobject.value, sf.id)
            if i.status is ReviewStatus.OPEN
        ]
        fields = self._fields_if_data(row.company, row.flow, status)
        if row.status not in (QueueStatus.FAILED, QueueStatus.REVIEW) and not open_items:
            fields = ()
        return HeldRecord(
            row, status, record_name(row), fields,
            tuple(self._store.overrides.of_record(row.company, row.flow, sf)), history,
            self._outcome(row.company, sf, history, None),
        )  # fmt: skip

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
        sf = _sf_of(item)
        assert sf is not None
        done = self._retry(company, sf, by, "", item.id)
        return Done(self._view(self._item(company, item_id)), done)

    def retry_record(self, company: str, sf: SfRef, by: str) -> str:
        """`retry` for a record held without a review item; what it did, in words."""
        held = self.held_record(company, sf)
        return self._retry(company, sf, by, "", self._open_item_of(held))

    def correct(self, company: str, item_id: int, field: str, value: str, by: str) -> Done:
        """Send `value` for `field` of the item's record from now on, then retry it."""
        item = self._record(company, item_id, "correct")
        sf = _sf_of(item)
        assert sf is not None
        view = self._view(item)
        if not view.correctable:
            raise ReviewError(
                f"review item {item_id} did not fail on the record's data "
                f"({item.system} {item.code}): there is no value to correct"
            )
        done = self._correct(company, item.flow, sf, view.correctable, field, value, by, item.id)
        return Done(self._view(self._item(company, item_id)), done)

    def correct_record(self, company: str, sf: SfRef, field: str, value: str, by: str) -> str:
        """Send `value` for `field` of this record (this record only) from now on, then retry.

        Only for a record that failed on its data; `field` is one the flow writes. Neither
        Salesforce nor QuickBooks is edited: sfqb sends the value in its next write.
        """
        held = self.held_record(company, sf)
        if not held.correctable:
            raise ReviewError(
                f"Salesforce {sf} did not fail on its data: there is no value to correct"
            )
        return self._correct(
            company, held.row.flow, sf, held.correctable, field, value, by,
            self._open_item_of(held),
        )  # fmt: skip

    def _correct(  # noqa: PLR0917 - the correction's parts
        self,
        company: str,
        flow: str,
        sf: SfRef,
        fields: tuple[str, ...],
        field: str,
        value: str,
        by: str,
        item_id: int | None,
    ) -> str:
        field, value, who = field.strip(), value.strip(), _who(by)
        if field not in fields:
            raise ReviewError(
                f"{field!r} is not a field sfqb writes for this record; one of: "
                + ", ".join(fields)
            )
        if not value:
            raise ReviewError(f"the value for {field} is empty")
        self._store.overrides.set(company, flow, sf, field, value, who, now=self._clock())
        return self._retry(company, sf, by, f'{field} set to "{value}" for this record; ', item_id)

    def assignees(self, company: str) -> list[str]:
        """The console users an item of `company` may be assigned to: enabled, operators or
        admins, who see the company."""
        return [
            u.name
            for u in list_users(self._store)
            if not u.disabled
            and u.role.rank >= Role.OPERATOR.rank
            and (u.companies is None or company in u.companies)
        ]

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
        """Assign the item to `person`, one of `people` (by default `assignees`: any name while
        the store has no console users); with `email`, tell them by e-mail through the alerts'
        SMTP channel."""
        item = self._open(company, item_id)
        person = person.strip()
        if not person:
            raise ReviewError("name the person to assign the item to")
        people = self.assignees(company) if people is None else people
        if people and person not in people:
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
        self._note(item, "assign", by, done)
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

    def _open_item_of(self, held: HeldRecord) -> int | None:
        items = self._store.review.of_record(held.row.company, held.sf.sobject.value, held.sf.id)
        return next((i.id for i in items if i.status is ReviewStatus.OPEN), None)

    def _retry(self, company: str, sf: SfRef, by: str, said: str, item_id: int | None) -> str:
        flow = flow_of(sf)
        row = self._store.queue.get(company, flow, sf)
        if row is None:
            raise ReviewError(f"Salesforce {sf} was never read by sfqb: nothing to retry")
        retried = QueueDesk(self._store, clock=self._clock).retry([company], [str(row.id)])
        if retried.made_due:
            done = f"{said}the next cycle tries Salesforce {sf} again"
        else:
            why = retried.left[0][1] if retried.left else "already due"
            done = f"{said}Salesforce {sf} is {why}: the next cycle takes it"
        self._store.review_actions.record(
            item_id, company, flow, (sf.sobject.value, sf.id), "correct" if said else "retry",
            _who(by), done, now=self._clock(),
        )  # fmt: skip
        return done

    def _done(self, action: str, resolution: Resolution, by: str) -> Done:
        item = resolution.item
        self._note(item, action, by, resolution.done)
        return Done(self._view(self._item(item.company, item.id)), resolution.done)

    def _note(self, item: ReviewItem, action: str, by: str, done: str) -> None:
        self._store.review_actions.record(
            item.id, item.company, item.flow, (item.source_type, item.source_id), action,
            _who(by), done, now=self._clock(),
        )  # fmt: skip

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


def _key(sf: SfRef) -> tuple[str, str]:
    return sf.sobject.value, sf.id
