"""The cycle beside a session, as the service sees it: a work source that holds its handle
and queues when the test says (no threads, no timing: `answer_within` is 0)."""

from __future__ import annotations

import pytest

from sfqb.codes import Catalog
from sfqb.connectors.qbd.webconnector import (
    NoWorkSource,
    OutboxItem,
    OutboxStatus,
    WebConnectorService,
    WorkHandle,
    load_settings,
)
from sfqb.connectors.qbd.webconnector.tickets import ticket_key
from sfqb.domain.status import DecodedStatus
from sfqb.store import Store

from .conftest import Clock
from .test_service import HOST, answer, message_set

NOW = load_settings(answer_within=0)
NO_ERROR = "No error: sfqb has nothing more to send."


class HeldWork:
    """A cycle that runs only when the test moves it: begin keeps the handle."""

    def __init__(self) -> None:
        self.handles: list[WorkHandle] = []
        self.delivered: list[OutboxItem] = []

    def begin(self, company: str, handle: WorkHandle) -> bool:
        self.handles.append(handle)
        return True

    def wait(self, company: str, seconds: float) -> bool:
        """Nothing to wait for: the test moves the cycle (and says through the store whether
        it runs)."""
        return False

    def deliver(self, company: str, item: OutboxItem) -> None:
        self.delivered.append(item)

    def outage(self, company: str, status: DecodedStatus) -> None:
        """Not used here."""


def _served(store: Store, catalog: Catalog, clock: Clock) -> tuple[HeldWork, WebConnectorService]:
    work = HeldWork()
    return work, WebConnectorService(store, work, catalog, clock, NOW)


def _send(service: WebConnectorService, ticket: str, hcp: str = "") -> str:
    return service.send_request_xml(ticket, hcp, "", "US", 13, 0)


def test_calls_pause_while_the_cycle_works_then_serve_what_it_queued(
    store: Store, catalog: Catalog, clock: Clock
) -> None:
    work, service = _served(store, catalog, clock)
    ticket, verdict = service.authenticate("acme", "s3cret")
    assert verdict == "" and len(work.handles) == 1  # the session opens; the cycle is at work
    assert _send(service, ticket, HOST) == ""
    assert service.get_last_error(ticket) == "NoOp"  # QBWC pauses 5 s and asks again
    handle = work.handles[0]
    handle.enqueue(message_set("CustomerAddRq"))
    assert "CustomerAddRq" in _send(service, ticket)
    assert service.receive_response_xml(ticket, answer(), "", "") < 100  # not done yet
    assert work.delivered[-1].status is OutboxStatus.ANSWERED
    assert _send(service, ticket) == "" and service.get_last_error(ticket) == "NoOp"
    handle.done()
    assert _send(service, ticket) == "" and service.get_last_error(ticket) == NO_ERROR
    assert len(work.handles) == 1  # one cycle for the session


def test_a_failed_cycle_is_told_by_getlasterror(
    store: Store, catalog: Catalog, clock: Clock
) -> None:
    work, service = _served(store, catalog, clock)
    ticket, _ = service.authenticate("acme", "s3cret")
    work.handles[0].done("Salesforce refused the login")
    assert _send(service, ticket, HOST) == ""
    assert "Salesforce refused the login" in service.get_last_error(ticket)


def test_what_a_cycle_queued_and_never_sent_is_withdrawn_when_its_session_closes(
    store: Store, catalog: Catalog, clock: Clock
) -> None:
    work, service = _served(store, catalog, clock)
    ticket, _ = service.authenticate("acme", "s3cret")
    first = work.handles[0]
    item = first.enqueue(message_set("CustomerAddRq"))
    service.close_connection(ticket)
    withdrawn = store.item(item)
    assert withdrawn is not None and withdrawn.status is OutboxStatus.FAILED
    assert withdrawn.sent_at is None and not first.renew()  # the old cycle must stop
    late = first.enqueue(message_set("InvoiceAddRq"))  # queued as the session ended
    again, verdict = service.authenticate("acme", "s3cret")
    assert verdict == "" and len(work.handles) == 2  # a new cycle, none of the old batch
    assert _send(service, again, HOST) == "" and service.get_last_error(again) == "NoOp"
    first.withdraw()  # what the old cycle does when it stops
    stale = store.item(late)
    assert stale is not None and stale.status is OutboxStatus.FAILED and stale.sent_at is None


