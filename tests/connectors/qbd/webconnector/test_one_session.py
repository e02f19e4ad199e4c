"""One live Web Connector session per company (issue 10), on SQLite and PostgreSQL.

The Web Connector's authenticate answers "busy" in its second string when the application
cannot take the session now (QBWC shows "Application Busy"; QuickBooks Web Connector
Programmer's Guide, authenticate; protocols.md §3.2 and §1). Two sessions of one company would
run two sync cycles against one company file, so the store makes the grant atomic.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

from sfqb.codes import Catalog
from sfqb.connectors.qbd.webconnector import (
    LeaseHeartbeat,
    WebConnectorService,
    load_settings,
)
from sfqb.connectors.qbd.webconnector.tickets import ticket_key
from sfqb.store import Store

from .conftest import Clock, RecordingWork
from .test_service import answer, message_set

THREADS = 8
TRIALS = 30


def _race(services: list[WebConnectorService], username: str) -> list[list[str]]:
    """Every service calls authenticate at the same moment, each from its own thread."""
    barrier = threading.Barrier(len(services))
    answers: list[list[str]] = [[] for _ in services]

    def call(number: int) -> None:
        barrier.wait()
        answers[number] = services[number].authenticate(username, "pw")

    threads = [threading.Thread(target=call, args=(n,)) for n in range(len(services))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_simultaneous_authenticates_grant_exactly_one_session(
    db: Store, catalog: Catalog, clock: Clock
) -> None:
    # One service per thread, as if each call reached another `sfqb serve` process.
    services = [WebConnectorService(db, RecordingWork(), catalog, clock) for _ in range(THREADS)]
    for trial in range(TRIALS):
        company = db.create_company(f"Co {trial}", f"co{trial}", "pw")
        db.enqueue(company.id, message_set())
        answers = _race(services, f"co{trial}")
        verdicts = Counter(verdict for _, verdict in answers)
        assert verdicts == {"": 1, "busy": THREADS - 1}, (trial, verdicts)
        granted = [ticket for ticket, verdict in answers if verdict == ""]
        assert [s.ticket for s in db.open_sessions(company.id)] == [
            ticket_key(t) for t in granted
        ], trial


def test_a_lapsed_lease_is_taken_over_by_one_caller_only(
    db: Store, catalog: Catalog, clock: Clock
) -> None:
    """The owner of a session stopped renewing its lease (its process died): one new caller
    takes the company over, the others stay busy, and the dead session's set is failed."""
    work = RecordingWork()
    services = [WebConnectorService(db, work, catalog, clock) for _ in range(THREADS)]
    company = db.create_company("Acme", "acme", "pw")
    for _ in range(2):
        db.enqueue(company.id, message_set())
    dead = services[0]
    ticket, verdict = dead.authenticate("acme", "pw")
    assert verdict == ""
    assert dead.send_request_xml(ticket, "", "", "US", 13, 0)  # in flight when it "dies"
    lease = load_settings().lease
    clock.advance(lease.total_seconds() / 2)
    assert services[1].authenticate("acme", "pw")[1] == "busy"  # the lease still holds
    clock.advance(lease.total_seconds())
    answers = _race(services[1:], "acme")
    verdicts = Counter(verdict for _, verdict in answers)
    assert verdicts == {"": 1, "busy": THREADS - 2}, verdicts
    winner = next(t for t, v in answers if v == "")
    old = db.get_session(ticket_key(ticket))
    assert old is not None and old.closed and "lease" in old.last_error
    assert [item.summary for item in work.delivered] == [
        "reply never arrived (the sfqb process serving the session stopped)"
    ]
    # The dead session's calls are refused; the new one carries on.
    assert dead.receive_response_xml(ticket, answer(), "", "") < 0
    assert services[1].send_request_xml(winner, "", "", "US", 13, 0)
    assert [s.ticket for s in db.open_sessions(company.id)] == [ticket_key(winner)]


def test_a_renewed_lease_keeps_the_company_busy(db: Store, catalog: Catalog, clock: Clock) -> None:
    """While its process lives the lease is renewed (per call and by the heartbeat), so a
    session waiting on a slow QuickBooks is never taken over before the session timeout."""
    owner = WebConnectorService(db, RecordingWork(), catalog, clock)
    other = WebConnectorService(db, RecordingWork(), catalog, clock)
    company = db.create_company("Acme", "acme", "pw")
    db.enqueue(company.id, message_set())
    ticket, _ = owner.authenticate("acme", "pw")
    lease = owner.settings.lease
    for _ in range(4):
        clock.advance(lease.total_seconds() * 0.6)
        owner.renew_leases()
        assert other.authenticate("acme", "pw")[1] == "busy"
    # The Web Connector itself went silent for the session timeout: abandoned after all.
    clock.advance(owner.settings.session_timeout.total_seconds())
    owner.renew_leases()
    assert other.authenticate("acme", "pw")[1] == ""
    old = db.get_session(ticket_key(ticket))
    assert old is not None and old.closed and "abandoned" in old.last_error


def test_the_heartbeat_renews_the_lease_between_calls(
    db: Store, catalog: Catalog, clock: Clock
) -> None:
    service = WebConnectorService(db, RecordingWork(), catalog, clock)
    company = db.create_company("Acme", "acme", "pw")
    db.enqueue(company.id, message_set())
    ticket, _ = service.authenticate("acme", "pw")
    clock.advance(30)  # QuickBooks is working on a request: no call for a while
    expected = clock.now + service.settings.lease

    def lease_until() -> object:
        session = db.get_session(ticket_key(ticket))
        return session.lease_until if session else None

    heartbeat = LeaseHeartbeat(service, interval=0.01)
    heartbeat.start()
    try:
        deadline = time.monotonic() + 10  # bounded; the beat comes within milliseconds
        while lease_until() != expected and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        heartbeat.stop()
    assert lease_until() == expected


def test_no_work_leaves_no_session_behind(db: Store, catalog: Catalog, clock: Clock) -> None:
    service = WebConnectorService(db, RecordingWork(), catalog, clock)
    company = db.create_company("Acme", "acme", "pw")
    assert service.authenticate("acme", "pw")[1] == "none"
    assert db.open_sessions(company.id) == []
    assert db.last_contact("Acme") is None  # no session was opened
    db.enqueue(company.id, message_set())
    assert service.authenticate("acme", "pw")[1] == ""


def test_lease_is_a_setting() -> None:
    assert load_settings().lease == timedelta(seconds=45)
    assert load_settings(lease=timedelta(seconds=5)).lease == timedelta(seconds=5)
