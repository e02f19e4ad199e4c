"""The companies' JSON API: the overview rows, each company's flows, a flow's switch, Run now."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict

from sfqb.domain.people import Person
from sfqb.jobs.gather import UnknownFlow
from sfqb.services.flows import FlowNotSetUp, company_flows, switch_flow
from sfqb.services.people import visible_companies
from sfqb.web.console import Console
from sfqb.web.console.auth import (
    API_ERRORS,
    API_PREFIX,
    ErrorBody,
    NotFound,
    api_operator,
    api_viewer,
    company_or_404,
)
from sfqb.web.console.company_views import RunRefused, rows, run_now
from sfqb.web.console.flows import setups_of

_FROM = ConfigDict(from_attributes=True)
Viewer = Annotated[Person, Depends(api_viewer)]
Operator = Annotated[Person, Depends(api_operator)]


def _seen(company: str, person: Viewer) -> str:
    return company_or_404(person, company)


def _operated(company: str, person: Operator) -> str:
    # A dependency, so a company the caller may not see is 404 before the body is read.
    return company_or_404(person, company)


Seen = Annotated[str, Depends(_seen)]
Operated = Annotated[str, Depends(_operated)]
REFUSED: dict[int | str, dict[str, Any]] = {
    **API_ERRORS,
    409: {"model": ErrorBody, "description": "A cycle is running, or the run cannot start"},
}
NOT_SET_UP: dict[int | str, dict[str, Any]] = {
    **API_ERRORS,
    409: {"model": ErrorBody, "description": "The flow is not set up yet: it stays off"},
}


class CauseOut(BaseModel):
    """Why the connector is down, decoded."""

    model_config = _FROM
    label: str
    code: str
    message: str
    meaning: str
    fix: list[str]


class ConnectorOut(BaseModel):
    """The connector: health is up, late, waiting or down; words say it."""

    model_config = _FROM
    health: str
    words: str
    since: datetime | None
    cause: CauseOut | None
    expected_minutes: int
    expected_from: str
    silent_minutes: int | None


class LastRunOut(BaseModel):
    """The newest cycle and what it did."""

    model_config = _FROM
    id: int
    status: str
    started_at: datetime
    finished_at: datetime | None
    did: str
    counts: dict[str, int]


class AlertOut(BaseModel):
    """An open alert."""

    model_config = _FROM
    kind: str
    subject: str
    raised_at: datetime


class CompanyOut(BaseModel):
    """One company as the overview shows it."""

    model_config = _FROM
    company: str
    connector: ConnectorOut
    last_contact: datetime | None
    contact_warning: str | None
    last_run: LastRunOut | None
    running: bool
    review_open: int
    open_failures: int
    alerts: list[AlertOut]


class FlowRunOut(BaseModel):
    """A flow's last run and what it did for the flow."""

    model_config = _FROM
    id: int
    status: str
    started_at: datetime
    finished_at: datetime | None
    synced: int
    errors: int


class FlowOut(BaseModel):
    """One flow of a company."""

    model_config = _FROM
    flow: str
    name: str
    direction: str
    enabled: bool
    changed_by: str | None
    changed_at: datetime | None
    last_run: FlowRunOut | None


class FlowSwitch(BaseModel):
    """A flow switched on (true) or off (false)."""

    model_config = ConfigDict(extra="forbid")
    enabled: bool


class RunOut(BaseModel):
    """The answer to Run now: queued for the Web Connector, started, or held (and why)."""

    company: str
    kind: str
    message: str
    read: int | None = None
    waiting: int | None = None


def routes(console: Console) -> APIRouter:
    """The /api/v1/companies routes."""
    router = APIRouter(prefix=API_PREFIX, tags=["companies"])

    @router.get("/companies", response_model=list[CompanyOut], responses=API_ERRORS)
    def companies(person: Viewer) -> list[CompanyOut]:
        found = rows(console, visible_companies(console.store, person))
        return [CompanyOut.model_validate(r) for r in found]

    @router.get("/companies/{company}", response_model=CompanyOut, responses=API_ERRORS)
    def company(granted: Seen) -> CompanyOut:
        return CompanyOut.model_validate(rows(console, [granted])[0])

    @router.get("/companies/{company}/flows", response_model=list[FlowOut], responses=API_ERRORS)
    def flows(granted: Seen) -> list[FlowOut]:
        found = company_flows(console.store, granted, setups_of(console, granted)[0])
        return [FlowOut.model_validate(f) for f in found]

    @router.put("/companies/{company}/flows/{flow}", response_model=FlowOut, responses=NOT_SET_UP)
    def switch(granted: Operated, flow: str, body: FlowSwitch, person: Operator) -> FlowOut:
        try:
            state = switch_flow(
                console.store, granted, flow, body.enabled, by=person.name,
                setups=setups_of(console, granted)[0],
            )  # fmt: skip
        except UnknownFlow:
            raise NotFound(f"There is no flow {flow!r}.") from None
        except FlowNotSetUp as exc:
            raise HTTPException(409, str(exc)) from None
        return FlowOut.model_validate(state)

    @router.post(
        "/companies/{company}/runs", response_model=RunOut, status_code=202, responses=REFUSED
    )
    def run(granted: Operated) -> RunOut:
        try:
            answer = run_now(console, granted)
        except RunRefused as exc:
            raise HTTPException(409, str(exc)) from None
        return RunOut(
            company=answer.company, kind=answer.kind.value, message=answer.message,
            read=answer.read, waiting=answer.waiting,
        )  # fmt: skip

    return router
