"""Reads in pages: iterators for changes (MaxReturned, Start/Continue), windows for deletions.

Intuit's QBSDK Programmer's Guide ("Using iterators"): a query sent with iterator="Start" and
MaxReturned answers with an iteratorID and iteratorRemainingCount; the same query is sent again
with iterator="Continue" and that iteratorID, in the same session, until nothing remains.
ListDeletedQuery and TxnDeletedQuery take no iterator (qbxmlops120.xsd: their Rq types carry
only requestID and metaData), so a DeletedDateRangeFilter window bounds them instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sfqb.codes import Catalog
from sfqb.connectors.qbd.operations import DirectDriver, compose
from sfqb.sandbox.qbd import CompanyFile
from sfqb.sync.ops import QbAction, QbOp

from .conftest import FakeClock
from .test_compose import rq

SINCE = datetime(2024, 3, 1, 8, 30, tzinfo=UTC).replace(
    tzinfo=None
)  # QuickBooks' wall clock: sent without an offset


def test_paged_reads_use_an_iterator_and_validate_against_the_schema(
    catalog: Catalog, schema_errors: Callable[[str], list[str]]
) -> None:
    ops = [
        QbOp("c", QbAction.READ_CHANGED, "Customer", since=SINCE, limit=50),
        QbOp("n", QbAction.READ_CHANGED, "Item", since=SINCE, limit=50, cursor="{1-2-3}"),
        QbOp("i", QbAction.READ_CHANGED, "Invoice", since=SINCE, limit=50),
        QbOp("p", QbAction.READ_CHANGED, "ReceivePayment", since=SINCE, limit=50, cursor="x9"),
        QbOp("dl", QbAction.READ_DELETED, "Customer", since=SINCE, until=SINCE.replace(day=8)),
        QbOp("dt", QbAction.READ_DELETED, "Invoice", since=SINCE, until=SINCE.replace(day=8)),
    ]
    xml = compose(ops, "12.0", catalog=catalog).xml
    assert xml is not None and schema_errors(xml) == []
    customer = rq(xml, "c")
    assert customer.get("iterator") == "Start" and customer.get("iteratorID") is None
    assert customer.findtext("MaxReturned") == "50"
    assert customer.findtext("FromModifiedDate") == "2024-03-01T08:30:00"
    item = rq(xml, "n")
    assert (item.get("iterator"), item.get("iteratorID")) == ("Continue", "{1-2-3}")
    assert rq(xml, "i").get("iterator") == "Start"
    assert rq(xml, "p").get("iteratorID") == "x9"
    window = rq(xml, "dl").find("DeletedDateRangeFilter")
    assert window is not None and window.findtext("ToDeletedDate") == "2024-03-08T08:30:00"
    assert rq(xml, "dt").get("iterator") is None


def test_a_change_read_larger_than_a_page_comes_in_pages(
    company: CompanyFile, driver: DirectDriver, clock: FakeClock
) -> None:
    for n in range(7):
        company.add_as_user("Customer", f"Customer {n}")
        clock.advance(seconds=1)
    first = QbOp("1", QbAction.READ_CHANGED, "Customer", since=SINCE, limit=3)
    page = driver.execute([first])[0]
    seen = [r.id for r in page.records]
    assert len(seen) == 3 and page.remaining == 4 and page.cursor
    while page.remaining:
        page = driver.execute([QbOp("2", QbAction.READ_CHANGED, "Customer", since=SINCE,
                                    limit=3, cursor=page.cursor)])[0]  # fmt: skip
        seen += [r.id for r in page.records]
    assert sorted(seen) == sorted(c.id for c in company.customers())


def test_an_iterator_dies_with_the_session(company: CompanyFile, driver: DirectDriver) -> None:
    for n in range(4):
        company.add_as_user("Customer", f"Customer {n}")
    page = driver.execute([QbOp("1", QbAction.READ_CHANGED, "Customer", since=SINCE, limit=2)])[0]
    company.end_session()
    again = QbOp("2", QbAction.READ_CHANGED, "Customer", since=SINCE, limit=2, cursor=page.cursor)
    assert not driver.execute([again])[0].ok


def test_deletions_are_read_by_window(
    company: CompanyFile, driver: DirectDriver, clock: FakeClock
) -> None:
    early = company.add_as_user("Customer", "Early")
    late = company.add_as_user("Customer", "Late")
    company.delete_as_user(early.id)
    clock.advance(days=10)
    company.delete_as_user(late.id)
    start = datetime(2024, 3, 1, 0, 0, tzinfo=UTC).replace(tzinfo=None)
    first = QbOp("1", QbAction.READ_DELETED, "Customer", since=start, until=start.replace(day=5))
    second = QbOp("2", QbAction.READ_DELETED, "Customer", since=start.replace(day=5),
                  until=start.replace(day=15))  # fmt: skip
    got = driver.execute([first, second])
    assert [r.id for r in got[0].records] == [early.id]
    assert [r.id for r in got[1].records] == [late.id]
