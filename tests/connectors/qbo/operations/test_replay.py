"""Batches whose answer was lost, sent again as they were (Intuit's requestid replay: "the app
sends the request ... again, specifying the same content and requestid as the first request",
Intuit developer blog, "Request ID update for QuickBooks Online integration")."""

from __future__ import annotations

from typing import Any

import pytest

from sfqb.connectors.qbo.api import Fault, FaultError, QboFault
from sfqb.connectors.qbo.operations import QboDriver
from sfqb.connectors.qbo.unanswered import MemoryJournal, UnansweredBatch
from sfqb.domain.entities import SfObject, SfRef
from sfqb.sync.ops import QbAction, QbOp, ReplyLost

from .conftest import NOW


def add(n: int, name: str) -> QbOp:
    sf = SfRef(SfObject.ACCOUNT, f"001{n:015d}")
    return QbOp(f"op{n}", QbAction.ADD, "Customer", sf=sf, fields={"DisplayName": name},
                attempt=f"Account/{sf.id}/0")  # fmt: skip


def replay(*sf_ids: str) -> QbOp:
    return QbOp("r1", QbAction.REPLAY_UNANSWERED, "", ids=sf_ids)


def driver_of(qbo: Any, catalog: Any, journal: MemoryJournal) -> QboDriver:
    return QboDriver(qbo, catalog, clock=lambda: NOW, journal=journal)


def test_a_lost_batch_is_kept_and_sent_again_exactly_as_it_was(catalog: Any, qbo: Any) -> None:
    journal = MemoryJournal()
    qbo.lose_next = True
    with pytest.raises(ReplyLost):
        driver_of(qbo, catalog, journal).execute([add(1, "Acme"), add(2, "Bolt")])
    [kept] = journal.unanswered()
    assert UnansweredBatch.from_json(kept.to_json()) == kept  # as the store keeps it
    assert kept.sf_ids == {add(1, "").sf.id, add(2, "").sf.id}  # type: ignore[union-attr]
    [(first_id, first_items)] = qbo.batches

    # The next cycle's driver (a new process: the same journal, as the store keeps it).
    [result] = driver_of(qbo, catalog, journal).execute([replay(add(2, "").sf.id)])  # type: ignore[union-attr]
    (again_id, again_items) = qbo.batches[-1]
    assert again_id == first_id and again_items == first_items  # same requestid, bIds, bodies
    assert len(qbo.entities["Customer"]) == 2  # answered as the first time: nothing added
    assert result.ok
    assert {(r.name, r.marker) for r in result.records} == {
        ("Acme", add(1, "").sf.id), ("Bolt", add(2, "").sf.id),  # type: ignore[union-attr]
    }  # fmt: skip


def test_a_batch_sent_as_single_requests_is_sent_again_the_same_way(catalog: Any, qbo: Any) -> None:
    journal = MemoryJournal()
    qbo.singly, qbo.lose_next = True, True  # the minute's batch requests were spent
    with pytest.raises(ReplyLost):
        driver_of(qbo, catalog, journal).execute([add(1, "Acme"), add(2, "Bolt")])
    qbo.singly = False  # now a batch request could go: the replay must not
    driver_of(qbo, catalog, journal).execute([replay(add(1, "").sf.id)])  # type: ignore[union-attr]
    assert qbo.modes == [True, True]
    assert [batch.singly for batch in journal.unanswered()] == [True]


def test_only_batches_of_records_in_flight_go_again(catalog: Any, qbo: Any) -> None:
    journal = MemoryJournal()
    qbo.lose_next = True
    with pytest.raises(ReplyLost):
        driver_of(qbo, catalog, journal).execute([add(1, "Acme")])
    [result] = driver_of(qbo, catalog, journal).execute([replay("001999999999999999")])
    assert result.ok and result.records == () and len(qbo.batches) == 1


def test_an_answered_batch_is_forgotten_and_a_refused_one_found_nothing(
    catalog: Any, qbo: Any
) -> None:
    journal = MemoryJournal()
    driver_of(qbo, catalog, journal).execute([add(1, "Acme")])
    assert journal.unanswered() == []
    refused = Fault("ValidationFault", (FaultError("6000", "Business Validation"),))

    def refuse(items: Any, rid: str, **_: Any) -> Any:
        raise QboFault(refused)

    journal.keep(UnansweredBatch("sfqb-1", (), {"b1": "001000000000000001"}, NOW))
    qbo.batch = refuse
    [result] = driver_of(qbo, catalog, journal).execute([replay("001000000000000001")])
    assert result.ok and result.records == ()


def test_a_stored_batch_reads_back_as_it_was_written() -> None:
    journal = MemoryJournal()
    qbo_items = add(1, "Acme")
    assert qbo_items.sf is not None
    batch = UnansweredBatch("sfqb-2", (), {"b1": qbo_items.sf.id}, NOW, singly=True)
    assert UnansweredBatch.from_json(batch.to_json()) == batch
    journal.keep(batch)
    journal.answered("sfqb-2")
    assert journal.unanswered() == []