def test_another_service_takes_over_the_cycle_of_a_process_that_died(
    store: Store, catalog: Catalog, clock: Clock
) -> None:
    dead, alive = HeldWork(), HeldWork()
    one = WebConnectorService(store, dead, catalog, clock, NOW)
    two = WebConnectorService(store, alive, catalog, clock, NOW)
    ticket, _ = one.authenticate("acme", "s3cret")
    assert _send(two, ticket, HOST) == ""  # the first cycle still holds its lease
    assert not alive.handles
    clock.advance(NOW.lease.total_seconds() + 1)  # nobody renewed it: its process died
    two.get_last_error(ticket)  # the Web Connector's calls keep the session itself alive
    assert _send(two, ticket) == "" and len(alive.handles) == 1
    assert not dead.handles[0].renew()  # had it lived on, it would stop now
    alive.handles[0].enqueue(message_set("CustomerAddRq"))
    assert "CustomerAddRq" in _send(two, ticket)
    assert store.get_session(ticket_key(ticket)) is not None


def test_a_cycle_of_this_process_is_never_taken_over_by_its_own_service(
    store: Store, catalog: Catalog, clock: Clock
) -> None:
    work, service = _served(store, catalog, clock)
    ticket, _ = service.authenticate("acme", "s3cret")
    clock.advance(NOW.lease.total_seconds() + 1)
    assert _send(service, ticket, HOST) == "" and service.get_last_error(ticket) == "NoOp"
    assert len(work.handles) == 1 and work.handles[0].renew()


def test_no_work_source_answers_none_at_once(store: Store, catalog: Catalog, clock: Clock) -> None:
    service = WebConnectorService(store, NoWorkSource(), catalog, clock, NOW)
    assert service.authenticate("acme", "s3cret")[1] == "none"


def test_the_answer_is_delivered_decoded_so_the_cycle_does_not_parse_it_again(
    store: Store, catalog: Catalog, clock: Clock
) -> None:
    work, service = _served(store, catalog, clock)
    ticket, _ = service.authenticate("acme", "s3cret")
    work.handles[0].enqueue(message_set("CustomerAddRq"))
    assert "CustomerAddRq" in _send(service, ticket, HOST)
    service.receive_response_xml(ticket, answer(), "", "")
    delivered = work.delivered[-1]
    assert delivered.parsed is not None
    assert [r.request_type for r in delivered.parsed] == ["CustomerAdd"]
    stored = store.item(delivered.id)
    assert stored is not None and stored.parsed is None  # the store keeps the text only


class BusyWork(HeldWork):
    """A cycle of this process at work: `wait` says so, and on its third call it queues."""

    def __init__(self) -> None:
        super().__init__()
        self.waits = 0

    def wait(self, company: str, seconds: float) -> bool:
        self.waits += 1
        if self.waits == 3:
            self.handles[0].enqueue(message_set("CustomerAddRq"))
        return True


def test_a_call_waiting_on_a_cycle_of_its_own_process_does_not_look_it_up_again(
    store: Store, catalog: Catalog, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each look at the store while the cycle decides its next batch was three queries; once
    # the session's cycle is seen held here, and this process hears it still at work, the
    # queue is the only thing to look at.
    work = BusyWork()
    service = WebConnectorService(store, work, catalog, clock, load_settings(answer_within=60))
    looked: list[str] = []
    real = store.session_work
    monkeypatch.setattr(store, "session_work", lambda key: looked.append(key) or real(key))
    ticket, verdict = service.authenticate("acme", "s3cret")  # starts the cycle, waits for it
    assert verdict == "" and work.waits == 3
    assert len(looked) == 2  # none yet (so it began), then held here: no look after a wait
    assert "CustomerAddRq" in _send(service, ticket, HOST)
