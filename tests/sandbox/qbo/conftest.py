"""Fixtures: a QuickBooks Online sandbox on a manual clock and an httpx client on its app."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from sfqb.sandbox.qbo import QboConfig, QboSandbox
from sfqb.sandbox.salesforce.clock import ManualClock

REALM = "1234567890"


@pytest.fixture
def clock() -> ManualClock:
    """2026-01-15 09:00 UTC, moved only by the test."""
    return ManualClock(datetime(2026, 1, 15, 9, 0, tzinfo=UTC))


@pytest.fixture
def sandbox(clock: ManualClock) -> QboSandbox:
    """A seeded company with webhooks recorded instead of sent."""
    sent: list[tuple[str, bytes, dict[str, str]]] = []

    def sender(url: str, body: bytes, headers: dict[str, str]) -> int:
        sent.append((url, body, headers))
        return 200

    sb = QboSandbox(
        QboConfig(
            clock=clock, webhook_url="https://receiver.test/qbo/webhooks", verifier_token="verifier"
        ),
        sender=sender,
    )
    sb.sent = sent  # type: ignore[attr-defined]
    return sb


class Qbo:
    """Thin helpers over httpx for the tests (not a client: every call is plain HTTP)."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def url(self, rest: str) -> str:
        return f"/v3/company/{REALM}/{rest}"

    def get(self, rest: str, **params: Any) -> httpx.Response:
        params.setdefault("minorversion", "75")
        return self.http.get(self.url(rest), params=params)

    def post(self, rest: str, body: Any, **params: Any) -> httpx.Response:
        params.setdefault("minorversion", "75")
        return self.http.post(self.url(rest), params=params, json=body)

    def create(self, entity: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.post(entity.lower(), body)
        assert response.status_code == 200, response.text
        return response.json()[entity]

    def query(self, text: str) -> httpx.Response:
        return self.get("query", query=text)

    def fault(self, response: httpx.Response) -> dict[str, Any]:
        return response.json()["Fault"]["Error"][0]


@pytest.fixture
def http(sandbox: QboSandbox) -> Iterator[httpx.Client]:
    """httpx on the ASGI app, with the demo token and JSON."""
    # Starlette's TestClient is an httpx.Client on the ASGI app (ASGITransport is async-only).
    with TestClient(
        sandbox.app,
        base_url="http://qbo",
        headers={"Authorization": "Bearer demo", "Accept": "application/json"},
    ) as client:
        yield client


@pytest.fixture
def qbo(http: httpx.Client) -> Qbo:
    """Helpers bound to the client."""
    return Qbo(http)


def service_item(qbo: Qbo, name: str = "Consulting", taxable: bool = False) -> dict[str, Any]:
    """A Service item on the seeded Services income account."""
    return qbo.create(
        "Item",
        {"Name": name, "Type": "Service", "Taxable": taxable, "IncomeAccountRef": {"value": "2"}},
    )


def invoice_body(customer: str, item: str, qty: float = 2, price: float = 50) -> dict[str, Any]:
    """An invoice with one sales line."""
    return {
        "CustomerRef": {"value": customer},
        "Line": [
            {
                "Amount": qty * price,
                "DetailType": "SalesItemLineDetail",
                "SalesItemLineDetail": {"ItemRef": {"value": item}, "Qty": qty, "UnitPrice": price},
            }
        ],
    }
