"""Fixtures: a manual clock, a running Salesforce sandbox and a simple-salesforce client on it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from simple_salesforce import Salesforce

from sfqb.sandbox.salesforce import ManualClock, SalesforceSandbox, SandboxConfig


@pytest.fixture
def clock() -> ManualClock:
    """A clock at 2026-01-15 09:00 UTC that moves only when a test says so."""
    return ManualClock(datetime(2026, 1, 15, 9, 0, tzinfo=UTC))


@pytest.fixture
def sandbox(tmp_path: Path, clock: ManualClock) -> Iterator[SalesforceSandbox]:
    """An empty org on HTTPS with pages of 5 records."""
    config = SandboxConfig(tls_dir=tmp_path / "tls", clock=clock, page_size=5)
    with SalesforceSandbox(config) as sb:
        yield sb


@pytest.fixture
def sf(sandbox: SalesforceSandbox) -> Salesforce:
    """simple-salesforce on the demo session, verifying the sandbox's CA."""
    return sandbox.client()
