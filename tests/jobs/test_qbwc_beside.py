"""The Web Connector's calls never wait on Salesforce, and any service sharing the store can
answer any call of a session (the cycle runs beside the session; its state is in the store).

Driven by the Web Connector stand-in over real SOAP. No timing is asserted: a Salesforce read
held on an Event shows that the calls answered (NoOp) while it was still held.
"""

from __future__ import annotations

import logging
import random
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from sfqb.connectors.qbd.profile import QBD_PROFILE
from sfqb.connectors.qbd.webconnector import (
    SoapEndpoint,
    SoapReply,
    WebConnectorService,
    load_settings,
)
from sfqb.connectors.salesforce import ExistingSession, SalesforceConnector
from sfqb.jobs.gateway import Page, SalesforceGateway
from sfqb.jobs.qbwc import CycleWorkSource
from sfqb.jobs.runner import CycleReport, SyncRunner
from sfqb.mapping import Mapper, load_flows
from sfqb.sandbox.qbd.webconnector_client import Outcome, RunResult, WebConnectorClient
from sfqb.sandbox.salesforce import seed
from sfqb.store import QueueStatus, Store
from sfqb.web import WebServices, create_app
from sfqb.web.server import running_server

from .conftest import CATALOG, World

pytestmark = pytest.mark.desktop_only("the Web Connector serves QuickBooks Desktop only")

HELD = 60.0  # a held read gives up after this long (the test then fails, never hangs)


class HeldReads(SalesforceGateway):
    """Salesforce reads of changes that wait until the test opens `gate`."""

    def __init__(self, connector: SalesforceConnector) -> None:
        super().__init__(connector)
        self.gate = threading.Event()
        self.reading = threading.Event()

    def _hold(self) -> None:
        self.reading.set()
        assert self.gate.wait(HELD), "the test never let the Salesforce read go on"

    def read(self, *args: Any, **kwargs: Any) -> Any:
        self._hold()
        return super().read(*args, **kwargs)

    def read_pages(self, *args: Any, **kwargs: Any) -> Iterator[Page]:
        self._hold()
        yield from super().read_pages(*args, **kwargs)


def _connector(world: World) -> SalesforceConnector:
    sf = world.sf
    session = ExistingSession(sf.instance, sf.session_id)
    return SalesforceConnector(session, sf.requests_session(), CATALOG, clock=world.clock)


def _runner(world: World, store: Store, gateway: SalesforceGateway | None = None) -> SyncRunner:
    return SyncRunner(
        store, gateway or SalesforceGateway(_connector(world)), Mapper(load_flows()), CATALOG,
        clock=world.clock, rng=random.Random(3), profile=QBD_PROFILE,
    )  # fmt: skip


def test_no_call_waits_on_a_salesforce_read_the_session_pauses_until_work_is_ready(
    world: World,
) -> None:
    accounts = seed(world.sf.org, 3, random.Random(5)).accounts
    world.store.create_company("demo", "demo", "demo")
    held = HeldReads(_connector(world))
    runner = _runner(world, world.store, held)
    reports: list[CycleReport] = []
    source = CycleWorkSource(lambda company: runner, CATALOG, on_report=reports.append)
    settings = load_settings(answer_within=0.05)
    service = WebConnectorService(world.store, source, CATALOG, world.clock, settings)
    result: list[RunResult] = []
    with running_server(create_app(WebServices(SoapEndpoint(service)))) as base:
        # The stand-in gives up after max_rounds pauses: 0.1 s each outlasts HELD on a busy
        # machine (at 0.01 s it gave up before the read was released).
        client = WebConnectorClient(f"{base}/qbwc?wsdl", world.qb, noop_pause=0.1)
        session = threading.Thread(target=lambda: result.append(client.run("demo", "demo")))
        session.start()
        assert held.reading.wait(HELD)
        company = world.store.company("demo")
        assert company is not None
        # The session was opened and sendRequestXML answered "" + NoOp while the read is held:
        # authenticate did not wait on Salesforce (else no session would exist yet).
        paused = _wait_for(
            lambda: any(s.last_error == "NoOp" for s in world.store.open_sessions(company.id))
        )
        assert paused and not held.gate.is_set()
        held.gate.set()
        session.join(HELD)
    # The last answer may come while the cycle still writes back: QBWC then ends on "".
    assert result and result[0].outcome in (Outcome.DONE, Outcome.NOTHING_SENT)
    if result[0].outcome is Outcome.NOTHING_SENT:  # (after DONE, last_error is a pause's)
        assert result[0].last_error in ("", "No error: sfqb has nothing more to send.")
    assert result[0].pauses >= 1
    names = Counter(c.name for c in world.qb_records("customer"))
    assert len(names) == len(accounts) and set(names.values()) == {1}  # each account once
    assert [r.aborted for r in reports] == [""]
    rows = world.store.queue.open_items("demo")
    assert not [r for r in rows if r.status is QueueStatus.INFLIGHT]


