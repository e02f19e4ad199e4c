"""The integration log as data: filtered, newest first, paged with a stable keyset cursor."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sfqb.codes.words import flow_choices, flow_text, remedy_phrase, status_label, system_text
from sfqb.domain.status import Severity, System
from sfqb.services.names import RecordNames, id_keys
from sfqb.store import Attempt, LogCriteria, Store

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
STATUSES = ("all", "failed", "error", "warning", "info")


class LogQueryError(ValueError):
    """A filter or cursor a person gave is not one sfqb can use; the text says why."""


class BadCursor(LogQueryError):
    """A page cursor sfqb did not make (or made for another kind of page)."""


@dataclass(frozen=True, slots=True)
class LogQuery:
    """What a person asked of the log (each None: no filter)."""

    company: str | None = None
    flow: str | None = None
    code: str | None = None
    system: str | None = None
    status: str | None = None  # all, failed (open failures), error, warning, info
    record: str | None = None  # a Salesforce (15 or 18) or QuickBooks Id
    q: str | None = None  # a record's name (or a part of it) or either side's Id
    since: datetime | None = None
    until: datetime | None = None
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT


@dataclass(frozen=True, slots=True)
class LogRow:
    """One attempt as a person reads it, in the catalog's words."""

    id: int
    time: datetime
    company: str
    flow: str
    flow_words: str
    salesforce: str | None
    salesforce_id: str | None
    salesforce_name: str | None
    quickbooks: str | None
    quickbooks_id: str | None
    quickbooks_name: str | None
    operation: str
    system: str
    system_words: str
    code: str
    label: str
    severity: str
    known: bool
    title: str
    message: str
    meaning: str
    fix: tuple[str, ...]
    action: str
    will: str
    detail: str | None
    summary: str

    @property
    def record_id(self) -> str | None:
        """The Id a record page is reached by: the Salesforce one, else the QuickBooks one."""
        return self.salesforce_id or self.quickbooks_id

    def to_json(self) -> dict[str, Any]:
        """The row as `sfqb log --json` prints it."""
        return {
            "time": self.time.isoformat(), "company": self.company, "flow": self.flow,
            "salesforce": self.salesforce, "salesforce_name": self.salesforce_name,
            "quickbooks": self.quickbooks, "quickbooks_name": self.quickbooks_name,
            "operation": self.operation, "system": self.system, "code": self.code,
            "severity": self.severity, "title": self.title, "message": self.message,
            "meaning": self.meaning, "fix": list(self.fix), "action": self.action,
            "summary": self.summary,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class LogPage:
    """A page of the log, newest first, with the cursors of the pages beside it."""

    rows: list[LogRow]
    newer: str | None
    older: str | None
    limit: int


def log_rows(attempts: Sequence[Attempt], names: RecordNames) -> list[LogRow]:
    """The attempts as rows a person reads (names beside Ids, codes in words)."""
    return [_row(a, names) for a in attempts]


def _row(a: Attempt, names: RecordNames) -> LogRow:
    return LogRow(
        id=a.id, time=a.created_at, company=a.company, flow=a.flow, flow_words=flow_text(a.flow),
        salesforce=str(a.sf) if a.sf else None, salesforce_id=a.sf.id if a.sf else None,
        salesforce_name=names.sf(a.company, a.sf) if a.sf else None,
        quickbooks=str(a.qb) if a.qb else None, quickbooks_id=a.qb.id if a.qb else None,
        quickbooks_name=names.qb(a.company, a.qb) if a.qb else None,
        operation=a.operation, system=a.system.value, system_words=system_text(a.system),
        code=a.code, label=status_label(a.system, a.code, a.title), severity=a.severity.value,
        known=a.known, title=a.title, message=a.message, meaning=a.meaning, fix=a.fix,
        action=a.action_taken, will=remedy_phrase(a.remedy), detail=names.detail(a),
        summary=a.summary,
    )  # fmt: skip


def encode_cursor(direction: str, at: datetime, key: int) -> str:
    """An opaque cursor for the page `direction` ("older"/"newer") of the row (at, key)."""
    raw = json.dumps({"d": direction, "at": at.isoformat(), "id": key}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, datetime, int]:
    """(direction, at, id) of a cursor; LogQueryError for one sfqb did not make."""
    try:
        raw = base64.urlsafe_b64decode(cursor.strip() + "=" * (-len(cursor.strip()) % 4))
        data = json.loads(raw)
        direction, at, key = data["d"], datetime.fromisoformat(data["at"]), int(data["id"])
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError):
        raise BadCursor("the page cursor is not valid; start again from the newest") from None
    if direction not in ("older", "newer") or at.tzinfo is None:
        raise BadCursor("the page cursor is not valid; start again from the newest")
    return direction, at, key


