"""The review list in the JSON API: `GET /api/v1/companies/{company}/review?status=open|resolved`,
`GET .../review/{item_id}` and `POST .../review/{item_id}/{action}` for bind, rename, recreate,
retry, ignore, assign and correct; `GET .../review/held` and `POST .../review/records/{sobject}/
{sf_id}/retry|correct` for records QuickBooks refused on their data. The same roles, company
grants and service functions as the pages. A refused action answers {"detail": ...} with 400,
404 or 409 (502: Salesforce)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from sfqb.domain.entities import SfObject, SfRef
from sfqb.domain.people import Person
from sfqb.jobs.review import ReviewError
from sfqb.services.review import Done, HeldRecord, ItemNotFound, ReviewTab, ReviewView
from sfqb.web.console import Console
from sfqb.web.console.auth import (
    API_ERRORS,
    API_PREFIX,
    ErrorBody,
    NotFound,
    api_operator,
    api_viewer,
)
from sfqb.web.console.auth import company_or_404 as _company
from sfqb.web.console.review_common import MISTAKES, assignees, review_of, status_of


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


def routes(console: Console) -> APIRouter:
    """The review list's API routes."""
    router = APIRouter(prefix=f"{API_PREFIX}/companies/{{company}}/review", tags=["review"])
    service = review_of(console)

    def answer(run: Any) -> Any:
        try:
            done: Done = run()
        except MISTAKES as exc:
            return JSONResponse({"detail": str(exc)}, status_code=status_of(exc))
        return ActionResult(done=done.done, item=item_out(done.view))

    def check(person: Person, company: str, item_id: int) -> str:
        company = _company(person, company)
        try:
            service.detail(company, item_id)
        except MISTAKES:
            raise NotFound(f"There is no review item {item_id} in {company!r}.") from None
        return company

    @router.get("", response_model=ReviewListOut, responses=API_ERRORS)
    def listing(
        company: str, person: Viewer, status: Literal["open", "resolved"] = "open"
    ) -> ReviewListOut:
        company = _company(person, company)
        views = service.listing(company, ReviewTab(status))
        return ReviewListOut(company=company, status=status, items=[item_out(v) for v in views])

    @router.get("/held", response_model=HeldListOut, responses=API_ERRORS)
    def held(company: str, person: Viewer) -> HeldListOut:
        company = _company(person, company)
        return HeldListOut(company=company, records=[held_out(h) for h in service.held(company)])

    @router.post(
        "/records/{sobject}/{sf_id}/{action}",
        response_model=RecordActionResult,
        responses=_REFUSED,
    )
    def act_on_record(  # noqa: PLR0917 - the path's parts
        company: str,
        sobject: str,
        sf_id: str,
        action: Literal["retry", "correct"],
        person: Operator,
        body: CorrectBody | None = None,
    ) -> Any:
        company = _company(person, company)
        try:
            sf = SfRef(SfObject(sobject), sf_id)
            service.held_record(company, sf)
        except (ValueError, ItemNotFound):
            raise NotFound(f"There is no record {sobject}/{sf_id} in {company!r}.") from None
        try:
            if action == "retry":
                done = service.retry_record(company, sf, person.name)
            else:
                if body is None:
                    raise ReviewError("a correction needs the field and the value")
                done = service.correct_record(company, sf, body.field, body.value, person.name)
        except MISTAKES as exc:
            return JSONResponse({"detail": str(exc)}, status_code=status_of(exc))
        return RecordActionResult(done=done, record=held_out(service.held_record(company, sf)))

    @router.get("/{item_id}", response_model=ReviewItemOut, responses=API_ERRORS)
    def detail(company: str, item_id: int, person: Viewer) -> ReviewItemOut:
        company = check(person, company, item_id)
        return item_out(service.detail(company, item_id))

    @router.post("/{item_id}/bind", response_model=ActionResult, responses=_REFUSED)
    def bind(company: str, item_id: int, body: BindBody, person: Operator) -> Any:
        company = check(person, company, item_id)
        return answer(lambda: service.bind(company, item_id, body.qb_id, person.name))

    @router.post("/{item_id}/rename", response_model=ActionResult, responses=_REFUSED)
    def rename(company: str, item_id: int, body: RenameBody, person: Operator) -> Any:
        company = check(person, company, item_id)
        return answer(lambda: service.rename(company, item_id, body.name, person.name))

    @router.post("/{item_id}/recreate", response_model=ActionResult, responses=_REFUSED)
    def recreate(company: str, item_id: int, body: RecreateBody, person: Operator) -> Any:
        company = check(person, company, item_id)
        return answer(lambda: service.recreate(company, item_id, person.name, anyway=body.anyway))

    @router.post("/{item_id}/retry", response_model=ActionResult, responses=_REFUSED)
    def retry(company: str, item_id: int, person: Operator) -> Any:
        company = check(person, company, item_id)
        return answer(lambda: service.retry(company, item_id, person.name))

    @router.post("/{item_id}/ignore", response_model=ActionResult, responses=_REFUSED)
    def ignore(company: str, item_id: int, person: Operator) -> Any:
        company = check(person, company, item_id)
        return answer(lambda: service.ignore(company, item_id, person.name))

    @router.post("/{item_id}/assign", response_model=ActionResult, responses=_REFUSED)
    def assign(company: str, item_id: int, body: AssignBody, person: Operator) -> Any:
        company = check(person, company, item_id)
        people = assignees(console, company)
        return answer(
            lambda: service.assign(
                company, item_id, body.user, person.name, email=body.email, people=people
            )
        )

    @router.post("/{item_id}/correct", response_model=ActionResult, responses=_REFUSED)
    def correct(company: str, item_id: int, body: CorrectBody, person: Operator) -> Any:
        company = check(person, company, item_id)
        return answer(
            lambda: service.correct(company, item_id, body.field, body.value, person.name)
        )

    return router


__all__ = ["HeldOut", "ReviewItemOut", "ReviewListOut", "held_out", "item_out", "routes"]
