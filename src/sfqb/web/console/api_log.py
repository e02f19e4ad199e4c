"""`/api/v1/companies/{company}/log` and `/records`: the log and a record's page as JSON."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from sfqb.codes.words import flow_choices
from sfqb.domain.people import Person
from sfqb.services.log import STATUSES, BadCursor, LogQuery, LogQueryError, log_page
from sfqb.services.names import KnownRecord
from sfqb.services.records import RecordNotFound, SearchError, find_records, record_page
from sfqb.web.console import Console
from sfqb.web.console.api_models_log import (
    FoundOut,
    FoundRecordOut,
    LogPageOut,
    RecordOut,
)
from sfqb.web.console.auth import API_ERRORS, ErrorBody, api_viewer, company_or_404
from sfqb.web.console.log import names

Text = Annotated[str | None, Query(max_length=200)]
When = Annotated[
    datetime | date | None,
    Query(description="A date (2026-03-02: that whole day for `until`) or a date and time (UTC "
          "when it names no offset)"),
]  # fmt: skip
_ERRORS: dict[int | str, dict[str, Any]] = {
    **API_ERRORS,
    400: {
        "model": ErrorBody,
        "description": "A filter or cursor that is not valid; `detail` says why",
    },
}


def _moment(given: datetime | date | None, *, end: bool = False) -> datetime | None:
    """A given date as the start of that day in UTC (`end`: of the next day); a time without
    an offset as UTC."""
    if given is None:
        return None
    try:
        if not isinstance(given, datetime):
            start = datetime(given.year, given.month, given.day, tzinfo=UTC)
            return start + timedelta(days=1) if end else start
        return (given if given.tzinfo else given.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError:  # at the very edge of the calendar: no bound at all
        return None


def _found(r: KnownRecord) -> FoundRecordOut:
    return FoundRecordOut(
        salesforce=str(r.sf) if r.sf else None, salesforce_id=r.sf.id if r.sf else None,
        salesforce_name=r.sf_name, quickbooks=str(r.qb) if r.qb else None,
        quickbooks_id=r.qb.id if r.qb else None, quickbooks_name=r.qb_name,
    )  # fmt: skip


def routes(console: Console) -> APIRouter:
    """The log and record endpoints."""
    router = APIRouter(prefix="/api/v1/companies/{company}", tags=["log"], responses=_ERRORS)

    @router.get("/log", response_model=LogPageOut)
    def log(  # noqa: PLR0917 - the filters are query parameters
        company: str,
        person: Annotated[Person, Depends(api_viewer)],
        flow: Annotated[str | None, Query(pattern=f"^({'|'.join(flow_choices())})?$")] = None,
        code: Text = None,
        status: Annotated[
            str | None,
            Query(pattern=f"^({'|'.join(STATUSES)})?$", description="failed: open failures"),
        ] = None,
        record: Text = None,
        q: Text = None,
        since: When = None,
        until: When = None,
        cursor: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_-]{0,400}$")] = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> LogPageOut:
        """The company's log, newest first, filtered; page on with `older`/`newer`."""
        company = company_or_404(person, company)
        start, end = _moment(since), _moment(until, end=True)
        if start is not None and end is not None and start >= end:
            return LogPageOut(rows=[], newer=None, older=None, limit=limit)  # an empty range
        query = LogQuery(
            company=company, flow=flow or None, code=code or None, status=status or None,
            record=record or None, q=q or None, since=start, until=end, cursor=cursor or None,
            limit=limit,
        )  # fmt: skip
        try:
            page = log_page(console.store, names(console), query)
        except BadCursor as exc:  # no such page
            raise HTTPException(404, str(exc)) from None
        except LogQueryError as exc:
            raise HTTPException(400, str(exc)) from None
        return LogPageOut.model_validate(page)

    @router.get("/records", response_model=FoundOut)
    def find(
        company: str,
        person: Annotated[Person, Depends(api_viewer)],
        q: Annotated[str, Query(max_length=200)] = "",
    ) -> FoundOut:
        """The company's records a name (or a part of it) or either side's Id names."""
        company = company_or_404(person, company)
        try:
            found = find_records(names(console), company, q)
        except SearchError as exc:
            raise HTTPException(400, str(exc)) from None
        return FoundOut(records=[_found(r) for r in found])

    @router.get("/records/{record_id}", response_model=RecordOut)
    def record(
        company: str, record_id: str, person: Annotated[Person, Depends(api_viewer)]
    ) -> RecordOut:
        """A record's page: binding, values as far as known, attempts and review items."""
        company = company_or_404(person, company)
        try:
            page = record_page(console.store, names(console), company, record_id)
        except RecordNotFound as exc:
            raise HTTPException(404, str(exc)) from None
        return RecordOut.model_validate(page)

    return router
