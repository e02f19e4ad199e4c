"""The log of a company, finding a record, and a record's page."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from sfqb.codes.words import flow_choices
from sfqb.domain.people import Person
from sfqb.services.log import STATUSES, LogQuery, LogQueryError, log_page, parse_when
from sfqb.services.names import RecordNames, record_names
from sfqb.services.records import RecordNotFound, RecordPage, SearchError, find_records, record_page
from sfqb.web.console import Console
from sfqb.web.console.auth import company_or_404, viewer
from sfqb.web.console.pages import render
from sfqb.web.console.review_common import record_actions_context

_FILTERS = ("flow", "code", "status", "record", "q", "since", "until")
Text = Annotated[str | None, Query(max_length=200)]


def names(console: Console) -> RecordNames:
    """Record names over the console's store (made per request: names change)."""
    return record_names(console.store, console.catalog, console.clock)


def query_of(
    company: str, params: dict[str, str | None], cursor: str | None, limit: int | None
) -> LogQuery:
    """The service's query for the filters a person gave; LogQueryError for a wrong one."""
    return LogQuery(
        company=company, flow=params.get("flow") or None, code=params.get("code") or None,
        status=params.get("status") or None, record=params.get("record") or None,
        q=params.get("q") or None, since=parse_when(params.get("since")),
        until=parse_when(params.get("until"), end=True), cursor=cursor or None,
        limit=limit or 50,
    )  # fmt: skip


def record_actions(console: Console, page: RecordPage, next_url: str) -> dict[str, Any]:
    """What `record_actions.html` needs besides the record: the review area's actions on the
    record's open item or refused value (none for a record without a Salesforce side);
    `next_url` is where an action returns."""
    if page.sf is None:
        return {"view": None, "held": None, "next": next_url}
    return record_actions_context(console, page.company, page.sf, next_url)


def routes(console: Console) -> APIRouter:
    """The log, record search and record pages."""
    router = APIRouter(include_in_schema=False)

    @router.get("/companies/{company}/log")
    def log(  # noqa: PLR0917 - the filters are query parameters
        request: Request,
        company: str,
        person: Annotated[Person, Depends(viewer)],
        flow: Text = None,
        code: Text = None,
        status: Text = None,
        record: Text = None,
        q: Text = None,
        since: Text = None,
        until: Text = None,
        cursor: Annotated[str | None, Query(max_length=400)] = None,
        limit: Annotated[int | None, Query(ge=1, le=200)] = None,
    ) -> Response:
        company = company_or_404(person, company)
        given = {"flow": flow, "code": code, "status": status, "record": record, "q": q,
                 "since": since, "until": until}  # fmt: skip
        kept = {k: v for k, v in given.items() if v}
        context: dict[str, Any] = {
            "company": company, "filters": given, "flows": flow_choices(),
            "statuses": STATUSES, "page": None, "error": None,
        }  # fmt: skip
        try:
            page = log_page(console.store, names(console), query_of(company, given, cursor, limit))
        except LogQueryError as exc:
            context["error"] = str(exc)
            return render(request, "log.html", context, status=400)
        extra = {"limit": str(limit)} if limit else {}

        def link(to: str | None) -> str | None:
            return f"?{urlencode({**kept, **extra, 'cursor': to})}" if to else None

        context |= {"page": page, "newer": link(page.newer), "older": link(page.older)}
        return render(request, "log.html", context)

    @router.get("/companies/{company}/records")
    def find(
        request: Request,
        company: str,
        person: Annotated[Person, Depends(viewer)],
        q: Annotated[str | None, Query(max_length=200)] = None,
    ) -> Response:
        company = company_or_404(person, company)
        context: dict[str, Any] = {"company": company, "q": q or "", "found": None, "error": None}
        if q and q.strip():
            try:
                context["found"] = find_records(names(console), company, q)
            except SearchError as exc:
                context["error"] = str(exc)
                return render(request, "records_found.html", context, status=400)
        return render(request, "records_found.html", context)

    @router.get("/companies/{company}/records/{record_id}")
    def record(
        request: Request, company: str, record_id: str, person: Annotated[Person, Depends(viewer)]
    ) -> Response:
        company = company_or_404(person, company)
        try:
            page = record_page(console.store, names(console), company, record_id)
        except RecordNotFound as exc:
            context: dict[str, Any] = {"company": company, "message": str(exc)}
            return render(request, "record_missing.html", context, status=404)
        context = {"company": company, "record": page}
        context |= record_actions(console, page, request.url.path)
        return render(request, "record.html", context)

    return router
