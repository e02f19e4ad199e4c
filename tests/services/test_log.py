"""The log service: filters, rows in the catalog's words, and the stable keyset cursor."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sfqb.codes import Catalog
from sfqb.domain.bindings import Binding
from sfqb.domain.entities import QbKind, QbRef, SfObject, SfRef
from sfqb.domain.sfid import to18
from sfqb.domain.status import System
from sfqb.services.log import (
    MAX_LIMIT,
    LogQuery,
    LogQueryError,
    decode_cursor,
    log_page,
    parse_when,
)
from sfqb.store import Direction, Store

from .conftest import FLOW, T0, log_attempt, names_of

ACME = SfRef(SfObject.ACCOUNT, to18("001000000000001"))
BETA = SfRef(SfObject.ACCOUNT, to18("001000000000002"))
CUST = QbRef(QbKind.CUSTOMER, "80000001-1700000000")


def _page(db: Store, catalog: Catalog, **query: object) -> list[int]:
    page = log_page(db, names_of(db, catalog), LogQuery(company="acme", **query))  # type: ignore[arg-type]
    return [r.id for r in page.rows]


def test_filter_by_code_keeps_only_that_code(db: Store, catalog: Catalog) -> None:
    wanted = [log_attempt(db, catalog, "3170", minute=m, sf=ACME).id for m in (1, 3)]
    log_attempt(db, catalog, "3100", minute=2, sf=BETA)
    log_attempt(db, catalog, "0", minute=4, sf=BETA)
    log_attempt(db, catalog, "3170", minute=5, sf=BETA, company="other")
    page = log_page(db, names_of(db, catalog), LogQuery(company="acme", code="3170"))
    assert [r.id for r in page.rows] == wanted[::-1]  # newest first, only acme's
    assert {r.code for r in page.rows} == {"3170"}
    assert (page.newer, page.older) == (None, None)


def test_rows_carry_the_catalogs_words(db: Store, catalog: Catalog) -> None:
    message = 'There was an error when modifying a Customer list, element "Acme".'
    log_attempt(db, catalog, "3170", minute=1, sf=ACME, qb=CUST, message=message)
    (row,) = log_page(db, names_of(db, catalog), LogQuery(company="acme")).rows
    decoded = catalog.decode(System.QBXML, "3170", message)
    assert decoded.known and decoded.meaning and decoded.fix
    assert (row.message, row.meaning, row.fix) == (message, decoded.meaning, decoded.fix)
    assert row.action == "did something about 3170" and row.label.startswith("QuickBooks 3170")
    assert row.record_id == ACME.id and row.to_json()["fix"] == list(decoded.fix)


def test_cursor_is_stable_when_attempts_arrive_between_pages(db: Store, catalog: Catalog) -> None:
    # Three attempts share a time: the id breaks the tie, so none is lost or repeated.
    minutes = [1, 2, 3, 3, 3, 4, 5]
    ids = [log_attempt(db, catalog, "0", minute=m, sf=ACME).id for m in minutes][::-1]
    names = names_of(db, catalog)
    first = log_page(db, names, LogQuery(company="acme", limit=3))
    assert [r.id for r in first.rows] == ids[:3] and first.newer is None
    assert first.older is not None
    late = log_attempt(db, catalog, "0", minute=9, sf=ACME)  # arrives while a person reads
    second = log_page(db, names, LogQuery(company="acme", limit=3, cursor=first.older))
    assert [r.id for r in second.rows] == ids[3:6]
    assert second.older is not None and second.newer is not None
    third = log_page(db, names, LogQuery(company="acme", limit=3, cursor=second.older))
    assert [r.id for r in third.rows] == ids[6:] and third.older is None
    back = log_page(db, names, LogQuery(company="acme", limit=3, cursor=second.newer))
    assert [r.id for r in back.rows] == ids[:3]  # the page before, not shifted by the new one
    assert back.newer is not None
    top = log_page(db, names, LogQuery(company="acme", limit=3, cursor=back.newer))
    assert [r.id for r in top.rows] == [late.id]


def test_the_cursor_is_opaque_and_checked(db: Store, catalog: Catalog) -> None:
    log_attempt(db, catalog, "0", minute=1)
    log_attempt(db, catalog, "0", minute=2)
    page = log_page(db, names_of(db, catalog), LogQuery(company="acme", limit=1))
    assert page.older is not None and "T" not in page.older  # no readable timestamp
    assert decode_cursor(page.older)[0] == "older"
    for bad in ("nonsense", "eyJkIjoic2lkZXdheXMifQ", "%%%"):
        with pytest.raises(LogQueryError, match="cursor"):
            log_page(db, names_of(db, catalog), LogQuery(company="acme", cursor=bad))


def test_page_size_is_bounded(db: Store, catalog: Catalog) -> None:
    for m in range(3):
        log_attempt(db, catalog, "0", minute=m)
    names = names_of(db, catalog)
    assert log_page(db, names, LogQuery(company="acme", limit=10_000)).limit == MAX_LIMIT
    assert len(log_page(db, names, LogQuery(company="acme", limit=0)).rows) == 1


def test_filters_flow_status_and_dates(db: Store, catalog: Catalog) -> None:
    a = log_attempt(db, catalog, "3100", minute=1, sf=ACME)
    b = log_attempt(db, catalog, "0", minute=2, sf=BETA, flow="product_to_item")
    c = log_attempt(db, catalog, "3170", minute=3, sf=BETA)
    assert _page(db, catalog, flow="product_to_item") == [b.id]
    assert _page(db, catalog, status="error") == [c.id, a.id]
    assert _page(db, catalog, status="info") == [b.id]
    assert _page(db, catalog, since=T0 + timedelta(minutes=2)) == [c.id, b.id]
    assert _page(db, catalog, until=T0 + timedelta(minutes=2)) == [a.id]
    for wrong in ({"flow": "nope"}, {"status": "bad"}, {"system": "x"}):
        with pytest.raises(LogQueryError, match="unknown"):
            _page(db, catalog, **wrong)
    with pytest.raises(LogQueryError, match="date range"):
        _page(db, catalog, since=T0, until=T0)


def test_failed_keeps_open_failures_only(db: Store, catalog: Catalog) -> None:
    log_attempt(db, catalog, "3170", minute=1, sf=ACME)
    log_attempt(db, catalog, "0", minute=2, sf=ACME)  # the record went through later
    still = log_attempt(db, catalog, "3100", minute=3, sf=BETA)
    assert _page(db, catalog, status="failed") == [still.id]


def test_record_and_search_by_id_or_name(db: Store, catalog: Catalog) -> None:
    db.queue.enqueue("acme", FLOW, Direction.SF_TO_QB, ACME, payload={"Name": "Acme Corp"},
                     fingerprint="f1", now=T0)  # fmt: skip
    db.queue.enqueue("acme", FLOW, Direction.SF_TO_QB, BETA, payload={"Name": "Beta Ltd"},
                     fingerprint="f2", now=T0)  # fmt: skip
    db.bindings.bind(Binding("acme", BETA, CUST, "fp", T0, sf_values={"Name": "Beta QB"}))
    a = log_attempt(db, catalog, "3100", minute=1, sf=ACME)
    b = log_attempt(db, catalog, "0", minute=2, sf=BETA, qb=CUST)
    q = log_attempt(db, catalog, "0", minute=3, qb=CUST)  # only the QuickBooks side known
    assert _page(db, catalog, record=ACME.id[:15]) == [a.id]
    assert _page(db, catalog, record=CUST.id.lower()) == [q.id, b.id]
    assert _page(db, catalog, q="acme") == [a.id]
    assert _page(db, catalog, q="beta") == [q.id, b.id]  # the binding joins both sides
    assert _page(db, catalog, q="BETA qb") == [q.id, b.id]
    assert _page(db, catalog, q="Nobody") == []
    assert _page(db, catalog, q="acme", record=BETA.id) == []
    row = log_page(db, names_of(db, catalog), LogQuery(company="acme", q="acme")).rows[0]
    assert row.salesforce_name == "Acme Corp"


def test_dates_as_a_person_gives_them() -> None:
    assert parse_when("2026-03-02") == T0.replace(hour=0)
    assert parse_when("2026-03-02", end=True) == T0.replace(hour=0) + timedelta(days=1)
    assert parse_when("2026-03-02T09:00") == T0
    assert parse_when("2026-03-02T10:00+01:00") == T0
    assert parse_when("  ") is None
    assert parse_when("9999-12-31", end=True) is None  # past the calendar: no bound
    assert parse_when("0001-01-01T00:00+05:00") is None
    with pytest.raises(LogQueryError, match="not a date"):
        parse_when("yesterday")
