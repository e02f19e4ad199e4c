"""The connector circuit: one opening and one alert across processes, silence, escalation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sfqb.codes import load_catalog
from sfqb.domain.policy import AlertSettings, CompanyPolicy
from sfqb.domain.status import System
from sfqb.jobs.alerts import AlertCenter, AlertMessage
from sfqb.jobs.circuit import Circuit
from sfqb.store import AlertStatus, Store

CATALOG = load_catalog()
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POLICY = CompanyPolicy(
    expected_contact_minutes=60,
    alerts=AlertSettings(webhook_url="https://hooks.example/sfqb", connector_down_minutes=30),
)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Outbox:
    name: str = "webhook"
    sent: list[AlertMessage] = field(default_factory=list)

    def send(self, message: AlertMessage) -> None:
        self.sent.append(message)


def _circuit(store: Store, clock: Clock, outbox: Outbox) -> Circuit:
    alerts = AlertCenter(store, lambda settings: [outbox], clock)
    return Circuit(store, alerts, clock, catalog=CATALOG)


def test_one_opening_and_one_alert_across_two_processes(db: Store) -> None:
    clock, outbox = Clock(), Outbox()
    first = _circuit(db, clock, outbox)
    second = _circuit(Store(db.engine, clock=clock), clock, outbox)  # another process
    cause = CATALOG.decode(System.HRESULT, "0x80040408", "Could not start QuickBooks.")
    assert first.trip("acme", cause) is True
    clock.now += timedelta(minutes=1)
    assert second.trip("acme", cause) is False
    assert second.is_open("acme")
    state = second.state("acme")
    assert state.since == T0 and state.cause is not None and state.cause.code == cause.code
    assert first.escalate("acme", POLICY, T0 + timedelta(minutes=29)) is None  # a blip: quiet
    for circuit in (first, second, first):
        circuit.escalate("acme", POLICY, T0 + timedelta(minutes=31))
    assert len(outbox.sent) == 1
    (alert,) = db.alerts.items("acme")
    assert alert.kind == "connector_down" and alert.key == "opening-1"
    assert "0x80040408" in outbox.sent[0].body and "31 minute(s)" in outbox.sent[0].body

    clock.now = T0 + timedelta(minutes=40)
    assert second.contact("acme") is True  # resumes by itself
    assert first.contact("acme") is False
    assert not first.is_open("acme") and first.state("acme").last_contact == clock.now
    assert db.alerts.get(alert.id).status is AlertStatus.RESOLVED  # type: ignore[union-attr]

    clock.now = T0 + timedelta(hours=2)
    assert first.trip("acme", cause) is True  # a new opening, a new alert
    second.escalate("acme", POLICY, clock.now + timedelta(minutes=30))
    assert [m.key for m in outbox.sent] == ["opening-1", "opening-2"]


def test_trip_with_a_zero_threshold_alerts_at_once(db: Store) -> None:
    clock, outbox = Clock(), Outbox()
    circuit = _circuit(db, clock, outbox)
    now = CompanyPolicy(
        alerts=AlertSettings(webhook_url="https://h.example", connector_down_minutes=0)
    )
    circuit.trip("acme", CATALOG.decode(System.TRANSPORT, "3000", None), now)
    circuit.trip("acme", CATALOG.decode(System.TRANSPORT, "3000", None), now)
    assert len(outbox.sent) == 1


def test_silence_trips_with_the_decoded_no_contact_status(db: Store) -> None:
    clock, outbox = Clock(), Outbox()
    circuit = _circuit(db, clock, outbox)
    assert circuit.check_silence("acme", POLICY, T0) is False  # no Web Connector login
    db.create_company("acme", "acme-qb", "pw")
    assert circuit.check_silence("acme", POLICY, T0 + timedelta(days=1)) is False  # never called
    circuit.contact("acme")
    assert circuit.check_silence("acme", POLICY, T0 + timedelta(minutes=60)) is False
    assert circuit.check_silence("acme", POLICY, T0 + timedelta(minutes=75)) is True
    state = circuit.state("acme")
    assert state.is_open and state.cause is not None
    assert state.cause.code == "QBWC_NO_CONTACT"
    assert state.cause.message == "The Web Connector has not called in for 75 minutes"
    assert "75 minutes" in state.cause.meaning
    assert circuit.check_silence("acme", POLICY, T0 + timedelta(minutes=90)) is False  # open
    circuit.watch("acme", POLICY, T0 + timedelta(minutes=75 + 30))
    assert [m.kind for m in outbox.sent] == ["connector_down"]
    assert "QBWC_NO_CONTACT" in outbox.sent[0].body


def test_a_notifier_failure_does_not_stop_the_circuit(db: Store) -> None:
    class Broken:
        name = "email"

        def send(self, message: AlertMessage) -> None:
            raise RuntimeError("smtp down")

    clock = Clock()
    circuit = Circuit(db, AlertCenter(db, lambda s: [Broken()], clock), clock, catalog=CATALOG)
    circuit.trip("acme", CATALOG.decode(System.TRANSPORT, "3000", None))
    alert = circuit.escalate("acme", POLICY, T0 + timedelta(hours=1))
    assert alert is not None and alert.error == "email: RuntimeError: smtp down"
    assert circuit.contact("acme") is True
