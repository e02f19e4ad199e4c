"""Settings of a Salesforce sandbox: where it listens, who may log in, how it misbehaves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

Clock = Callable[[], datetime]
"""Returns the current time as an aware UTC datetime; injected so tests can control it."""


@dataclass(frozen=True)
class SandboxConfig:
    """Everything a `SalesforceSandbox` needs; all fields have demo-friendly defaults.

    `tls_dir` receives `ca.pem` (None: a temporary directory removed on stop).
    `seed` is "small", "demo", a number of accounts, or None for an empty org.
    `client_id` None accepts any OAuth client id; `jwt_public_key` (PEM) makes the JWT bearer
    flow check RS256 signatures (None: signatures are not checked); `lock_rate` is the chance
    that a record write fails with UNABLE_TO_LOCK_ROW; `api_max` is the daily API allocation.
    """

    tls_dir: Path | None = None
    host: str = "127.0.0.1"
    port: int = 0
    session_id: str = "demo"
    page_size: int = 2000
    api_max: int = 100_000
    username: str = "demo@sfqb.example"
    password: str = "demo"  # noqa: S105 - the sandbox's published demo login
    security_token: str = ""
    client_id: str | None = None
    client_secret: str | None = None
    refresh_tokens: tuple[str, ...] = ("demo-refresh",)
    jwt_public_key: str | None = None
    lock_rate: float = 0.0
    fault_seed: int = 0
    seed: str | int | None = None
    seed_rng: int = 0
    clock: Clock | None = None
