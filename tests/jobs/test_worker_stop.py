"""`sfqb worker` stopped (SIGTERM) while its cycle waits for the company's lock, which a
`sfqb serve` process holds beside a Web Connector session: the worker stops at once and the
company's turn goes back to the queue. Before, it waited for that session's cycle to end (and
systemd's stop timeout ended it with SIGKILL)."""

from __future__ import annotations

import signal
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from tests.worker_fixtures import postgres_url, worker_store  # noqa: F401 - fixtures

from sfqb.jobs.procrastinate_queue import ProcrastinateQueue
from sfqb.sandbox import fleet
from sfqb.store import Store

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(180)]

WAIT = 60.0  # seconds; only a worker that waits on the lock takes this long
JOBS = "SELECT status FROM procrastinate_jobs WHERE task_name = 'sfqb.cycle' ORDER BY id"


def _statuses(store: Store) -> list[str]:
    with store.engine.connect() as db:
        return [str(s) for s in db.execute(text(JOBS)).scalars()]


def test_a_stopped_worker_gives_back_a_cycle_waiting_for_the_company(
    store: Store, tmp_path: Path
) -> None:
    store.create_company("acme", "acme", "pw")
    asker = ProcrastinateQueue(
        store, lambda company, keep_waiting: None, lambda now: [], clock=lambda: datetime.now(UTC)
    )
    assert store.cycle_lock.take("acme")  # a cycle beside a Web Connector session, elsewhere
    log = tmp_path / "worker.log"
    worker: subprocess.Popen[bytes] | None = None
    try:
        assert asker.defer_cycle("acme")
        worker = fleet.start_worker("w1", log, 30, ("--tick-seconds", "3600"))
        deadline = time.monotonic() + WAIT
        taken = lambda: _statuses(store) == ["doing"]  # noqa: E731
        fleet.wait_for(deadline, "the worker to take the job", taken)
        time.sleep(0.5)  # it waits for the lock
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=WAIT)
        assert worker.returncode == 0, log.read_text()
        # Its job ended; the company's turn is queued again, for the next worker.
        assert _statuses(store) == ["succeeded", "todo"], log.read_text()
        assert "queued again" in log.read_text()
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
            worker.wait()
        store.cycle_lock.release("acme")
