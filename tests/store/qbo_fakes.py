"""A fake Intuit token endpoint that rotates refresh tokens, and stores wired to it."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import httpx

from sfqb.connectors.qbo.api import Environment
from sfqb.connectors.qbo.oauth import OAuthApp, QboOAuth, Tokens
from sfqb.store import SecretBox, Store
from sfqb.store.engine import create_engine_from_url

KEY = "wB0Q0Ckf2vXnKxQv2p7kO5nTqJ9lqWv2o8y1QzWm0dE="
T0 = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
APP = OAuthApp("client-1", "secret-1", "https://sfqb.example/qbo/callback",
               token_url="https://tokens.example/bearer")  # fmt: skip


class Clock:
    """A settable clock."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class RotatingTokenEndpoint:
    """Each refresh token works once and is answered with a new one (Intuit's rotation);
    a used or unknown one gets invalid_grant; a code gets a new chain. `delay` keeps a
    request in flight a moment."""

    def __init__(self, first_refresh: str = "r0", delay: float = 0.0) -> None:
        self.valid = {first_refresh}
        self.refreshes: list[str] = []
        self.delay = delay
        self._n = 0
        self._lock = threading.Lock()
        self.transport = httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        if self.delay:
            time.sleep(self.delay)
        with self._lock:
            token = form.get("refresh_token", "")
            if form.get("grant_type") == "authorization_code":
                token = ""  # a new authorization: a new chain of refresh tokens
            else:
                self.refreshes.append(token)
            if (token and token not in self.valid) or (not token and "code" not in form):
                return httpx.Response(400, json={"error": "invalid_grant"})
            self.valid.discard(token)  # rotation: the old one is spent
            self._n += 1
            new = f"r{self._n}"
            self.valid.add(new)
        body = {"access_token": f"a{self._n}", "refresh_token": new, "expires_in": 3600,
                "x_refresh_token_expires_in": 8_726_400, "token_type": "bearer"}  # fmt: skip
        return httpx.Response(200, content=json.dumps(body).encode(),
                              headers={"content-type": "application/json"})  # fmt: skip

    def factory(self, clock: Callable[[], datetime]) -> Callable[[OAuthApp], QboOAuth]:
        return lambda app: QboOAuth(app, clock, transport=self.transport)


def store_for(url: str, clock: Clock, endpoint: RotatingTokenEndpoint) -> Store:
    """A store at `url` whose QuickBooks Online refreshes go to `endpoint`."""
    return Store(create_engine_from_url(url), clock, SecretBox(KEY), endpoint.factory(clock))


def connect(store: Store, clock: Clock, company: str = "acme", realm: str = "9130") -> None:
    """Store a connection whose access token is valid for an hour from now."""
    pending = store.qbo_tokens.begin(company, Environment.SANDBOX)
    tokens = Tokens("a0", "r0", clock() + timedelta(hours=1), clock() + timedelta(days=100))
    store.qbo_tokens.connect(pending, realm, APP, tokens)
