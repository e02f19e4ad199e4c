"""POST /qbo/webhooks and GET /qbo/callback: signed notifications in both of Intuit's formats,
de-duplicated and stored for a worker; the callback completes the same exchange as the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import respx
from fastapi.testclient import TestClient
from tests.conftest import KEY

from sfqb.codes import load_catalog
from sfqb.connectors.qbd.webconnector.soap import SoapEndpoint
from sfqb.connectors.qbo.api import Environment
from sfqb.connectors.qbo.oauth import TOKEN_URL, OAuthApp, Tokens
from sfqb.connectors.qbo.webhooks import signature_of
from sfqb.jobs.alerts import AlertCenter
from sfqb.jobs.circuit import Circuit
from sfqb.jobs.qbo_connection import QboConnections
from sfqb.jobs.qbo_webhooks import WebhookInbox
from sfqb.store import SecretBox, Store
from sfqb.web import WebServices, create_app
from sfqb.web.qbo import QboWeb

T0 = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
VERIFIER = "app-verifier-token"
APP = OAuthApp("client-1", "secret-1", "https://sfqb.example/qbo/callback")

LEGACY = {"eventNotifications": [{"realmId": "9130", "dataChangeEvent": {"entities": [
    {"name": "Customer", "id": "1", "operation": "Create", "lastUpdated": "2026-01-15T09:00:00Z"},
    {"name": "Customer", "id": "2", "operation": "Merge", "lastUpdated": "2026-01-15T09:01:00Z",
     "deletedId": "7"},
]}}]}  # fmt: skip
# developer.intuit.com, "Understanding the data object": a CloudEvents array.
CLOUD = [
    {"specversion": "1.0", "id": "e-1", "source": "intuit.x", "type": "qbo.salesreceipt.created.v1",
     "datacontenttype": "application/json", "time": "2026-01-15T09:02:00Z",
     "intuitentityid": "55", "intuitaccountid": "9130", "data": {}},
    {"specversion": "1.0", "id": "e-2", "source": "intuit.x", "type": "qbo.customer.merged.v1",
     "time": "2026-01-15T09:03:00Z", "intuitentityid": "123", "intuitaccountid": "9130",
     "data": {"deletedid": "27"}},
]  # fmt: skip


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    made = Store.from_url(f"sqlite:///{tmp_path / 'sfqb.sqlite'}", secrets=SecretBox(KEY))
    made.migrate()
    pending = made.qbo_tokens.begin("acme", Environment.SANDBOX)
    made.qbo_tokens.connect(pending, "9130", APP, Tokens("a", "r", T0, None))
    yield made
    made.engine.dispose()


def client_for(store: Store, on_new: Callable[[], None] | None = None) -> TestClient:
    clock = lambda: T0  # noqa: E731
    catalog = load_catalog()
    alerts = AlertCenter(store, lambda s: [], clock)
    circuit = Circuit(store, alerts, clock, catalog=catalog)
    connections = QboConnections(store, circuit, alerts, catalog, clock)
    web = QboWeb(connections, lambda env: APP, WebhookInbox(store, VERIFIER, on_new))
    return TestClient(create_app(WebServices(SoapEndpoint.__new__(SoapEndpoint), web)))


def post(client: TestClient, payload: object, key: str = VERIFIER, signature: str | None = None):  # type: ignore[no-untyped-def]
    body = json.dumps(payload).encode()
    sig = signature if signature is not None else signature_of(body, key)
    return client.post("/qbo/webhooks", content=body, headers={"intuit-signature": sig})


def test_a_legacy_notification_is_stored_for_the_company(store: Store) -> None:
    answer = post(client_for(store), LEGACY)
    assert answer.status_code == 200
    taken = WebhookInbox(store, VERIFIER).take("acme")
    assert [(c.change.entity, c.change.entity_id, c.change.operation) for c in taken] == [
        ("Customer", "1", "Create"), ("Customer", "2", "Merge"),
    ]  # fmt: skip
    assert taken[1].change.deleted_id == "7"
    assert WebhookInbox(store, VERIFIER).take("acme") == []  # taken once


def test_a_cloudevents_notification_is_stored_with_the_apis_names(store: Store) -> None:
    assert post(client_for(store), CLOUD).status_code == 200
    changes = [c.change for c in store.qbo_events.take("acme")]
    assert [(c.entity, c.entity_id, c.operation, c.deleted_id) for c in changes] == [
        ("SalesReceipt", "55", "Create", None), ("Customer", "123", "Merge", "27"),
    ]  # fmt: skip


def test_the_same_notification_twice_is_stored_once(store: Store) -> None:
    client = client_for(store)
    assert post(client, LEGACY).status_code == 200
    assert post(client, LEGACY).status_code == 200
    assert store.qbo_events.pending_count("acme") == 2


@pytest.mark.parametrize("signature", ["", "bm90IHRoZSBzaWduYXR1cmU=", None])
def test_a_bad_signature_is_401_and_stores_nothing(store: Store, signature: str | None) -> None:
    client = client_for(store)
    if signature is None:
        answer = post(client, LEGACY, key="another-apps-token")
    else:
        answer = post(client, LEGACY, signature=signature)
    assert answer.status_code == 401
    assert store.qbo_events.pending_count("acme") == 0


def test_an_unsigned_garbage_body_is_401_a_signed_one_400(store: Store) -> None:
    client = client_for(store)
    body = b"not json"
    assert client.post("/qbo/webhooks", content=body).status_code == 401
    signed = {"intuit-signature": signature_of(body, VERIFIER)}
    assert client.post("/qbo/webhooks", content=body, headers=signed).status_code == 400


def test_changes_of_realms_sfqb_does_not_serve_are_dropped(store: Store) -> None:
    item = {"name": "Item", "id": "9", "operation": "Update", "lastUpdated": "2026-01-15"}
    other = {"eventNotifications": [{"realmId": "4444", "dataChangeEvent": {"entities": [item]}}]}
    assert post(client_for(store), other).status_code == 200
    assert store.qbo_events.pending_count("acme") == 0


@respx.mock
def test_the_callback_completes_the_authorization(store: Store) -> None:
    respx.post(TOKEN_URL).respond(json={"access_token": "a9", "refresh_token": "r9",
                                        "expires_in": 3600})  # fmt: skip
    pending = store.qbo_tokens.begin("beta", Environment.PRODUCTION)
    client = client_for(store)
    answer = client.get(f"/qbo/callback?code=c1&state={pending.state}&realmId=777")
    assert answer.status_code == 200
    assert "connected to QuickBooks Online company 777 as beta" in answer.text
    assert store.qbo_tokens.current("beta") == ("a9", T0 + timedelta(hours=1))
    again = client.get(f"/qbo/callback?code=c1&state={pending.state}&realmId=777")
    assert again.status_code == 400 and "no authorization sfqb is waiting for" in again.text


def test_new_changes_wake_the_scheduler_and_nothing_else_does(store: Store) -> None:
    woken: list[str] = []
    client = client_for(store, lambda: woken.append("now"))
    assert post(client, LEGACY).status_code == 200
    assert woken == ["now"]  # the company's cycle is looked at now, not at the next poll
    assert post(client, LEGACY).status_code == 200  # a repeat brings nothing new
    assert post(client, CLOUD, key="another-apps-token").status_code == 401
    other = json.loads(json.dumps(LEGACY).replace('"9130"', '"5555"'))
    assert post(client, other).status_code == 200  # a realm sfqb does not serve
    assert woken == ["now"]
