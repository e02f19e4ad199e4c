"""CycleWorkSource with a circuit, driven by the Web Connector stand-in over real SOAP."""

from __future__ import annotations

import random

import pytest

from sfqb.connectors.qbd.webconnector import SoapEndpoint, WebConnectorService
from sfqb.domain.policy import AlertSettings, CompanyPolicy
from sfqb.jobs.alerts import AlertCenter, AlertMessage
from sfqb.jobs.circuit import Circuit
from sfqb.jobs.qbwc import CycleWorkSource
from sfqb.jobs.runner import CycleReport
from sfqb.sandbox.qbd.webconnector_client import Outcome, WebConnectorClient
from sfqb.sandbox.salesforce import seed
from sfqb.store import AlertStatus, RunStatus
from sfqb.web import WebServices, create_app
from sfqb.web.server import running_server

from .conftest import IN_STEP, World

pytestmark = pytest.mark.desktop_only(
    "the Web Connector's work source is QuickBooks Desktop's; QuickBooks Online's connection "
    "and circuit are in tests/jobs/test_qbo_connection.py"
)


class Outbox:
    name = "webhook"

    def __init__(self) -> None:
        self.sent: list[AlertMessage] = []

    def send(self, message: AlertMessage) -> None:
        self.sent.append(message)


def test_a_connection_error_trips_the_circuit_and_the_next_session_closes_it(
    world: World,
) -> None:
    seed(world.sf.org, 3, random.Random(5))
    world.store.create_company("demo", "demo", "demo")
    outbox = Outbox()
    alerts = AlertCenter(world.store, lambda settings: [outbox], world.clock)
    circuit = Circuit(world.store, alerts, world.clock, catalog=world.catalog)
    reports: list[CycleReport] = []
    source = CycleWorkSource(
        lambda company: world.runner, world.catalog, on_report=reports.append, circuit=circuit
    )
    service = WebConnectorService(world.store, source, world.catalog, world.clock, IN_STEP)
    policy = CompanyPolicy(
        alerts=AlertSettings(webhook_url="https://h.example", connector_down_minutes=30)
    )
    with running_server(create_app(WebServices(SoapEndpoint(service)))) as base:
        client = WebConnectorClient(f"{base}/qbwc?wsdl", world.qb)
        world.qb.faults.connector_down_next(1)
        down = client.run("demo", "demo")
        assert down.outcome is Outcome.CONNECTION_ERROR
        source.join("demo", 60)  # the cycle beside the session stops when it hears of it
        state = circuit.state("demo")
        assert state.is_open and state.cause is not None
        assert state.cause.system is not None and state.cause.code.lower() == "0x80040408"
        assert (
            reports[-1].aborted and world.store.journal.runs("demo")[0].status is RunStatus.FAILED
        )
        world.clock.advance(31 * 60)
        assert circuit.escalate("demo", policy, world.clock()) is not None
        assert len(outbox.sent) == 1 and outbox.sent[0].kind == "connector_down"

        world.clock.advance(60)
        back = client.run("demo", "demo")  # the Web Connector's next call is the probe
        assert back.outcome is Outcome.DONE
        state = circuit.state("demo")
        assert not state.is_open and state.last_contact is not None
        assert reports[-1].synced["account_to_customer"] == 3
        assert all(a.status is AlertStatus.RESOLVED for a in world.store.alerts.items("demo", None))
        assert len(outbox.sent) == 1  # no second alert for the same opening
