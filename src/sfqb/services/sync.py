"""Starting a cycle, as `sfqb sync` and the console's "Run now" both do it.

A company whose QuickBooks pulls its work (Desktop, through the Web Connector) has Salesforce's
changes read and queued: the Web Connector's next session sends them. A company sfqb pushes to
(QuickBooks Online, a sandbox company file) runs the whole cycle. `RunDesk` is the console's
side: one cycle at a time per company, a pushed one through `sfqb serve`'s queue (a second
Run now while one runs queues one cycle after it).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from sfqb.jobs.gateway import SalesforceSource
from sfqb.jobs.job_queue import InProcessQueue, JobQueue, Start, in_thread, one_line
from sfqb.jobs.runner import CycleReport, Driver
from sfqb.jobs.salesforce_org import SalesforceOrg
from sfqb.store import QueueStatus, Store
from sfqb.store.cycle_lock import holding

log = logging.getLogger(__name__)

# A run the journal shows unfinished for longer than this is a process that died.
RUNNING_AT_MOST = timedelta(hours=1)


class SyncTarget(Protocol):
    """How sfqb reaches a company's QuickBooks (sfqb.cli.context.Target)."""

    @property
    def open_driver(self) -> Callable[[], AbstractContextManager[Driver]] | None:
        """Opens a driver sfqb pushes to; None when QuickBooks pulls the work."""


class Gatherer(Protocol):
    """The part of a runner that queues Salesforce's changes (sfqb.jobs.runner.SyncRunner)."""

    def preflight(self, company: str) -> CycleReport | None:
        """Salesforce's checks; a report when they keep the cycle from running."""

    def gather(self, company: str, flows: Sequence[str] | None = None) -> int:
        """Queue Salesforce's changes; how many."""


class SyncBackend(Protocol):
    """What starting a cycle needs: the composition root (sfqb.cli.context.Services)."""

    def target(self, company: str) -> SyncTarget:
        """The company's QuickBooks."""

    def runner(
        self, company: str, source: SalesforceSource | None = None, org: SalesforceOrg | None = None
    ) -> Gatherer:
        """A runner for the company."""

    def push_cycle(
        self,
        company: str,
        source: SalesforceSource | None = None,
        org: SalesforceOrg | None = None,
        *,
        flows: Sequence[str] | None = None,
        wrap: Callable[[Driver], Driver] | None = None,
    ) -> CycleReport:
        """One cycle pushed to the company's QuickBooks."""


class RunKind(StrEnum):
    """What a run request did."""

    QUEUED = "queued"  # read and queued for the Web Connector's next session
    STARTED = "started"  # a pushed cycle started in the background
    HELD = "held"  # Salesforce's checks kept the cycle from running
    DEFERRED = "deferred"  # handed to the job queue: a worker runs it
    AFTER_CURRENT = "after_current"  # a cycle runs: this one waits and runs when it has ended


@dataclass(frozen=True, slots=True)
class Queued:
    """Salesforce's changes read and queued for the Web Connector (or why not: `held`)."""

    company: str
    read: int
    waiting: int
    held: str = ""


@dataclass(frozen=True, slots=True)
class RunRequested:
    """The answer to "Run now"."""

    company: str
    kind: RunKind
    message: str
    read: int | None = None
    waiting: int | None = None


class RunInProgress(RuntimeError):
    """A Web Connector company's cycle is running: reading its changes now is refused."""


class RunFailed(RuntimeError):
    """The run could not be started or queued (no Salesforce connection, Salesforce or the
    store unreachable, ...); the message says why in one line."""


def pulls_work(backend: SyncBackend, company: str) -> bool:
    """True when the company's QuickBooks pulls its work (the Web Connector)."""
    return backend.target(company).open_driver is None


def queue_changes(
    backend: SyncBackend,
    store: Store,
    company: str,
    flows: Sequence[str] | None = None,
    *,
    source: SalesforceSource | None = None,
    org: SalesforceOrg | None = None,
) -> Queued:
    """Read Salesforce's changes and queue them for the Web Connector's next session (the
    runner leaves out flows switched off); `held` says why nothing was read."""
    runner = backend.runner(company, source, org)
    if (held := runner.preflight(company)) is not None:
        return Queued(company, 0, _open(store, company), held.held)
    read = runner.gather(company, flows)
    return Queued(company, read, _open(store, company))


def _open(store: Store, company: str) -> int:
    """How many of the company's queue rows are not done (counted, not read)."""
    counts = store.queue.count_by_status(company)
    return sum(n for status, n in counts.items() if status is not QueueStatus.DONE)


def run_company(backend: SyncBackend, store: Store, company: str) -> CycleReport | Queued:
    """One cycle of the company, as a job runs it: pushed to its QuickBooks, or (when the Web
    Connector pulls the work) Salesforce's changes read and queued for its next session."""
    if pulls_work(backend, company):
        return queue_changes(backend, store, company)
    return backend.push_cycle(company)


