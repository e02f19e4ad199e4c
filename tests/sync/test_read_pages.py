"""A read of QuickBooks' changes in pages lets records it passes over go as their page comes
(issue 16: a read of many records sfqb has seen does not hold them all), and still hands on
each other record once, in its newest version, however the pages repeat it."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any, cast

from sfqb.codes import load_catalog
from sfqb.connectors.qbd.profile import QBD_PROFILE
from sfqb.domain.entities import SfObject, SfRef
from sfqb.domain.policy import CompanyPolicy
from sfqb.domain.status import System
from sfqb.sync.marking import Marking
from sfqb.sync.ops import QbAction, QbOp, QbRecord, QbResult
from sfqb.sync.reading import Reading

# QuickBooks Desktop's wall clock, without an offset (sync.inbound.wall_clock)
SINCE = datetime(2026, 3, 1)  # noqa: DTZ001
MODIFIED = datetime(2026, 3, 2, 9, 0)  # noqa: DTZ001
OK = load_catalog().decode(System.QBXML, "0", "Status OK")


def _page(records: list[QbRecord], remaining: int) -> QbResult:
    return QbResult("1", OK, tuple(records), "iterator-1" if remaining else None, remaining)


def _rec(ident: str, version: str, big: bool = True) -> QbRecord:
    fields = {"Memo": "x" * 1000} if big else {}
    return QbRecord("Invoice", ident, version, MODIFIED, fields=fields)


def test_records_passed_over_go_with_their_page_and_the_newest_version_wins() -> None:
    reading = Reading(cast(Any, None), {}, page_size=2)
    handed: list[QbResult] = []
    passed_ids = {"2"}  # sfqb has seen invoice 2 (e.g. bound with this very version)
    looked_at: list[str] = []

    def passed(record: QbRecord) -> bool:
        looked_at.append(f"{record.id}@{record.version}")
        return record.id in passed_ids and record.version == "20"

    first = QbOp("", QbAction.READ_CHANGED, "Invoice", since=SINCE)
    op, take = reading._paged(first, lambda op, result: handed.append(result), passed)
    take(op, _page([_rec("1", "10"), _rec("2", "20")], 3))
    # the page boundary moved: invoice 1 again (same version), invoice 2 newer, invoice 3
    op2, take2 = reading.more.pop()
    take2(op2, _page([_rec("1", "10"), _rec("2", "21"), _rec("3", "30")], 1))
    op3, take3 = reading.more.pop()
    take3(op3, _page([_rec("2", "20")], 0))  # an older version of 2 after the newer one

    assert not reading.more and len(handed) == 1
    assert {(r.id, r.version) for r in handed[0].records} == {("1", "10"), ("2", "21"), ("3", "30")}
    # each version looked at once; the repeat of 1 and the older 2 were never looked at again
    assert looked_at == ["1@10", "2@20", "2@21", "3@30"]


def test_a_record_passed_over_in_its_newest_version_is_not_handed_on() -> None:
    reading = Reading(cast(Any, None), {}, page_size=2)
    handed: list[QbResult] = []
    first = QbOp("", QbAction.READ_CHANGED, "Invoice", since=SINCE)
    op, take = reading._paged(
        first, lambda op, result: handed.append(result), lambda r: r.version == "11"
    )
    take(op, _page([_rec("1", "10")], 1))  # not passed over: held...
    op2, take2 = reading.more.pop()
    take2(op2, _page([_rec("1", "11")], 0))  # ...until its newest version is one sfqb saw
    assert handed[0].records == ()


def test_marking_keeps_a_read_records_binding_field_not_its_fields() -> None:
    """The marker writes wait for the cycle's Adds and Mods: a cycle that read a whole
    company's bound records (after a first load) keeps their markers until then, not every
    record's fields."""
    cycle = SimpleNamespace(policy=CompanyPolicy(), profile=QBD_PROFILE)
    marking = Marking(cast(Any, cycle), frozenset())
    sf = SfRef(SfObject.OPPORTUNITY, "006000000000001AAA")
    read = QbRecord("Invoice", "7", "70", MODIFIED, marker="006OTHER", fields={"Memo": "x" * 1000})
    marking.mark(sf, "Invoice", "7", read)

    kept = marking._pending[sf].record
    assert kept is not None and not kept.fields
    assert (kept.id, kept.version, kept.marker, kept.custom) == ("7", "70", "006OTHER", {})
    [(op, _)] = marking.next_ops()
    assert (op.action, op.qb_id, op.marker) == (QbAction.SET_MARKER, "7", sf.id)
