"""The flows of a company at `/companies/{company}/flows`: each flow's switch, how the config
file sets it up (filter, target, overridden fields: read-only), its last run and counts, and
"Run now"; an action's answer is shown after the redirect (POST-redirect-GET)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from sfqb.domain.people import Person, Role
from sfqb.jobs.gather import UnknownFlow
from sfqb.services.flows import (
    FlowConfigProblem,
    FlowNotSetUp,
    FlowSetup,
    company_flows,
    switch_flow,
)
from sfqb.web.console import Console
from sfqb.web.console.auth import NotFound, company_or_404, operator, viewer
from sfqb.web.console.company_views import (
    RunRefused,
    last_failure,
    pulls_work,
    rows,
    run_now,
)
from sfqb.web.console.pages import render

NOTICE = "sfqb_flows_notice"  # the session key of the answer shown after the redirect
REFRESH_SECONDS = 10


def _page(
    console: Console, request: Request, person: Person, company: str, *,
    problem: str | None = None, status: int = 200,
) -> Response:  # fmt: skip
    notice = request.session.pop(NOTICE, None)
    if not isinstance(notice, dict) or notice.get("company") != company:
        notice = None
    row = rows(console, [company])[0]
    setups, config_problem = setups_of(console, company)
    return render(
        request,
        "flows.html",
        {
            "company": company,
            "row": row,
            "flows": company_flows(console.store, company, setups),
            "config_problem": config_problem,
            "notice": notice["text"] if notice else None,
            "problem": problem,
            "failure": last_failure(console, company),
            "may_switch": person.may(Role.OPERATOR),
            "may_run": person.may(Role.OPERATOR),
            "refresh": REFRESH_SECONDS if row.running else None,
            "pulls": pulls_work(console, company),
        },
        status,
    )


def setups_of(console: Console, company: str) -> tuple[Mapping[str, FlowSetup], str | None]:
    """The company's flow setups, or none and the one line saying why its config is unusable."""
    if console.flow_setups is None:
        return {}, None
    try:
        return console.flow_setups(company), None
    except FlowConfigProblem as exc:
        return {}, str(exc)


def _seen(company: str, person: Annotated[Person, Depends(viewer)]) -> str:
    return company_or_404(person, company)


def _operated(company: str, person: Annotated[Person, Depends(operator)]) -> str:
    # A dependency, so a company the person may not see is 404 before the form is read.
    return company_or_404(person, company)


Seen = Annotated[str, Depends(_seen)]
Operated = Annotated[str, Depends(_operated)]


def routes(console: Console) -> APIRouter:
    """GET the flows page; POST a flow's switch and Run now."""
    router = APIRouter(include_in_schema=False)

    @router.get("/companies/{company}/flows")
    def flows(
        request: Request, granted: Seen, person: Annotated[Person, Depends(viewer)]
    ) -> Response:
        return _page(console, request, person, granted)

    @router.post("/companies/{company}/flows/{flow}")
    def switch(
        request: Request,
        granted: Operated,
        flow: str,
        enabled: Annotated[bool, Form()],
        person: Annotated[Person, Depends(operator)],
    ) -> Response:
        company = granted
        try:
            setups, _ = setups_of(console, company)
            state = switch_flow(
                console.store, company, flow, enabled, by=person.name, setups=setups
            )
        except UnknownFlow:
            raise NotFound(f"There is no flow {flow!r}.") from None
        except FlowNotSetUp as exc:
            return _page(console, request, person, company, problem=str(exc), status=409)
        words = "on" if state.enabled else "off: the next cycles leave it out"
        request.session[NOTICE] = {"company": company, "text": f"{state.name} is now {words}."}
        return RedirectResponse(request.url_for("flows", company=company).path, 303)

    @router.post("/companies/{company}/runs")
    def run(
        request: Request, granted: Operated, person: Annotated[Person, Depends(operator)]
    ) -> Response:
        company = granted
        try:
            answer = run_now(console, company)
        except RunRefused as exc:
            return _page(console, request, person, company, problem=str(exc), status=409)
        request.session[NOTICE] = {"company": company, "text": answer.message}
        return RedirectResponse(request.url_for("flows", company=company).path, 303)

    return router
