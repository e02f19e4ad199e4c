"""A company's settings page (admin): its connections, the Salesforce connection form, the Web
Connector's .qwc file and password, QuickBooks Online's Connect link, and the policy form.

Every action calls the same service function as the CLI (sfqb.services.connections, .qwc and
.policy). A mistake re-renders the page with the form's values (never a secret) and the message
beside the field, with status 400.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sfqb.domain.people import Person
from sfqb.domain.policy import CompanyPolicy
from sfqb.jobs.health import recorded_schedule
from sfqb.services.connections import (
    ConnectionProblem,
    SalesforceLogin,
    company_connections,
    connect_salesforce,
    login_secret,
)
from sfqb.services.policy import PolicyError, clear_policy, effective_policy, save_policy
from sfqb.services.qwc import DEFAULT_MINUTES, QwcProblem, qwc_document, qwc_url, rotate_password
from sfqb.store import ConnectionSystem
from sfqb.web.console import Console
from sfqb.web.console.auth import admin, company_or_404
from sfqb.web.console.pages import render
from sfqb.web.console.policy_form import (
    FIELDS,
    field_of,
    posted_values,
    problem_text,
    to_mapping,
    values_of,
)

Admin = Annotated[Person, Depends(admin)]
# Fields of the Salesforce form shown again after a mistake; the secret ones never are.
SF_PLAIN = ("instance", "login_url", "api_version", "username", "client_id")
SF_SECRET = ("password", "security_token", "client_secret", "session_id", "refresh_token")
SAVED = {
    "policy": "Saved the policy: the next cycle runs under it.",
    "policy-reset": "The console's policy is removed: the config file's (or the defaults) apply.",
}
ENVIRONMENTS = ("production", "sandbox")
NO_STORE = {"Cache-Control": "no-store"}


def settings_path(company: str) -> str:
    """The settings page of `company`."""
    from urllib.parse import quote

    return f"/companies/{quote(company, safe='')}/settings"


def qwc_filename(company: str) -> str:
    """The .qwc's file name: the company's name in safe characters."""
    return "sfqb-" + (re.sub(r"[^A-Za-z0-9._-]+", "-", company).strip("-.") or "company") + ".qwc"


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


class _Page:
    """The settings page of one company, with what a failed form brings back."""

    def __init__(self, console: Console, request: Request, company: str) -> None:
        self.console, self.request, self.company = console, request, company
        self.context: dict[str, Any] = {
            "company": company,
            "action": settings_path(company),
            "notice": SAVED.get(request.query_params.get("saved", ""), ""),
            "sf_values": {},
            "sf_errors": {},
            "rotate_error": "",
            "policy_errors": {},
            "qwc_problem": "",
        }

    def policy(self) -> None:
        file_section = self.console.policy_file(self.company)
        try:
            view = effective_policy(self.console.store, self.company, file_section)
        except PolicyError as exc:
            self.context["policy_problem"] = str(exc)
            self.context.setdefault("policy_values", values_of(CompanyPolicy()))
            return
        self.context.setdefault("policy_values", values_of(view.policy))
        self.context["policy_view"] = view

    def render(self, status: int = 200) -> Response:
        self.policy()
        store = self.console.store
        self.context.update(
            connections=company_connections(store, self.company),
            salesforce=store.connections.get(self.company, ConnectionSystem.SALESFORCE),
            qbo_configured=self.console.qbo_connect is not None,
            environments=ENVIRONMENTS,
            fields=FIELDS,
        )
        return render(self.request, "settings.html", self.context, status)


def routes(console: Console) -> APIRouter:
    """The settings page of a company and its forms."""
    router = APIRouter(include_in_schema=False)

    @router.get("/companies/{company}/settings")
    def settings(request: Request, company: str, person: Admin) -> Response:
        return _Page(console, request, company_or_404(person, company)).render()

    @router.post("/companies/{company}/settings/salesforce")
    async def salesforce(request: Request, company: str, person: Admin) -> Response:
        page = _Page(console, request, company_or_404(person, company))
        form = await request.form()
        given = {name: _text(form, name) for name in SF_PLAIN + SF_SECRET}
        org_id_of = console.salesforce_org_id or _no_org_check
        try:
            plain, secret = login_secret(SalesforceLogin(**given))
            done = connect_salesforce(
                console.store, console.secrets, page.company, plain, secret, org_id_of=org_id_of
            )
        except ConnectionProblem as exc:
            page.context["sf_values"] = {k: given[k] for k in SF_PLAIN}
            page.context["sf_errors"] = {exc.field or "form": exc.problem}
            return page.render(400)
        page.context["notice"] = (
            f"Stored the Salesforce connection (credentials encrypted); it reaches org "
            f"{done.org_id}."
            if done.org_id
            else "Stored the Salesforce connection (credentials encrypted), but the org could "
            f"not be reached yet: {done.problem}. It is recorded at the first sync."
        )
        return page.render()

    _connection_routes(console, router)

    @router.post("/companies/{company}/settings/policy")
    async def policy(request: Request, company: str, person: Admin) -> Response:
        page = _Page(console, request, company_or_404(person, company))
        values = posted_values(await request.form())
        try:
            save_policy(
                console.store,
                page.company,
                to_mapping(values),
                console.policy_file(page.company),
                by=person.name,
                clock=console.clock,
            )
        except PolicyError as exc:
            page.context["policy_values"] = values
            shown = field_of(exc.field)
            page.context["policy_errors"] = {
                shown or "form": problem_text(shown, exc.problem, values) if shown else str(exc)
            }
            return page.render(400)
        return RedirectResponse(f"{settings_path(company)}?saved=policy#policy", status_code=303)

    @router.post("/companies/{company}/settings/policy/reset")
    def reset(company: str, person: Admin) -> Response:
        name = company_or_404(person, company)
        clear_policy(console.store, name)
        return RedirectResponse(f"{settings_path(name)}?saved=policy-reset#policy", 303)

    return router


def _connection_routes(console: Console, router: APIRouter) -> None:
    """The Web Connector's .qwc file and password, and QuickBooks Online's Connect link."""

    @router.get("/companies/{company}/settings/qwc")
    def qwc_file(request: Request, company: str, person: Admin) -> Response:
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
            page = _Page(console, request, name)
            page.context["qwc_problem"] = str(exc)
            return page.render(409)
        disposition = f'attachment; filename="{qwc_filename(name)}"'
        return Response(
            document,
            media_type="application/xml",
            headers={"Content-Disposition": disposition, **NO_STORE},
        )

    @router.post("/companies/{company}/settings/qwc-password")
    async def rotate(request: Request, company: str, person: Admin) -> Response:
        page = _Page(console, request, company_or_404(person, company))
        form = await request.form()
        if _text(form, "confirm") != "yes":
            page.context["rotate_error"] = (
                "Tick the box to confirm: the old password stops working at once."
            )
            return page.render(400)
        try:
            rotated = rotate_password(console.store, page.company)
        except QwcProblem as exc:
            page.context["rotate_error"] = str(exc)
            return page.render(409)
        context = {"company": page.company, "rotated": rotated, "back": settings_path(company)}
        answer = render(request, "qwc_password.html", context)
        answer.headers.update(NO_STORE)
        return answer

    @router.get("/companies/{company}/settings/qbo-connect")
    def qbo_connect(
        request: Request, company: str, person: Admin, environment: str = ""
    ) -> Response:
        name = company_or_404(person, company)
        page = _Page(console, request, name)
        if console.qbo_connect is None or environment not in ENVIRONMENTS:
            page.context["qbo_problem"] = (
                "QuickBooks Online is not set up on this server (SFQB_QBO_CLIENT_ID, "
                "SFQB_QBO_CLIENT_SECRET and SFQB_PUBLIC_URL)."
                if console.qbo_connect is None
                else "Choose production or sandbox."
            )
            return page.render(400)
        try:
            url = console.qbo_connect(name, environment)
        except ConnectionProblem as exc:
            page.context["qbo_problem"] = exc.problem
            return page.render(400)
        return RedirectResponse(url, status_code=303)


def _no_org_check(company: str) -> str:
    raise ConnectionProblem("this server does not check Salesforce connections")
