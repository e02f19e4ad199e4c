"""The review list's pages: `/companies/{company}/review` (tabs Open and Resolved) and its
actions, each a POST with the CSRF token by an operator, answered by a redirect back with what
was done. An action that writes to QuickBooks (create under another name, re-create) first
shows a confirmation page; its form posts again with `confirm=yes`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib.resources import files
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sfqb.domain.entities import SfRef
from sfqb.domain.people import Person
from sfqb.domain.sfid import sobject_of
from sfqb.services.review import Done, ItemNotFound, ReviewService, ReviewTab, ReviewView
from sfqb.web.console import Console
from sfqb.web.console.auth import NotFound, company_or_404, operator, viewer
from sfqb.web.console.pages import render
from sfqb.web.console.review_common import (
    CONFIRMED,
    MISTAKES,
    assignees,
    review_of,
    stamp,
    status_of,
)

FLASH = "review_flash"
STYLESHEET = "/static/review.css"  # the review list's styles (record_actions.html uses them too)
_LABELS = {
    "bind": "Bind",
    "rename": "Create under another name",
    "recreate": "Re-create",
    "retry": "Retry now",
    "ignore": "Ignore",
    "assign": "Assign",
    "correct": "Correct the value",
}
_WARNINGS = {
    "rename": "sfqb renames the record in Salesforce now, and the next cycle adds it to "
    "QuickBooks under the new name: a new QuickBooks record.",
    "recreate": "sfqb removes the record's binding (if any), and the next cycle adds it to "
    "QuickBooks afresh: a new QuickBooks record.",
}


def review_url(company: str, tab: str = "open") -> str:
    """The review list of `company` on tab `tab`."""
    return f"/companies/{quote(company, safe='')}/review?tab={tab}"


def _back(company: str, given: str | None, tab: str = "open") -> str:
    """Where an action returns: a page of the same company the form named, else the list."""
    prefix = f"/companies/{quote(company, safe='')}/"
    if given and given.startswith(prefix) and "//" not in given and "\\" not in given:
        return given
    return review_url(company, tab)


def _tab(value: str | None) -> ReviewTab:
    try:
        return ReviewTab(value or "open")
    except ValueError:
        return ReviewTab.OPEN


def routes(console: Console) -> APIRouter:
    """GET the review list; POST its actions."""
    router = APIRouter(include_in_schema=False)
    service = review_of(console)
    stylesheet = files("sfqb.web.console").joinpath("static/review.css").read_bytes()

    @router.get(STYLESHEET)
    def review_css() -> Response:
        return Response(
            stylesheet,
            media_type="text/css; charset=utf-8",
            headers={"Cache-Control": "public, max-age=3600"},
        )

    def page(
        request: Request,
        company: str,
        tab: ReviewTab,
        problem: str | None = None,
        status: int = 200,
    ) -> Response:
        flash = request.session.pop(FLASH, None)
        context: dict[str, Any] = {
            "company": company,
            "tab": tab.value,
            "views": service.listing(company, tab),
            "counts": {t.value: len(service.listing(company, t)) for t in ReviewTab},
            "held": service.held(company) if tab is ReviewTab.OPEN else [],
            "assignees": assignees(console, company),
            "labels": _LABELS,
            "stamp": stamp,
            "flash": flash if isinstance(flash, str) else None,
            "problem": problem,
            "review_url": review_url,
        }
        return render(request, "review.html", context, status)

    @router.get("/companies/{company}/review")
    def review_list(
        request: Request,
        company: str,
        person: Annotated[Person, Depends(viewer)],
        tab: str | None = None,
    ) -> Response:
        company = company_or_404(person, company)
        return page(request, company, _tab(tab))

    async def act(
        request: Request, company: str, item_id: int, action: str, person: Person
    ) -> Response:
        company = company_or_404(person, company)
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        try:
            view = service.detail(company, item_id)
        except MISTAKES as exc:
            raise NotFound(str(exc)) from None
        if action in CONFIRMED and form.get("confirm") != "yes":
            return _confirm(request, company, view, action, form)
        try:
            done = _run(service, company, item_id, action, form, person)
        except MISTAKES as exc:
            return page(request, company, ReviewTab.OPEN, str(exc), status_of(exc))
        request.session[FLASH] = f"Review item {item_id}: {done.done}."
        tab = "open" if done.view.item.status.value == "open" else "resolved"
        return RedirectResponse(_back(company, form.get("next"), tab), status_code=303)

    async def act_on_record(
        request: Request, company: str, sf_id: str, action: str, person: Person
    ) -> Response:
        company = company_or_404(person, company)
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        sobject = sobject_of(sf_id)
        try:
            if sobject is None:
                raise ItemNotFound(sf_id)
            sf = SfRef(sobject, sf_id)
            service.held_record(company, sf)
        except MISTAKES:
            raise NotFound(f"There is no record {sf_id} in {company}.") from None
        try:
            if action == "retry":
                done = service.retry_record(company, sf, person.name)
            else:
                field, value = form.get("field", ""), form.get("value", "")
                done = service.correct_record(company, sf, field, value, person.name)
        except MISTAKES as exc:
            return page(request, company, ReviewTab.OPEN, str(exc), status_of(exc))
        request.session[FLASH] = f"Salesforce {sf}: {done}."
        return RedirectResponse(_back(company, form.get("next")), status_code=303)

    # One route per action (no action parameter): each POST of an item, of a held record.
    for name in _LABELS:
        router.add_api_route(
            f"/companies/{{company}}/review/{{item_id}}/{name}", _item_action(act, name),
            methods=["POST"],
        )  # fmt: skip
    for name in ("retry", "correct"):
        router.add_api_route(
            f"/companies/{{company}}/review/records/{{sf_id}}/{name}",
            _record_action(act_on_record, name), methods=["POST"],
        )  # fmt: skip
    return router


ItemAct = Callable[[Request, str, int, str, Person], Awaitable[Response]]
RecordAct = Callable[[Request, str, str, str, Person], Awaitable[Response]]


def _item_action(act: ItemAct, action: str) -> Callable[..., Awaitable[Response]]:
    async def endpoint(
        request: Request, company: str, item_id: int, person: Annotated[Person, Depends(operator)]
    ) -> Response:
        return await act(request, company, item_id, action, person)

    return endpoint


def _record_action(act: RecordAct, action: str) -> Callable[..., Awaitable[Response]]:
    async def endpoint(
        request: Request, company: str, sf_id: str, person: Annotated[Person, Depends(operator)]
    ) -> Response:
        return await act(request, company, sf_id, action, person)

    return endpoint


def _confirm(
    request: Request, company: str, view: ReviewView, action: str, form: dict[str, str]
) -> Response:
    kept = {k: v for k, v in form.items() if k not in {"csrf_token", "confirm"}}
    if action == "rename" and not kept.get("new_name", "").strip():
        kept["new_name"] = ""
    context = {
        "company": company,
        "item_id": view.item.id,
        "name": view.entry.name,
        "has_candidates": bool(view.entry.comparison),
        "action": action,
        "label": _LABELS[action],
        "warning": _WARNINGS[action],
        "kept": kept,
        "cancel": _back(company, form.get("next")),
    }
    return render(request, "review_confirm.html", context)


def _run(  # noqa: PLR0917 - the action's parts
    service: ReviewService,
    company: str,
    item_id: int,
    action: str,
    form: dict[str, str],
    person: Person,
) -> Done:
    by = person.name
    match action:
        case "bind":
            return service.bind(company, item_id, form.get("qb_id", ""), by)
        case "rename":
            return service.rename(company, item_id, form.get("new_name", ""), by)
        case "recreate":
            anyway = form.get("anyway") == "yes"
            return service.recreate(company, item_id, by, anyway=anyway)
        case "retry":
            return service.retry(company, item_id, by)
        case "ignore":
            return service.ignore(company, item_id, by)
        case "assign":
            return service.assign(
                company, item_id, form.get("user", ""), by,
                email=form.get("email") or None,
            )  # fmt: skip
        case _:
            return service.correct(
                company, item_id, form.get("field", ""), form.get("value", ""), by
            )


__all__ = ["FLASH", "STYLESHEET", "review_url", "routes"]
