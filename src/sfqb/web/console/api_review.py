"""The review list in the JSON API: `GET /api/v1/companies/{company}/review?status=open|resolved`,
`GET .../review/{item_id}` and `POST .../review/{item_id}/{action}` for bind, rename, recreate,
retry, ignore, assign and correct; `GET .../review/held` and `POST .../review/records/{sf_id}/
retry|correct` for records QuickBooks refused on their data. The same roles, company
grants and service functions as the pages. A refused action answers {"detail": ...} with 400,
404 or 409 (502: Salesforce)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from sfqb.domain.entities import SfRef
from sfqb.domain.people import Person
from sfqb.domain.sfid import sobject_of
from sfqb.services.review import (
    Done,
    HeldRecord,
    ItemNotFound,
    ReviewService,
    ReviewTab,
    ReviewView,
)
from sfqb.web.console import Console
from sfqb.web.console.auth import (
    API_ERRORS,
    API_PREFIX,
    ErrorBody,
    NotFound,
    api_operator,
    api_viewer,
    console_of,
)
from sfqb.web.console.auth import company_or_404 as _company
from sfqb.web.console.review_common import MISTAKES, review_of, status_of


class FieldOut(BaseModel):
    """One field on both sides, marked in words: same, differs, or which side lacks it."""

    field: str
    salesforce: str | None
    quickbooks: str | None
    match: str


class CandidateOut(BaseModel):
    """A QuickBooks record of the same name beside the Salesforce record."""

    qb_id: str
    type: str
    bound_to: str | None
    verdict: str
    fields: list[FieldOut]


class ActionOut(BaseModel):
    """One action taken on the item: what, by whom, when, what it did."""

    action: str
    by: str
    at: datetime
    detail: str


class OverrideOut(BaseModel):
    """A value a person set for one field of this record's QuickBooks writes."""

    field: str
    value: Any
    set_by: str
    set_at: datetime


class ReviewItemOut(BaseModel):
    """A review item with its evidence, comparison, actions, history and outcome."""

    id: int
    company: str
    kind: Literal["record", "company"]
    flow: str
    record: str | None
    name: str | None
    reason: str
    code: str | None
    title: str | None
    meaning: str | None
    fix: list[str]
    status: Literal["open", "resolved", "ignored"]
    resolution: str | None
    resolved_by: str | None = Field(description="who or what resolved it, in words")
    resolved_at: datetime | None
    created_at: datetime
    assigned_to: str | None
    pending: str | None
    evidence_kind: str
    comparison: list[CandidateOut]
    actions: list[str]
    correctable: list[str]
    overrides: list[OverrideOut]
    history: list[ActionOut]
    outcome: str | None


class ReviewListOut(BaseModel):
    """The company's open or resolved items."""

    company: str
    status: Literal["open", "resolved"]
    items: list[ReviewItemOut]


class ActionResult(BaseModel):
    """What an action did, in words, and the item after it."""

    done: str
    item: ReviewItemOut


class BindBody(BaseModel):
    """Bind to this QuickBooks record (a candidate's Id, or another the next cycle checks)."""

    qb_id: str = Field(min_length=1, max_length=60)


class RenameBody(BaseModel):
    """Rename the record in Salesforce and add it to QuickBooks under the new name."""

    name: str = Field(min_length=1, max_length=255)


class RecreateBody(BaseModel):
    """Add the record to QuickBooks afresh; `anyway` when the clashing name was fixed there."""

    anyway: bool = False


class AssignBody(BaseModel):
    """Assign to a user who sees the company; with `email`, tell them by e-mail."""

    user: str = Field(min_length=1, max_length=120)
    email: str | None = Field(default=None, max_length=254)


class CorrectBody(BaseModel):
    """Send `value` for QuickBooks field `field` of this record (this record only), then retry."""

    field: str = Field(min_length=1, max_length=120)
    value: str = Field(min_length=1, max_length=4000)


class HeldOut(BaseModel):
    """A record QuickBooks refused on its data: failed, waiting for a person (no review item)."""

    record: str
    flow: str
    name: str | None
    code: str | None
    title: str | None
    message: str | None
    fix: list[str]
    correctable: list[str]
    overrides: list[OverrideOut]
    history: list[ActionOut]
    outcome: str | None


