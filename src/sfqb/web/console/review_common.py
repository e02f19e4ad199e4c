"""What the review pages and the review API share: the service, the people an item may be
assigned to, the errors a person's request can meet, and the actions that change QuickBooks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sfqb.connectors.salesforce import SalesforceError
from sfqb.domain.bindings import BindingConflict, BindingError
from sfqb.domain.entities import InvalidRef, SfRef
from sfqb.domain.policy import CompanyPolicy
from sfqb.jobs.alerts import AlertCenter, AlertChannels
from sfqb.jobs.gateway import SalesforceSource
from sfqb.jobs.review import RenameRefused, ReviewError
from sfqb.mapping import Mapper, load_flows
from sfqb.services.review import HeldRecord, ItemNotFound, ReviewService
from sfqb.services.targets import profile_of
from sfqb.store import ReviewStatus, StoreError
from sfqb.web.console import Console

# Actions that write to QuickBooks at the next cycle: they ask for a confirmation first. Bind
# changes only sfqb's binding and the binding field; retry, ignore, assign and a corrected value
# change nothing at once.
CONFIRMED = frozenset({"rename", "recreate"})
ACTIONS = ("bind", "rename", "recreate", "retry", "ignore", "assign", "correct")
# A person's mistake or a refusal, shown on the page (400) or as the API's detail.
MISTAKES: tuple[type[Exception], ...] = (
    ReviewError, BindingError, InvalidRef, StoreError, RenameRefused, SalesforceError,
)  # fmt: skip


def _no_salesforce(company: str) -> SalesforceSource:
    raise ReviewError(f"company {company!r} has no Salesforce connection this console can use")


def review_of(console: Console) -> ReviewService:
    """The console's review service; without one (a console built by hand), one over its
    store with the default policy and maps, no e-mail and no Salesforce connection."""
    if console.review is not None:
        return console.review
    policy = CompanyPolicy()
    return ReviewService(
        console.store, console.catalog, AlertCenter(console.store, AlertChannels(), console.clock),
        lambda _company: policy, lambda _company: Mapper(load_flows(), policy), _no_salesforce,
        clock=console.clock, profile_of=profile_of(console.store),
    )  # fmt: skip


def assignees(console: Console, company: str) -> list[str]:
    """The users an item of `company` may be assigned to: those who see it and may act."""
    return review_of(console).assignees(company)


def status_of(exc: Exception) -> int:
    """The HTTP status of a refused action: 404 unknown item, 409 a conflict, 502 Salesforce
    could not be reached, else 400."""
    if isinstance(exc, ItemNotFound):
        return 404
    if isinstance(exc, SalesforceError):
        return 502
    if isinstance(exc, BindingConflict):
        return 409
    return 400


def stamp(at: datetime | None) -> str:
    """A time as the pages show it."""
    return "" if at is None else f"{at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def record_actions_context(
    console: Console, company: str, sf: SfRef, next_url: str
) -> dict[str, Any]:
    """What `record_actions.html` needs for one record's page: its open review item's view
    (None when none is open), the record held for a refused value (None otherwise), the
    assignees, and `next_url` (where each action returns: the record's page)."""
    service = review_of(console)
    view = next(
        (
            service.detail(company, item.id)
            for item in console.store.review.of_record(company, sf.sobject.value, sf.id)
            if item.status is ReviewStatus.OPEN
        ),
        None,
    )
    try:
        held: HeldRecord | None = service.held_record(company, sf)
    except ItemNotFound:
        held = None
    return {
        "company": company, "view": view, "held": held,
        "assignees": assignees(console, company), "next": next_url,
    }  # fmt: skip
