"""The settings of a company in the JSON API (admin): its policy (read and replace), its
connections (never a secret), its .qwc file, and a new Web Connector password.

The same service functions as the settings page and the CLI: sfqb.services.policy, .qwc and
.connections. A policy that cannot be used is a 422 naming the field; nothing is saved.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from sfqb.domain.people import Person
from sfqb.jobs.health import policy_effects, recorded_schedule
from sfqb.services.connections import company_connections
from sfqb.services.policy import CompanyPolicyView, PolicyError, effective_policy, save_policy
from sfqb.services.qwc import DEFAULT_MINUTES, QwcProblem, qwc_document, qwc_url, rotate_password
from sfqb.store import to_jsonable
from sfqb.web.console import Console
from sfqb.web.console.auth import API_ERRORS, API_PREFIX, ErrorBody, api_admin, company_or_404
from sfqb.web.console.settings import qwc_filename

ApiAdmin = Annotated[Person, Depends(api_admin)]
BASE = f"{API_PREFIX}/companies/{{company}}"
NO_STORE = {"Cache-Control": "no-store"}


class PolicyOut(BaseModel):
    """A company's policy in force, where its settings come from, and what it makes sfqb do."""

    company: str
    policy: dict[str, Any]
    source: str  # console, config file or default
    set_in_config: list[str]
    set_in_console: list[str]
    saved_by: str | None
    saved_at: datetime | None
    effects: dict[str, str]


class PolicyProblem(BaseModel):
    """A policy refused: the setting (dotted, "" for the whole) and what is wrong."""

    detail: str
    field: str


class ConnectionOut(BaseModel):
    """One connection: its plain settings; `has_secret` says credentials are stored."""

    system: str
    settings: dict[str, Any]
    has_secret: bool
    updated_at: datetime | None


class ConnectionsOut(BaseModel):
    """A company's connections and its Web Connector user name."""

    company: str
    connections: list[ConnectionOut]
    qbwc_username: str | None
    qbo_lost_reason: str | None


class PasswordOut(BaseModel):
    """A new Web Connector password, returned this once."""

    company: str
    password: str
    closed_sessions: int


def _policy_out(company: str, view: CompanyPolicyView) -> PolicyOut:
    source = "default"
    if view.from_store:
        source = "console"
    elif view.from_file:
        source = "config file"
    return PolicyOut(
        company=company,
        policy=to_jsonable(view.policy),
        source=source,
        set_in_config=sorted(view.from_file),
        set_in_console=sorted(view.from_store),
        saved_by=view.saved_by,
        saved_at=view.saved_at,
        effects=policy_effects(view.policy),
    )


def _problem(exc: PolicyError | QwcProblem, status: int) -> JSONResponse:
    field = exc.field if isinstance(exc, PolicyError) else ""
    return JSONResponse({"detail": str(exc), "field": field}, status)


def routes(console: Console) -> APIRouter:
    """The settings endpoints under /api/v1/companies/{company}."""
    router = APIRouter(tags=["settings"], responses=API_ERRORS)
    problem: dict[int | str, dict[str, Any]] = {
        422: {"model": PolicyProblem, "description": "The policy cannot be used"}
    }
    conflict: dict[int | str, dict[str, Any]] = {
        409: {"model": PolicyProblem, "description": "The company has no such thing"}
    }

    @router.get(f"{BASE}/policy", response_model=PolicyOut, responses=conflict)
    def get_policy(company: str, person: ApiAdmin) -> PolicyOut | JSONResponse:
        """The company's policy in force (the console's settings over the config file's)."""
        name = company_or_404(person, company)
        try:
            view = effective_policy(console.store, name, console.policy_file(name))
        except PolicyError as exc:
            return _problem(exc, 409)
        return _policy_out(name, view)

    @router.put(f"{BASE}/policy", response_model=PolicyOut, responses=problem)
    def put_policy(
        company: str,
        person: ApiAdmin,
        settings: Annotated[dict[str, Any], Body(description="A `policy:` section's settings")],
    ) -> PolicyOut | JSONResponse:
        """Replace the company's own policy settings (they override the config file's); the
        checks are the config file's. 422 naming the field, nothing saved, when refused."""
        name = company_or_404(person, company)
        try:
            view = save_policy(
                console.store, name, settings, console.policy_file(name),
                by=person.name, clock=console.clock,
            )  # fmt: skip
        except PolicyError as exc:
            return _problem(exc, 422)
        return _policy_out(name, view)

    @router.get(f"{BASE}/connections", response_model=ConnectionsOut)
    def connections(company: str, person: ApiAdmin) -> ConnectionsOut:
        """What the company is connected to; never a secret."""
        found = company_connections(console.store, company_or_404(person, company))
        return ConnectionsOut(
            company=found.company,
            connections=[
                ConnectionOut(
                    system=c.system.value,
                    settings=to_jsonable(c.settings),
                    has_secret=c.has_secret,
                    updated_at=c.updated_at,
                )
                for c in found.connections
            ],
            qbwc_username=found.qbwc_username,
            qbo_lost_reason=found.qbo_lost_reason,
        )

    @router.get(
        f"{BASE}/qwc",
        response_class=Response,
        responses={
            200: {"content": {"application/xml": {}}, "description": "The .qwc file"},
            409: {"model": ErrorBody, "description": "No Web Connector login"},
        },
    )
    def qwc(company: str, person: ApiAdmin) -> Response:
        """The company's .qwc file for the QuickBooks Web Connector (as `sfqb qwc` writes it)."""
        name = company_or_404(person, company)
        minutes = recorded_schedule(console.store, name) or DEFAULT_MINUTES
        try:
            document = qwc_document(
                console.store,
                name,
                qwc_url(console.public_url),
                minutes=minutes,
                remember_schedule=False,  # a GET changes nothing
            )
        except QwcProblem as exc:
            return JSONResponse({"detail": str(exc)}, 409)
        disposition = f'attachment; filename="{qwc_filename(name)}"'
        return Response(
            document,
            media_type="application/xml",
            headers={"Content-Disposition": disposition, **NO_STORE},
        )

    @router.post(
        f"{BASE}/qwc-password",
        response_model=PasswordOut,
        responses={409: {"model": ErrorBody, "description": "No Web Connector login"}},
    )
    def qwc_password(
        company: str, person: ApiAdmin, response: Response
    ) -> PasswordOut | JSONResponse:
        """A new random Web Connector password, returned this once: the old one stops working
        at once and its open sessions are closed."""
        name = company_or_404(person, company)
        try:
            rotated = rotate_password(console.store, name)
        except QwcProblem as exc:
            return JSONResponse({"detail": str(exc)}, 409)
        response.headers.update(NO_STORE)
        return PasswordOut(
            company=name, password=rotated.password, closed_sessions=rotated.closed_sessions
        )

    return router