class HeldListOut(BaseModel):
    """The company's records held for a value QuickBooks refused."""

    company: str
    records: list[HeldOut]


class RecordActionResult(BaseModel):
    """What a retry or correction of a held record did, in words, and the record after it."""

    done: str
    record: HeldOut


def held_out(held: HeldRecord) -> HeldOut:
    """A held record as the API answers it."""
    status = held.status
    return HeldOut(
        record=f"{held.sf.sobject.value}/{held.sf.id}",
        flow=held.row.flow,
        name=held.name,
        code=f"{status.system}:{status.code}" if status else None,
        title=status.title if status else None,
        message=held.row.last_error,
        fix=list(status.fix) if status else [],
        correctable=list(held.correctable),
        overrides=[
            OverrideOut(field=o.field, value=o.value, set_by=o.set_by, set_at=o.set_at)
            for o in held.overrides
        ],
        history=[
            ActionOut(action=a.action, by=a.by, at=a.at, detail=a.detail) for a in held.history
        ],
        outcome=held.outcome,
    )


def item_out(view: ReviewView) -> ReviewItemOut:
    """A review item as the API answers it."""
    data = view.entry.to_json()
    data.update(
        resolved_by=view.closed_by,
        assigned_to=view.item.assigned_to,
        actions=list(view.actions),
        correctable=list(view.correctable),
        overrides=[
            OverrideOut(field=o.field, value=o.value, set_by=o.set_by, set_at=o.set_at)
            for o in view.overrides
        ],
        history=[
            ActionOut(action=a.action, by=a.by, at=a.at, detail=a.detail) for a in view.history
        ],
        outcome=view.outcome,
    )
    return ReviewItemOut.model_validate(data)


Viewer = Annotated[Person, Depends(api_viewer)]
Operator = Annotated[Person, Depends(api_operator)]
_REFUSED: dict[int | str, dict[str, Any]] = {
    **API_ERRORS,
    400: {"model": ErrorBody, "description": "The action does not apply, or its input is wrong"},
    409: {"model": ErrorBody, "description": "A binding conflict"},
    502: {"model": ErrorBody, "description": "Salesforce refused or could not be reached"},
}


@dataclass(frozen=True, slots=True)
class Acting:
    """Who asks, of which company, about which item or held record (checked: 404 otherwise)."""

    person: Person
    company: str
    service: ReviewService
    sf: SfRef | None = None


# The checks are dependencies: they answer 404 before the body is read, so a company or item
# the caller may not see is never told apart by a 422.
def _item(request: Request, person: Person, company: str, item_id: int) -> Acting:
    company = _company(person, company)
    service = review_of(console_of(request))
    try:
        service.detail(company, item_id)
    except MISTAKES:
        raise NotFound(f"There is no review item {item_id} in {company!r}.") from None
    return Acting(person, company, service)


def _viewer_item(request: Request, person: Viewer, company: str, item_id: int) -> Acting:
    return _item(request, person, company, item_id)


def _operator_item(request: Request, person: Operator, company: str, item_id: int) -> Acting:
    return _item(request, person, company, item_id)


def _operator_record(request: Request, person: Operator, company: str, sf_id: str) -> Acting:
    company = _company(person, company)
    service = review_of(console_of(request))
    sobject = sobject_of(sf_id)
    try:
        if sobject is None:
            raise ItemNotFound(sf_id)
        sf = SfRef(sobject, sf_id)
        service.held_record(company, sf)
    except MISTAKES:
        raise NotFound(f"There is no record {sf_id} in {company!r}.") from None
    return Acting(person, company, service, sf)


ViewerItem = Annotated[Acting, Depends(_viewer_item)]
OperatorItem = Annotated[Acting, Depends(_operator_item)]
OperatorRecord = Annotated[Acting, Depends(_operator_record)]


def _answer(run: Callable[[], Done]) -> Any:
    try:
        done = run()
    except MISTAKES as exc:
        return JSONResponse({"detail": str(exc)}, status_code=status_of(exc))
    return ActionResult(done=done.done, item=item_out(done.view))