def criteria(names: RecordNames, query: LogQuery) -> LogCriteria:
    """The store's criteria for a person's query; LogQueryError for a filter that is wrong."""
    flows = flow_choices()
    if query.flow and query.flow not in flows:
        raise LogQueryError(f"unknown flow {query.flow!r}; the flows are {', '.join(flows)}")
    status = (query.status or "all").lower()
    if status not in STATUSES:
        raise LogQueryError(f"unknown status {query.status!r}; use {', '.join(STATUSES)}")
    systems = [s.value for s in System]
    system = query.system.lower() if query.system else None
    if system is not None and system not in systems:
        known = ", ".join(systems)
        raise LogQueryError(f"unknown system {query.system!r}; the systems are {known}")
    if query.since and query.until and query.since >= query.until:
        raise LogQueryError("the date range is empty: 'from' must be before 'to'")
    sf_ids: frozenset[str] | None = None
    qb_ids: frozenset[str] | None = None
    if query.record and query.record.strip():
        sf_ids, qb_ids = id_keys(query.record)
    if query.q and query.q.strip():
        if query.company is None:
            raise LogQueryError("searching by name needs a company")
        found = names.find(query.company, query.q)
        s_ids, q_ids = id_keys(query.q)
        s_ids |= {r.sf.id for r in found if r.sf}
        q_ids |= {r.qb.id for r in found if r.qb}
        sf_ids = s_ids if sf_ids is None else sf_ids & s_ids
        qb_ids = q_ids if qb_ids is None else qb_ids & q_ids
    return LogCriteria(
        company=query.company, flow=query.flow or None, code=(query.code or "").strip() or None,
        system=System(system) if system else None,
        severity=Severity(status) if status in ("error", "warning", "info") else None,
        failed_only=status == "failed", sf_ids=sf_ids, qb_ids=qb_ids,
        since=query.since, until=query.until,
    )  # fmt: skip


def parse_when(text: str | None, *, end: bool = False) -> datetime | None:
    """A date (2026-03-02) or an ISO date and time as a person gives a range's end; a date
    `end`s after that whole day. Times without an offset are UTC. LogQueryError otherwise."""
    if text is None or not text.strip():
        return None
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return start + timedelta(days=1) if end else start
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)
    except ValueError:
        raise LogQueryError(
            f"{value[:40]!r} is not a date (2026-03-02) or a date and time (2026-03-02T09:30)"
        ) from None
    except OverflowError:  # at the very edge of the calendar: no bound at all
        return None


def bounded(limit: int | None) -> int:
    """A page size between 1 and MAX_LIMIT (DEFAULT_LIMIT when not given)."""
    if limit is None:
        return DEFAULT_LIMIT
    return max(1, min(int(limit), MAX_LIMIT))


def log_page(store: Store, names: RecordNames, query: LogQuery) -> LogPage:
    """One page of the log, newest first; `older`/`newer` are cursors of the pages beside it
    (None at either end). A row logged between two pages never shifts or repeats rows."""
    limit = bounded(query.limit)
    wanted = criteria(names, query)
    before = after = None
    if query.cursor:
        direction, at, key = decode_cursor(query.cursor)
        before, after = ((at, key), None) if direction == "older" else (None, (at, key))
    found = store.journal.page(wanted, limit=limit + 1, before=before, after=after)
    if after is not None and not found:  # nothing newer any more: the newest page
        after = None
        found = store.journal.page(wanted, limit=limit + 1)
    if after is not None:  # newest first; the extra row (if any) says there are newer ones
        more_newer, found = len(found) > limit, found[-limit:]
        more_older = True
    else:
        more_older, found = len(found) > limit, found[:limit]
        more_newer = before is not None
    rows = log_rows(found, names)
    if not rows:
        return LogPage(rows, None, None, limit)
    first, last = rows[0], rows[-1]
    return LogPage(
        rows,
        encode_cursor("newer", first.time, first.id) if more_newer else None,
        encode_cursor("older", last.time, last.id) if more_older else None,
        limit,
    )
