"""Query semantics shared by every *QueryRq: filters, MaxReturned and iterators."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from sfqb.sandbox.qbd.books import Books
from sfqb.sandbox.qbd.fields import element_text
from sfqb.sandbox.qbd.records import DateFormatError, Record, parse_datetime
from sfqb.sandbox.qbd.schema import Status

Select = Callable[[], tuple[list[Record], list[str]]]
Render = Callable[[Record], etree._Element]


@dataclass(slots=True)
class IteratorState:
    """An open iterator: the matches found at Start and how far the caller has read."""

    ids: list[str]
    position: int
    max_returned: int | None


def max_returned(books: Books, request: etree._Element) -> int | None:
    """The request's MaxReturned (>= 1), or None."""
    text = element_text(request, "MaxReturned")
    if text is None:
        return None
    if not text.isdigit() or int(text) < 1:
        raise books.schema.status("invalid_amount", value=text, field="MaxReturned")
    return int(text)


def date_range(
    books: Books, element: etree._Element | None, low: str, high: str
) -> tuple[datetime | None, datetime | None]:
    """The From/To bounds of a date filter; 3020 when malformed, 3030 when From > To.

    QuickBooks reads these in the QuickBooks computer's local time (jsgoupil/quickbooks-sync
    issue #19, "QuickBooks does not handle UTC time properly": a FromModifiedDate means that
    wall-clock time on the QuickBooks machine). Where the docs are silent the sandbox is
    strict: an offset in the value is ignored (the wall-clock part is read as local time),
    and a wall-clock time that occurs twice (the hour repeated when daylight saving ends)
    is its later occurrence, so a reader that does not look back past the change misses
    records.
    """
    if element is None:
        return None, None
    zone = books.zone()
    bounds: list[datetime | None] = []
    for name, end in ((low, False), (high, True)):
        text = element_text(element, name)
        if text is None:
            bounds.append(None)
            continue
        try:
            wall = parse_datetime(text, zone, end_of_day=end)
        except DateFormatError:
            raise books.schema.status("invalid_date", value=text, field=name) from None
        # In UTC: aware times sharing one tzinfo compare by wall clock, ignoring fold.
        bounds.append(wall.replace(tzinfo=zone, fold=1).astimezone(UTC))
    start, stop = bounds
    if start is not None and stop is not None and start > stop:
        raise books.schema.status("invalid_date_range")
    return start, stop


def in_range(moment: datetime, bounds: tuple[datetime | None, datetime | None]) -> bool:
    """True when `moment` lies within inclusive bounds."""
    start, stop = bounds
    return (start is None or moment >= start) and (stop is None or moment <= stop)


def text_match(value: str, element: etree._Element | None, field: str) -> bool:
    """Apply a NameFilter / RefNumberFilter (MatchCriterion + value), case-insensitive."""
    if element is None:
        return True
    criterion = element_text(element, "MatchCriterion") or "StartsWith"
    wanted = (element_text(element, field) or "").casefold()
    have = value.casefold()
    if criterion == "Contains":
        return wanted in have
    if criterion == "EndsWith":
        return have.endswith(wanted)
    return have.startswith(wanted)


def range_match(value: str, element: etree._Element | None, low: str, high: str) -> bool:
    """Apply a NameRangeFilter / RefNumberRangeFilter (inclusive, case-insensitive)."""
    if element is None:
        return True
    start, stop = element_text(element, low), element_text(element, high)
    have = value.casefold()
    return (start is None or have >= start.casefold()) and (stop is None or have <= stop.casefold())


class QueryEngine:
    """Runs one query: a plain answer, or an iterator Start / Continue / Stop."""

    def __init__(self, books: Books, rng: random.Random) -> None:
        self._books = books
        self._rng = rng
        self.iterators: dict[str, IteratorState] = {}

    def run(
        self, request: etree._Element, rs: etree._Element, select: Select, render: Render
    ) -> Status | None:
        """Fill `rs` with the query's Rets; returns the non-OK status, if any."""
        schema = self._books.schema
        mode = request.get("iterator")
        if mode in ("Continue", "Stop"):
            iterator_id = request.get("iteratorID") or ""
            state = self.iterators.get(iterator_id)
            if state is None:
                raise schema.status("invalid_id", value=iterator_id, field="iteratorID")
            if mode == "Stop":
                del self.iterators[iterator_id]
                rs.set("iteratorRemainingCount", "0")
                rs.set("iteratorID", iterator_id)
                return None
            size = max_returned(self._books, request) or state.max_returned
            return self._page(rs, iterator_id, state, size, render)
        records, missing = select()
        size = max_returned(self._books, request)
        if mode == "Start":
            iterator_id = self._new_iterator_id()
            state = IteratorState([r.id for r in records], 0, size)
            self.iterators[iterator_id] = state
            return self._page(rs, iterator_id, state, size, render)
        if size is not None:
            records = records[:size]
        for record in records:
            rs.append(render(record))
        if missing:
            return schema.info("partial_query", value=missing[0])
        return None if records else schema.info("no_match")

    def _page(
        self,
        rs: etree._Element,
        iterator_id: str,
        state: IteratorState,
        size: int | None,
        render: Render,
    ) -> Status | None:
        stored = self._books.state.records
        chunk: list[Record] = []
        while state.position < len(state.ids) and (size is None or len(chunk) < size):
            record = stored.get(state.ids[state.position])
            state.position += 1
            if record is not None:  # deleted since Start
                chunk.append(record)
        for record in chunk:
            rs.append(render(record))
        remaining = len(state.ids) - state.position
        rs.set("retCount", str(len(chunk)))
        rs.set("iteratorRemainingCount", str(remaining))
        rs.set("iteratorID", iterator_id)
        if remaining == 0:
            del self.iterators[iterator_id]
        return None if chunk else self._books.schema.info("no_match")

    def _new_iterator_id(self) -> str:
        value = f"{self._rng.getrandbits(128):032x}"
        return f"{{{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}}}"
