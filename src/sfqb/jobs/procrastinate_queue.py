"""The `JobQueue` on PostgreSQL: procrastinate, its jobs run by `sfqb worker` processes.

* A cycle job is deferred with `lock` and `queueing_lock` both set to the company's key: one
  job of a company runs at a time (the others wait in order) and at most one waits.
* Every defer runs on the store's own connection, inside a store transaction (procrastinate's
  `configure(connection=...)`, 3.8+), under a savepoint so a refused duplicate does not spoil
  the transaction: the job exists exactly when the transaction commits.
* Two periodic jobs, deferred once a period whatever the number of workers: the tick (due
  cycles, health checks: `Schedules`) and procrastinate's documented "retry stalled jobs",
  which gives a job back to the queue when its worker stopped beating (killed) for longer
  than `stall_seconds` - and with it the company's lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import procrastinate
from procrastinate import exceptions as procrastinate_errors
from procrastinate.job_context import JobContext
from procrastinate.jobs import Job
from sqlalchemy.engine import URL, make_url

from sfqb.store import Store
from sfqb.store.cycle_lock import CompanyBusy
from sfqb.store.work import StoreWork

log = logging.getLogger(__name__)

CYCLE_TASK = "sfqb.cycle"


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    """How a worker runs and how soon a dead worker's job is given back."""

    concurrency: int = 1  # cycles this process runs at once (its threads)
    tick_seconds: int = 60  # how often due cycles and health checks are looked at
    heartbeat_seconds: float = 10.0  # procrastinate's heartbeat of a live worker
    stall_seconds: int = 30  # no heartbeat for this long: the worker is dead, its job retried
    stall_check_seconds: int = 15  # how often stalled jobs are looked for
    # On SIGTERM, after this long a cycle still waiting for its company's lock (held by
    # `sfqb serve` beside a Web Connector session) gives its turn back to the queue; a running
    # cycle finishes whatever this is (sfqb's cycles do not stop half-way).
    shutdown_seconds: float = 0.0


def company_key(company: str) -> str:
    """The lock and queueing lock of a company's cycles."""
    return f"company:{company}"


def conninfo(url: str | URL) -> str:
    """libpq's URI for the store's SQLAlchemy URL (its `options`, e.g. search_path, kept)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _every(seconds: int) -> str:
    if seconds < 60:
        return f"* * * * * */{max(1, seconds)}"
    return f"*/{max(1, seconds // 60)} * * * *"


class ProcrastinateQueue:
    """Cycles on procrastinate; `run_worker` is `sfqb worker`'s loop."""

    def __init__(
        self,
        store: Store,
        run_cycle: Callable[[str, Callable[[], bool]], object],
        tick: Callable[[datetime], list[str]],
        *,
        clock: Callable[[], datetime],
        options: WorkerOptions | None = None,
    ) -> None:
        self._store, self._run_cycle, self._tick, self._clock = store, run_cycle, tick, clock
        self.options = options or WorkerOptions()
        info = conninfo(store.engine.url)
        self.app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=info))
        self.app.task(name=CYCLE_TASK, pass_context=True)(self._cycle)
        # Defers run on the store's (sync) connection, also from a worker's job threads, where
        # the worker's async connector would not take it: a sync app of their own, never opened.
        deferrer = procrastinate.App(connector=procrastinate.SyncPsycopgConnector(conninfo=info))
        self._cycle_task = deferrer.task(name=CYCLE_TASK, pass_context=True)(self._cycle)
        self._register_periodic()

    # -- the port ----------------------------------------------------------------------------

    def defer_cycle(self, company: str, *, work: StoreWork | None = None) -> bool:
        """Ask for a cycle of `company` (see sfqb.jobs.job_queue); in `work`'s transaction, or
        in one of its own."""
        if work is None:
            with self._store.work() as own:
                return self.defer_cycle(company, work=own)
        key = company_key(company)
        try:
            with work.db.begin_nested():
                raw = work.db.connection().connection.driver_connection
                self._cycle_task.configure(lock=key, queueing_lock=key, connection=raw).defer(
                    company=company
                )
        except procrastinate_errors.AlreadyEnqueued:
            return False
        return True

    def run_worker(self, name: str | None = None) -> None:
        """Run jobs until SIGTERM or SIGINT (running cycles are let finish)."""
        options = self.options
        self.app.run_worker(
            name=name,
            concurrency=options.concurrency,
            update_heartbeat_interval=options.heartbeat_seconds,
            stalled_worker_timeout=options.stall_seconds,
            shutdown_graceful_timeout=options.shutdown_seconds,
            fetch_job_polling_interval=1.0,
            install_signal_handlers=True,
        )

    # -- the jobs ----------------------------------------------------------------------------

    def _cycle(self, context: JobContext, company: str) -> None:
        """Run the company's cycle; `run_cycle` waits for the company's lock only while the
        worker is not stopping (procrastinate asks its jobs to abort on SIGTERM)."""
        try:
            self._run_cycle(company, lambda: not context.should_abort())
        except CompanyBusy:
            # Stopping while another process runs the company's cycle: the worker would wait
            # for that cycle to end. The company's turn goes back to the queue, for another
            # worker or this one's next start.
            log.info("%s: the worker stops while its cycle runs elsewhere; queued again", company)
            self.defer_cycle(company)

    def _register_periodic(self) -> None:
        options = self.options

        @self.app.periodic(cron=_every(options.tick_seconds))
        @self.app.task(name="sfqb.tick", queueing_lock="sfqb.tick")
        def tick(timestamp: int) -> None:
            for company in self._tick(self._clock()):
                self.defer_cycle(company)

        @self.app.periodic(cron=_every(options.stall_check_seconds))
        @self.app.task(name="sfqb.retry_stalled", queueing_lock="sfqb.retry_stalled")
        async def retry_stalled(timestamp: int) -> None:
            manager = self.app.job_manager
            stalled = await manager.get_stalled_jobs(seconds_since_heartbeat=options.stall_seconds)
            for job in stalled:
                await _give_back(manager, job)

        self._periodic: tuple[Any, ...] = (tick, retry_stalled)


async def _give_back(manager: Any, job: Job) -> None:
    log.warning("job %s %s: its worker stopped beating; it runs again", job.id, job.task_kwargs)
    await manager.retry_job(job)
