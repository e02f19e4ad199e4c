"""`GET /api/v1/status`: what to watch in a deployment, per company the caller may see: queue
depth, cycle age and open alerts, as numbers (`sfqb status --json` prints the same `metrics`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from sfqb.domain.people import Person
from sfqb.services.people import visible_companies
from sfqb.web.console import Console
from sfqb.web.console.auth import API_ERRORS, API_PREFIX, api_viewer
from sfqb.web.console.company_views import health_of

Viewer = Annotated[Person, Depends(api_viewer)]


class CompanyMetricsOut(BaseModel):
    """One company's numbers to watch."""

    company: str
    queue_depth: int  # records not done yet (due, in flight, waiting, failed, in review)
    queue_due: int  # of them, those due now
    cycle_age_seconds: int | None  # since the last cycle ended (None: none ended yet)
    cycle_running_seconds: int | None  # how long the cycle running now has run (None: none)
    alerts_open: int
    review_open: int


def routes(console: Console) -> APIRouter:
    """The /api/v1/status route."""
    router = APIRouter(prefix=API_PREFIX, tags=["status"])

    @router.get("/status", response_model=list[CompanyMetricsOut], responses=API_ERRORS)
    def status(person: Viewer) -> list[CompanyMetricsOut]:
        health = health_of(console)
        return [
            CompanyMetricsOut(company=company, **health.metrics(company))
            for company in visible_companies(console.store, person)
        ]

    return router
