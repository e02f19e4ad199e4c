"""`sfqb serve` runs at most max_cycle_threads cycles beside Web Connector sessions at once
(issue 16); a session whose cycle waits for a thread is answered "NoOp", as when its cycle is
slow, and its cycle runs once a thread is free. No timing is asserted: a Salesforce check held
on an Event keeps the only thread busy.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from sfqb.connectors.qbd.webconnector import WebConnectorService, load_settings
from sfqb.connectors.qbd.webconnector.progress import NOOP
from sfqb.jobs.cycle_threads import BoundedThreads
from sfqb.jobs.qbwc import CycleWorkSource
from sfqb.jobs.runner import CycleReport
from sfqb.store import Store

from .conftest import CATALOG

HELD = 60.0  # a wait the test expects to end gives up after this long (fails, never hangs)


class Checks:
    """Runners whose Salesforce checks hold every cycle (so it ends there); the checks of
    `gated` companies wait for `gate`. Counts how many run at once."""

    def __init__(self, companies: list[str], gated: set[str]) -> None:
        self.gate = threading.Event()
        self.entered = {company: threading.Event() for company in companies}
        self.order: list[str] = []
        self._gated = gated
        self._lock = threading.Lock()
        self._now = self.most = 0

    def preflight(self, company: str) -> CycleReport:
        with self._lock:
            self._now += 1
            self.most = max(self.most, self._now)
            self.order.append(company)
        self.entered[company].set()
        if company in self._gated:
            assert self.gate.wait(HELD), "the test never let the check go on"
        with self._lock:
            self._now -= 1
        return CycleReport(company, 0, held="held by the test")


def _now() -> datetime:
    return datetime.now(UTC)


def _service(db: Store, checks: Checks, threads: int) -> tuple[WebConnectorService, Any]:
    runner: Any = checks
    source = CycleWorkSource(
        lambda company: runner, CATALOG, lock=db.cycle_lock, max_threads=threads
    )
    settings = load_settings(answer_within=0.05)
    return WebConnectorService(db, source, CATALOG, _now, settings), source


def test_the_default_bound_is_read_from_the_service_defaults() -> None:
    assert load_settings().max_cycle_threads == 8
    assert load_settings(max_cycle_threads=2).max_cycle_threads == 2


def test_a_session_waiting_for_a_cycle_thread_hears_noop_until_one_is_free(db: Store) -> None:
    names = ["acme", "globex", "initech"]
    for name in names:
        db.create_company(name, name, "pw")
    checks = Checks(names, gated={"acme"})
    service, source = _service(db, checks, threads=1)

    acme, verdict = service.authenticate("acme", "pw")
    assert verdict == ""  # its cycle runs: held in its Salesforce checks
    assert checks.entered["acme"].wait(HELD)
    sessions = {}
    for name in ("globex", "initech"):
        ticket, verdict = service.authenticate(name, "pw")
        assert verdict == "", name  # opened, its cycle waiting for the one thread
        sessions[name] = ticket
    for ticket in sessions.values():
        assert service.send_request_xml(ticket, "", "", "US", 13, 0) == ""
        assert service.get_last_error(ticket) == NOOP
    assert checks.order == ["acme"]
    assert source.threads.counts() == (1, 2)  # one running, two waiting for it

    checks.gate.set()
    for name in ("acme", "globex", "initech"):
        source.join(name, HELD)
    assert checks.order == ["acme", "globex", "initech"]  # their turns, in order
    assert checks.most == 1  # never two at once
    assert source.threads.counts() == (0, 0)
    for ticket in (acme, *sessions.values()):  # each cycle has ended: nothing more to send
        assert service.send_request_xml(ticket, "", "", "US", 13, 0) == ""
        assert service.get_last_error(ticket) != NOOP


def test_tasks_run_side_by_side_up_to_the_bound_and_the_rest_wait() -> None:
    both = threading.Barrier(3, timeout=HELD)  # passed only while two tasks run at once
    gate, third = threading.Event(), threading.Event()
    threads = BoundedThreads(2, name="sfqb-test-bound")

    def held() -> None:
        both.wait()
        assert gate.wait(HELD)

    threads.submit(held)
    threads.submit(held)
    threads.submit(third.set)
    both.wait()  # the two ran side by side
    assert threads.counts() == (2, 1) and not third.is_set()
    names = [t.name for t in threading.enumerate() if t.name.startswith("sfqb-test-bound")]
    assert len(names) == 2
    gate.set()
    assert third.wait(HELD)  # on a thread freed by one of them
