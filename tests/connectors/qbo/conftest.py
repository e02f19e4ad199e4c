"""Fakes for the QuickBooks Online client: a simulated clock, a token source and a call meter."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from sfqb.codes.catalog import Catalog, load_catalog
from sfqb.connectors.qbo.api import QboAuthLost
from sfqb.connectors.qbo.client import Environment, QboClient, QboSettings
from sfqb.connectors.qbo.limits import Limits, RealmLimiter

DATA = Path(__file__).resolve().parents[2] / "data" / "qbo"
BASE = "https://sandbox-quickbooks.api.intuit.com"
REALM = "1234567890"
PREFIX = f"/v3/company/{REALM}"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CATALOG: Catalog = load_catalog()


class SimClock:
    """Seconds that pass only when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@dataclass
class FakeTokens:
    """Hands out `token-N`; refresh gives the next one, or raises when told the grant is gone."""

    issued: int = 1
    refused: list[str] = field(default_factory=list)
    revoked: bool = False

    def access_token(self) -> str:
        return f"token-{self.issued}"

    def refresh(self, rejected: str) -> str:
        self.refused.append(rejected)
        if self.revoked:
            raise QboAuthLost("invalid_grant", "Incorrect or invalid refresh token")
        self.issued += 1
        return f"token-{self.issued}"


@dataclass
class FakeMeter:
    reads: int = 0
    writes: int = 0

    def count(self, *, reads: int = 0, writes: int = 0) -> None:
        self.reads += reads
        self.writes += writes


@dataclass
class Rig:
    client: QboClient
    clock: SimClock
    tokens: FakeTokens
    meter: FakeMeter
    mock: respx.MockRouter
    limiter: RealmLimiter | None = None


@pytest.fixture
def rig() -> Iterator[Rig]:
    clock = SimClock()
    tokens, meter = FakeTokens(), FakeMeter()
    settings = QboSettings(realm_id=REALM, environment=Environment.SANDBOX)
    limiter = RealmLimiter(Limits(), clock=clock, sleep=clock.sleep)
    with respx.mock(base_url=BASE + PREFIX, assert_all_called=False) as mock:
        client = QboClient(
            settings,
            tokens=tokens,
            meter=meter,
            catalog=CATALOG,
            limiter=limiter,
            sleep=clock.sleep,
            now=lambda: NOW,
        )
        yield Rig(client, clock, tokens, meter, mock, limiter)
        client.close()


def ok(body: dict[str, Any], status: int = 200, **headers: str) -> httpx.Response:
    """A JSON answer."""
    return httpx.Response(status, json=body, headers=headers)


def fixture(name: str, status: int) -> httpx.Response:
    """A stored QuickBooks Online answer from tests/data/qbo."""
    raw = (DATA / name).read_bytes()
    kind = "application/xml" if name.endswith(".xml") else "application/json"
    return httpx.Response(status, content=raw, headers={"Content-Type": kind})


def sent_json(request: httpx.Request) -> Any:
    return json.loads(request.content)
