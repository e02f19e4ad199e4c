"""A lost QuickBooks Online connection pauses the company with exactly one reconnect alert; a
refresh token near the end of its life is warned about once; reconnecting resumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from tests.store.qbo_fakes import APP, T0, Clock, RotatingTokenEndpoint, store_for

from sfqb.codes import load_catalog
from sfqb.connectors.qbo.api import Environment, QboAuthLost
from sfqb.connectors.qbo.oauth import Tokens
from sfqb.domain.policy import AlertSettings, CompanyPolicy
from sfqb.jobs.alerts import AlertCenter, AlertKind, AlertMessage
from sfqb.jobs.circuit import Circuit
from sfqb.jobs.qbo_connection import QboConnections, reconnect_message
from sfqb.store import Store

MAIL = AlertSettings(email_to=("ops@acme.example",))


@dataclass
class Outbox:
    name: str = "fake"
    sent: list[AlertMessage] = field(default_factory=list)

    def send(self, message: AlertMessage) -> None:
        self.sent.append(message)


@dataclass
class World:
    store: Store
    clock: Clock
    outbox: Outbox
    circuit: Circuit
    qbo: QboConnections
    endpoint: RotatingTokenEndpoint


@pytest.fixture
def world(isolated_url: str):  # type: ignore[no-untyped-def]
    clock, outbox, endpoint = Clock(), Outbox(), RotatingTokenEndpoint()
    store = store_for(isolated_url, clock, endpoint)
    store.migrate()
    catalog = load_catalog()
    alerts = AlertCenter(store, lambda settings: [outbox], clock)
    circuit = Circuit(store, alerts, clock, catalog=catalog)
    qbo = QboConnections(store, circuit, alerts, catalog, clock, endpoint.factory(clock))
    pending = store.qbo_tokens.begin("acme", Environment.SANDBOX)
    store.qbo_tokens.connect(pending, "9130", APP, Tokens("a0", "r0", T0 + timedelta(hours=1),
                                                          T0 + timedelta(days=100)))  # fmt: skip
    yield World(store, clock, outbox, circuit, qbo, endpoint)
    store.engine.dispose()


def _lose(world: World) -> QboAuthLost:
    world.endpoint.valid.clear()  # the admin disconnected sfqb in QuickBooks Online
    with pytest.raises(QboAuthLost) as caught:
        world.qbo.tokens("acme").refresh("a0")
    return caught.value


def test_a_lost_connection_pauses_the_company_with_one_alert(world: World) -> None:
    error = _lose(world)
    world.qbo.lost("acme", error, MAIL)
    world.qbo.lost("acme", error, MAIL)  # a second worker meets it too
    assert world.circuit.is_open("acme")
    cause = world.circuit.state("acme").cause
    assert cause is not None and cause.known and cause.code == "QBO_AUTH_LOST"
    # The circuit's own escalation later finds the opening's alert already raised.
    world.clock.now = T0 + timedelta(hours=2)
    world.circuit.escalate("acme", CompanyPolicy(), world.clock.now)
    assert len(world.outbox.sent) == 1
    sent = world.outbox.sent[0]
    assert reconnect_message("acme") in sent.body
    assert (
        "QuickBooks Online no longer accepts sfqb's connection for company acme: reconnect with "
        "sfqb connect qbo --company acme" in sent.body
    )
    assert len(world.store.alerts.items("acme")) == 1
    with pytest.raises(QboAuthLost):  # nothing else: no more calls to Intuit
        world.qbo.tokens("acme").access_token()
    assert world.endpoint.refreshes == ["r0"]


def test_reconnecting_resumes_the_company_and_resolves_the_alert(world: World) -> None:
    world.qbo.lost("acme", _lose(world), MAIL)
    started = world.qbo.begin("acme", Environment.SANDBOX, APP)
    url = f"{APP.redirect_uri}?code=c&state={started.state}&realmId=9130"
    world.qbo.complete(url, lambda env: APP)
    assert not world.circuit.is_open("acme")
    assert world.store.alerts.items("acme") == []
    assert world.qbo.tokens("acme").access_token() == "a1"


def test_a_refresh_token_near_its_end_is_warned_about_once(world: World) -> None:
    assert world.qbo.check_expiry("acme", MAIL, T0 + timedelta(days=60)) is None
    near = T0 + timedelta(days=75)  # the rolling expiry is 25 days away
    first = world.qbo.check_expiry("acme", MAIL, near)
    assert first is not None and first.kind == AlertKind.QBO_RECONNECT_SOON
    assert "sfqb connect qbo --company acme" in first.body
    assert world.qbo.check_expiry("acme", MAIL, near + timedelta(days=1)) is None
    assert len(world.outbox.sent) == 1


def test_the_five_year_maximum_is_warned_about_though_refreshes_roll_on(world: World) -> None:
    tokens = world.qbo.tokens("acme")
    world.clock.now = T0 + timedelta(days=5 * 365 - 20)
    world.store.qbo_tokens.refresh("acme", "a0", timedelta(minutes=5))  # rolling expiry renewed
    found = world.store.qbo_tokens.get("acme")
    assert found is not None and found.reconnect_by == T0 + timedelta(days=5 * 365)
    assert world.qbo.check_expiry("acme", MAIL, world.clock.now) is not None
    assert tokens.access_token() == "a1"