def deferred(queue: JobQueue, company: str) -> RunRequested:
    """Run now with a job queue: a cycle of the company asked of the workers."""
    if queue.defer_cycle(company):
        message = f"Asked for a cycle of {company}; a worker runs it shortly."
    else:
        message = f"A cycle of {company} is already waiting for a worker; it covers this request."
    return RunRequested(company, RunKind.DEFERRED, message)


def journal_running(store: Store, company: str, now: datetime) -> bool:
    """True when the journal's newest run of the company started recently and is unfinished."""
    runs = store.journal.runs(company, limit=1)
    return bool(runs) and runs[0].finished_at is None and now - runs[0].started_at < RUNNING_AT_MOST


class RunDesk:
    """Run now, from the web process. A company sfqb pushes to has its cycle asked of `cycles`
    (`sfqb serve`'s own queue, shared with its tick: one cycle per company at a time, at most
    one waiting behind it); a company whose Web Connector pulls its work has Salesforce's
    changes read and queued at once. With `queue` (workers) every cycle is deferred instead."""

    def __init__(
        self,
        backend: SyncBackend,
        store: Store,
        clock: Callable[[], datetime],
        *,
        start: Start = in_thread,
        cycles: InProcessQueue | None = None,
        queue: JobQueue | None = None,
    ) -> None:
        self._backend, self._store, self._clock = backend, store, clock
        self._queue = queue  # set when workers run the cycles (PostgreSQL)
        self._cycles = cycles or InProcessQueue(self._push, start=start)
        self._lock = threading.Lock()
        self._reading: set[str] = set()  # Web Connector companies whose changes are read now

    def busy(self, company: str) -> bool:
        """True while a cycle of the company runs or waits here (or the journal shows one
        running)."""
        with self._lock:
            reading = company in self._reading
        return (
            reading
            or self._cycles.busy(company)
            or journal_running(self._store, company, self._clock())
        )

    def request(self, company: str, flows: Sequence[str] | None = None) -> RunRequested:
        """Queue the company's changes for the Web Connector, or ask for a pushed cycle (after
        the running one, when one runs); RunInProgress while a Web Connector company's cycle
        runs, RunFailed (one line) when it cannot start. With a job queue, the cycle is
        deferred to the workers."""
        try:
            if self._queue is not None:
                return deferred(self._queue, company)
            if pulls_work(self._backend, company):
                return self._read(company, flows)
            return self._ask(company)
        except RunInProgress:
            raise
        except Exception as exc:  # a person reads why, on the page or in the API's answer
            log.warning("Run now of %s failed: %s", company, exc)
            raise RunFailed(one_line(exc)) from exc

    def pulls_work(self, company: str) -> bool | None:
        """True when the company's QuickBooks pulls its work (None: its target is unusable)."""
        try:
            return pulls_work(self._backend, company)
        except Exception:  # said when Run now is pressed (RunFailed)
            return None

    def failure(self, company: str) -> str | None:
        """Why the company's last cycle run here failed (None: it did not)."""
        return self._cycles.failure(company)

    def _push(self, company: str) -> None:
        with holding(self._store.cycle_lock, company):  # never beside a cycle elsewhere
            self._backend.push_cycle(company)

    def _ask(self, company: str) -> RunRequested:
        running = self.busy(company)
        if not self._cycles.defer_cycle(company):
            return RunRequested(
                company, RunKind.AFTER_CURRENT,
                f"A cycle of {company} is already waiting to run; it covers this request.",
            )  # fmt: skip
        if running:
            return RunRequested(
                company, RunKind.AFTER_CURRENT,
                f"Queued: a cycle of {company} runs after the current cycle.",
            )  # fmt: skip
        return RunRequested(
            company, RunKind.STARTED,
            f"Started a cycle of {company}; the overview shows what it did when it has ended.",
        )  # fmt: skip

    def _read(self, company: str, flows: Sequence[str] | None) -> RunRequested:
        # The Web Connector runs this company's cycles: Run now only reads Salesforce, and
        # not beside a session's own read.
        running = f"a cycle of {company} is running now; wait until it has finished"
        with self._lock:
            if company in self._reading:
                raise RunInProgress(running)
            if journal_running(self._store, company, self._clock()):
                raise RunInProgress(running)
            # The store's lock: a cycle beside a session, here or in another process.
            if not self._store.cycle_lock.take(company):
                raise RunInProgress(running)
            self._reading.add(company)
        try:
            return _queued(queue_changes(self._backend, self._store, company, flows))
        finally:
            self._store.cycle_lock.release(company)
            with self._lock:
                self._reading.discard(company)


def _queued(queued: Queued) -> RunRequested:
    if queued.held:
        return RunRequested(
            queued.company, RunKind.HELD, f"Not queued: {queued.held}", 0, queued.waiting
        )
    return RunRequested(
        queued.company,
        RunKind.QUEUED,
        f"Queued for the Web Connector's next session: read {queued.read} changed records "
        f"from Salesforce; {queued.waiting} records wait for QuickBooks Desktop to ask for them.",
        queued.read,
        queued.waiting,
    )
