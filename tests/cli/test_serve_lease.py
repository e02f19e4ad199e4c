"""Issue 10: `sfqb serve` killed mid-session releases its company once its lease lapses.

A real `sfqb serve` subprocess (the chaos run's Worker) is killed with SIGKILL right after
QuickBooks applied a message set and before its reply reached sfqb. Without the lease the
company stays busy for the whole session timeout (600 s); with it, the next Web Connector run
against a new `sfqb serve` takes the company over and finishes the work.
"""

from __future__ import annotations

import random
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sfqb.cli.qbd import demo_message_sets
from sfqb.connectors.qbd.webconnector import OutboxStatus
from sfqb.sandbox.chaos import ChaosOptions, Worker, worker_env
from sfqb.sandbox.qbd import CompanyFile, SandboxSettings
from sfqb.sandbox.qbd.webconnector_client import (
    Outcome,
    QuickBooksProcessor,
    RunResult,
    WebConnectorClient,
)
from sfqb.store import Store, generate_key

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

LOGIN = ("acme", "pw")
LEASE_SECONDS = 2
ATTEMPTS = 120  # bounds the wait for the lease to lapse: 120 runs 0.25 s apart at most


def _now() -> datetime:
    return datetime.now(UTC)


class KilledAfterApplying:
    """QuickBooks applies sfqb's first message set (after the stand-in's host queries), then
    the worker dies before the reply reaches it."""

    def __init__(self, company: CompanyFile, worker: Worker) -> None:
        self.company = company
        self._worker = worker
        self._calls = 0
        self.killed = False

    def process(self, request_xml: str) -> str:
        response = self.company.process(request_xml)
        self._calls += 1
        if self._calls == 2:
            self.killed = self._worker.kill()
        return response


def _run(worker: Worker, quickbooks: QuickBooksProcessor) -> RunResult:
    client = WebConnectorClient(
        f"{worker.endpoint}?wsdl", quickbooks, address=worker.endpoint, timeout=30
    )
    return client.run(*LOGIN)


def _acme_with_work(url: str, workdir: Path) -> tuple[Store, Worker]:
    """A store with company Acme and two message sets queued; an `sfqb serve` over it (not
    started) with the default session timeout (600 s), so only the lease can free Acme."""
    store = Store.from_url(url)
    store.migrate()
    company = store.create_company("Acme", *LOGIN)
    for message_set in demo_message_sets(_now()):
        store.enqueue(company.id, message_set)
    env = worker_env(workdir, generate_key(), ChaosOptions())
    env["SFQB_DATABASE_URL"] = url
    return store, Worker(env, workdir, 600, ("--lease-seconds", str(LEASE_SECONDS)))


def test_a_killed_serve_releases_the_company_when_its_lease_lapses(
    isolated_url: str, tmp_path: Path
) -> None:
    store, worker = _acme_with_work(isolated_url, tmp_path)
    company = store.company("Acme")
    assert company is not None
    quickbooks = CompanyFile(SandboxSettings(), _now, random.Random(10))
    try:
        worker.start()
        dying = KilledAfterApplying(quickbooks, worker)
        with pytest.raises(Exception, match=r"(?i)connect"):
            _run(worker, dying)
        assert dying.killed and not worker.alive
        (killed,) = store.open_sessions(company.id)  # the dead process's session holds it

        worker.start()
        outcomes: list[Outcome] = []
        for _ in range(ATTEMPTS):
            outcomes.append(_run(worker, quickbooks).outcome)
            if outcomes[-1] is not Outcome.BUSY:
                break
            time.sleep(0.25)
    finally:
        worker.stop()
    try:
        assert outcomes[-1] is Outcome.DONE, (outcomes, [p.read_text() for p in worker.logs])
        old = store.get_session(killed.ticket)
        assert old is not None and old.closed and "lease" in old.last_error
        first, second = store.outbox("Acme")
        assert first.status is OutboxStatus.FAILED
        assert first.summary == "reply never arrived (the sfqb process serving the session stopped)"
        assert second.status is OutboxStatus.ANSWERED
        assert store.open_sessions(company.id) == []  # closeConnection ended the new one
        # QuickBooks applied the first set before the kill: the customer exists once.
        assert len(quickbooks.customers()) == 1
    finally:
        store.engine.dispose()


class HeldInQuickBooks:
    """QuickBooks works on sfqb's first message set for longer than the lease."""

    def __init__(self, company: CompanyFile, hold_seconds: float) -> None:
        self.company = company
        self._hold = hold_seconds
        self._calls = 0
        self.holding = threading.Event()

    def process(self, request_xml: str) -> str:
        self._calls += 1
        if self._calls == 2:
            self.holding.set()
            time.sleep(self._hold)
        return self.company.process(request_xml)


def test_a_live_serve_keeps_its_session_past_the_lease(isolated_url: str, tmp_path: Path) -> None:
    """The heartbeat of `sfqb serve` renews the lease while QuickBooks works between two
    calls, so a second Web Connector run stays busy instead of taking the company over."""
    store, worker = _acme_with_work(isolated_url, tmp_path)
    quickbooks = CompanyFile(SandboxSettings(), _now, random.Random(11))
    held = HeldInQuickBooks(quickbooks, hold_seconds=4 * LEASE_SECONDS)
    first: list[RunResult] = []
    try:
        worker.start()
        running = threading.Thread(target=lambda: first.append(_run(worker, held)))
        running.start()
        assert held.holding.wait(timeout=60)
        time.sleep(2 * LEASE_SECONDS)  # past the lease the session started with
        second = _run(worker, quickbooks).outcome
        running.join(timeout=120)
    finally:
        worker.stop()
    try:
        assert second is Outcome.BUSY
        assert [run.outcome for run in first] == [Outcome.DONE]
        assert [item.status for item in store.outbox("Acme")] == [OutboxStatus.ANSWERED] * 2
    finally:
        store.engine.dispose()
