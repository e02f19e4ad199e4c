"""GET /api/v1/me: who the caller is (the token's or the session's person)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from sfqb.domain.people import Person, Role
from sfqb.web.console import Console
from sfqb.web.console.auth import API_ERRORS, API_PREFIX, api_viewer


class Me(BaseModel):
    """The caller: name, role, and the companies granted (null: every company)."""

    name: str
    role: Role
    companies: list[str] | None


def routes(console: Console) -> APIRouter:
    """GET /api/v1/me."""
    router = APIRouter(prefix=API_PREFIX, tags=["people"])

    @router.get("/me", response_model=Me, responses=API_ERRORS)
    def me(person: Annotated[Person, Depends(api_viewer)]) -> Me:
        companies = None if person.companies is None else sorted(person.companies)
        return Me(name=person.name, role=person.role, companies=companies)

    return router
