"""`sfqb worker`, `sfqb sync --defer` and `sfqb serve --workers` refuse SQLite in one line."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from tests.cli.cli_helpers import fails
from tests.conftest import KEY
from tests.worker_fixtures import postgres_url  # noqa: F401 - fixture: workers need PostgreSQL

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


def test_serve_with_workers_starts_no_scheduler_and_defers(isolated_url: str) -> None:
    from sfqb.cli.context import Services
    from sfqb.cli.worker import serve_cycles
    from sfqb.jobs.procrastinate_queue import ProcrastinateQueue
    from sfqb.store import SecretBox, Store

    store = Store.from_url(isolated_url, secrets=SecretBox(KEY))
    store.migrate()
    try:
        stop = threading.Event()
        before = _watchers()
        cycles, queue = serve_cycles(Services(), store, stop, 10, 10, workers=True)
        assert cycles is None and isinstance(queue, ProcrastinateQueue)
        assert queue.defer_cycle("acme") is True
        assert queue.defer_cycle("acme") is False
        # the workers' tick runs the health checks, serve none (watchers of earlier tests in
        # this process may still be alive: only new ones count)
        assert _watchers() - before == set()
    finally:
        store.engine.dispose()


def _watchers() -> set[threading.Thread]:
    from sfqb.cli.qbd import WATCHER

    return {t for t in threading.enumerate() if t.name == WATCHER and t.is_alive()}


def test_serve_without_workers_runs_the_health_checks_itself(tmp_path: Path) -> None:
    from sfqb.cli.context import Services
    from sfqb.cli.worker import serve_cycles
    from sfqb.jobs.job_queue import InProcessQueue
    from sfqb.store import SecretBox, Store

    store = Store.from_url(f"sqlite:///{tmp_path / 'own.sqlite'}", secrets=SecretBox(KEY))
    store.migrate()
    services = Services()
    services.store = store
    stop = threading.Event()
    cycles = None
    try:
        before = _watchers()
        cycles, queue = serve_cycles(services, store, stop, 3600, 3600, workers=False)
        assert cycles is not None and queue is cycles.queue  # Run now and webhooks ask it
        assert isinstance(queue, InProcessQueue)
        assert len(_watchers() - before) == 1
    finally:
        stop.set()
        if cycles is not None:
            cycles.notify()
        store.engine.dispose()
