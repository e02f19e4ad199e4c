"""The overview at `/`: one row per company the person sees, refreshing itself while a cycle
runs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from sfqb.domain.people import Person
from sfqb.services.people import visible_companies
from sfqb.web.console import Console
from sfqb.web.console.auth import viewer
from sfqb.web.console.company_views import rows
from sfqb.web.console.pages import render

REFRESH_SECONDS = 10  # while a cycle runs


def routes(console: Console) -> APIRouter:
    """GET /."""
    router = APIRouter(include_in_schema=False)

    @router.get("/")
    def overview(request: Request, person: Annotated[Person, Depends(viewer)]) -> Response:
        found = rows(console, visible_companies(console.store, person))
        refresh = REFRESH_SECONDS if any(r.running for r in found) else None
        return render(request, "overview.html", {"rows": found, "refresh": refresh})

    return router