def routes(console: Console) -> APIRouter:
    """The review list's API routes."""
    router = APIRouter(prefix=f"{API_PREFIX}/companies/{{company}}/review", tags=["review"])
    service = review_of(console)

    @router.get("", response_model=ReviewListOut, responses=API_ERRORS)
    def listing(
        company: str, person: Viewer, status: Literal["open", "resolved"] = "open"
    ) -> ReviewListOut:
        company = _company(person, company)
        views = service.listing(company, ReviewTab(status))
        return ReviewListOut(company=company, status=status, items=[item_out(v) for v in views])

    _held_routes(router, service)  # before /{item_id}: "held" is no item number

    @router.get("/{item_id}", response_model=ReviewItemOut, responses=API_ERRORS)
    def detail(item_id: int, at: ViewerItem) -> ReviewItemOut:
        return item_out(at.service.detail(at.company, item_id))

    @router.post("/{item_id}/bind", response_model=ActionResult, responses=_REFUSED)
    def bind(item_id: int, body: BindBody, at: OperatorItem) -> Any:
        return _answer(lambda: at.service.bind(at.company, item_id, body.qb_id, at.person.name))

    @router.post("/{item_id}/rename", response_model=ActionResult, responses=_REFUSED)
    def rename(item_id: int, body: RenameBody, at: OperatorItem) -> Any:
        return _answer(lambda: at.service.rename(at.company, item_id, body.name, at.person.name))

    @router.post("/{item_id}/recreate", response_model=ActionResult, responses=_REFUSED)
    def recreate(item_id: int, body: RecreateBody, at: OperatorItem) -> Any:
        return _answer(
            lambda: at.service.recreate(at.company, item_id, at.person.name, anyway=body.anyway)
        )

    @router.post("/{item_id}/retry", response_model=ActionResult, responses=_REFUSED)
    def retry(item_id: int, at: OperatorItem) -> Any:
        return _answer(lambda: at.service.retry(at.company, item_id, at.person.name))

    @router.post("/{item_id}/ignore", response_model=ActionResult, responses=_REFUSED)
    def ignore(item_id: int, at: OperatorItem) -> Any:
        return _answer(lambda: at.service.ignore(at.company, item_id, at.person.name))

    @router.post("/{item_id}/assign", response_model=ActionResult, responses=_REFUSED)
    def assign(item_id: int, body: AssignBody, at: OperatorItem) -> Any:
        return _answer(
            lambda: at.service.assign(
                at.company, item_id, body.user, at.person.name, email=body.email
            )
        )

    @router.post("/{item_id}/correct", response_model=ActionResult, responses=_REFUSED)
    def correct(item_id: int, body: CorrectBody, at: OperatorItem) -> Any:
        return _answer(
            lambda: at.service.correct(at.company, item_id, body.field, body.value, at.person.name)
        )

    return router


def _held_routes(router: APIRouter, service: ReviewService) -> None:
    """The records held for a value QuickBooks refused: their list, retry and correct."""

    @router.get("/held", response_model=HeldListOut, responses=API_ERRORS)
    def held(company: str, person: Viewer) -> HeldListOut:
        company = _company(person, company)
        return HeldListOut(company=company, records=[held_out(h) for h in service.held(company)])

    def record_answer(at: Acting, run: Callable[[], str]) -> Any:
        assert at.sf is not None
        try:
            done = run()
        except MISTAKES as exc:
            return JSONResponse({"detail": str(exc)}, status_code=status_of(exc))
        record = held_out(at.service.held_record(at.company, at.sf))
        return RecordActionResult(done=done, record=record)

    @router.post("/records/{sf_id}/retry", response_model=RecordActionResult, responses=_REFUSED)
    def retry_record(at: OperatorRecord) -> Any:
        assert at.sf is not None
        sf = at.sf
        return record_answer(at, lambda: at.service.retry_record(at.company, sf, at.person.name))

    @router.post("/records/{sf_id}/correct", response_model=RecordActionResult, responses=_REFUSED)
    def correct_record(body: CorrectBody, at: OperatorRecord) -> Any:
        assert at.sf is not None
        sf = at.sf
        return record_answer(
            at,
            lambda: at.service.correct_record(
                at.company, sf, body.field, body.value, at.person.name
            ),
        )


__all__ = ["HeldOut", "ReviewItemOut", "ReviewListOut", "held_out", "item_out", "routes"]
