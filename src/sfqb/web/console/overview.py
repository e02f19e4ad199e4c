"""The overview at `/`: one line per company the person sees (a placeholder for the full one)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from sfqb.domain.people import Person
from sfqb.services.people import visible_companies
from sfqb.web.console import Console
from sfqb.web.console.auth import viewer
from sfqb.web.console.pages import render


def routes(console: Console) -> APIRouter:
    """GET /."""
    router = APIRouter(include_in_schema=False)

    @router.get("/")
    def overview(request: Request, person: Annotated[Person, Depends(viewer)]) -> Response:
        companies = visible_companies(console.store, person)
        return render(request, "overview.html", {"companies": companies})

    return router