class Alternating(SoapEndpoint):
    """A load balancer in front of two services: each call goes to the other one."""

    def __init__(self, one: SoapEndpoint, two: SoapEndpoint, service: WebConnectorService) -> None:
        super().__init__(service)
        self._ends = (one, two)
        self.served = [0, 0]
        self._lock = threading.Lock()

    def handle(self, body: bytes, client: str | None = None) -> SoapReply:
        with self._lock:
            turn = (self.served[0] + self.served[1]) % 2
            self.served[turn] += 1
        return self._ends[turn].handle(body, client)


def test_two_services_over_one_store_share_a_session_nothing_lost_or_duplicated(
    world: World, isolated_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="sfqb.jobs.qbwc")
    accounts = seed(world.sf.org, 4, random.Random(7)).accounts
    world.store.create_company("demo", "demo", "demo")
    other_store = Store.from_url(isolated_url)
    reports: list[CycleReport] = []
    settings = load_settings(answer_within=5)
    services = []
    for store in (world.store, other_store):
        runner = _runner(world, store)
        source = CycleWorkSource(lambda company, r=runner: r, CATALOG, on_report=reports.append)
        services.append(WebConnectorService(store, source, CATALOG, world.clock, settings))
    front = Alternating(SoapEndpoint(services[0]), SoapEndpoint(services[1]), services[0])
    try:
        with running_server(create_app(WebServices(front))) as base:
            client = WebConnectorClient(f"{base}/qbwc?wsdl", world.qb, noop_pause=0.01)
            first = client.run("demo", "demo")
            world.advance(5)
            second = client.run("demo", "demo")
    finally:
        other_store.engine.dispose()
    assert first.outcome is Outcome.DONE, first.last_error
    assert len(first.exchanges) > 1  # several round trips, answered by both services
    assert front.served[0] > 1 and front.served[1] > 1
    assert second.outcome in (Outcome.NO_WORK, Outcome.DONE)
    names = Counter(c.name for c in world.qb_records("customer"))
    assert len(names) == len(accounts) and set(names.values()) == {1}  # each account once
    assert reports and all(not r.aborted for r in reports)
    # One cycle a session, whichever service answered each call; the second had nothing to add.
    assert len(reports) == 2
    assert reports[0].synced["account_to_customer"] == len(accounts)
    assert reports[1].synced["account_to_customer"] == 0
    # The round trips of each sync are logged (and kept in its run's counts for sfqb status).
    trips = len(first.exchanges)
    assert reports[0].qb_batches == trips
    assert f"(run {reports[0].run_id}) ended: {trips} Web Connector round trip(s)" in caplog.text


def _wait_for(check: Any, tries: int = 600) -> bool:
    ready = threading.Event()
    for _ in range(tries):
        if check():
            return True
        ready.wait(0.1)
    return False
