"""`sfqb worker`, `sfqb sync --defer` and `sfqb serve --workers` refuse SQLite in one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.cli.cli_helpers import fails
from tests.conftest import KEY

from sfqb.cli.worker import NEEDS_POSTGRES


@pytest.fixture(autouse=True)
def sqlite_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SFQB_DATABASE_URL", f"sqlite:///{tmp_path / 'sfqb.sqlite'}")
    monkeypatch.setenv("SFQB_SECRET_KEY", KEY)
    monkeypatch.delenv("SFQB_CONFIG", raising=False)
    monkeypatch.delenv("SFQB_WORKERS", raising=False)


def test_worker_needs_postgresql() -> None:
    assert fails("worker") == f"sfqb: {NEEDS_POSTGRES}"


def test_worker_heartbeat_must_be_shorter_than_the_stall_timeout() -> None:
    line = fails("worker", "--stall-seconds", "5", "--heartbeat-seconds", "5")
    assert "--heartbeat-seconds must be shorter than --stall-seconds" in line


def test_deferred_sync_needs_postgresql() -> None:
    assert fails("sync", "--defer") == f"sfqb: {NEEDS_POSTGRES}"


def test_deferred_sync_runs_whole_cycles() -> None:
    assert "leave out --flow" in fails("sync", "--defer", "--flow", "account_to_customer")


def test_serve_with_workers_needs_postgresql() -> None:
    assert fails("serve", "--workers") == f"sfqb: {NEEDS_POSTGRES}"
