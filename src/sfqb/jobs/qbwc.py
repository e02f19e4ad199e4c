"""Sync cycles driven by the QuickBooks Web Connector, run beside the session.

When a session's first call finds no cycle holding it, the service hands this source a
`WorkHandle` and `begin` starts the company's cycle on a thread of its own: preflight, reading
Salesforce, deciding. No Web Connector call waits on it. Each batch the engine decides is
composed as qbXML and queued in the store for that session alone; the cycle then waits for
QuickBooks' answer to appear there (whichever process the Web Connector's call landed on
recorded it), hands it to the engine, and goes on. The cycle finishes (Salesforce write-back,
checkpoints) when the engine has nothing more to send, and marks the session's work done.

A process runs at most `max_threads` cycles at once; a session whose cycle waits for a thread
(or for the company's cycle lock, held by a worker or another process) hears "NoOp" meanwhile,
as when the cycle is slow.

If the session ends first (closed, taken over, QuickBooks unreachable), the cycle stops: its
records stay queued or in flight, and the next cycle looks the unanswered ones up in QuickBooks
before adding anything, so nothing is added twice. If this process dies, the session's work
lease lapses and the next call starts a new cycle elsewhere, with the same guarantee.

With a `Circuit`, a connectionError trips the company's circuit and any answered message set
(a successful round trip) closes it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sfqb.codes import Catalog
from sfqb.connectors.qbd.operations import ComposedSet, compose, results
from sfqb.connectors.qbd.qbxml import QbxmlParseError, RequestResult
from sfqb.connectors.qbd.webconnector.ports import OutboxItem, OutboxStatus, WorkHandle
from sfqb.domain.status import DecodedStatus, System
from sfqb.jobs.circuit import Circuit
from sfqb.jobs.cycle_threads import BoundedThreads
from sfqb.jobs.runner import ActiveCycle, CycleReport, SyncRunner
from sfqb.store.binding_cache import BindingsChanged
from sfqb.store.cycle_lock import CompanyBusy, CycleLock, LocalCycleLock, holding
from sfqb.sync.ops import QbResult, QuickBooksUnavailable

log = logging.getLogger(__name__)
POLL = 0.2  # seconds between looks at the store for an answer recorded by another process
RENEW_EVERY = 5.0  # seconds between renewals of the claim while a batch is with QuickBooks
PARSED_KEPT = 16  # decoded responses kept for cycles of this process, at most
MAX_THREADS = 8  # cycles run at once when the caller gives no bound (max_cycle_threads)
SESSION_ENDED = "the Web Connector session ended before the cycle finished"


class _Stop(Exception):
    """The session the cycle serves ended; `status` says why when QuickBooks was down."""

    def __init__(self, status: DecodedStatus) -> None:
        super().__init__(status.message)
        self.status = status


class CycleWorkSource:
    """A `WorkSource` for the Web Connector service that runs sync cycles beside sessions."""

    def __init__(
        self,
        runner_for: Callable[[str], SyncRunner],
        catalog: Catalog,
        *,
        version: str = "13.0",
        on_report: Callable[[CycleReport], None] = lambda report: None,
        circuit: Circuit | None = None,
        lock: CycleLock | None = None,
        max_threads: int = MAX_THREADS,
    ) -> None:
        self._runner_for = runner_for
        self._catalog = catalog
        self._version = version
        self._on_report = on_report
        self._circuit = circuit
        self._lock = lock or LocalCycleLock()
        self.threads = BoundedThreads(max_threads)
        self._changed = threading.Condition()
        self._ends: dict[str, threading.Event] = {}
        self._outages: dict[str, DecodedStatus] = {}
        # Responses this process's service decoded, by outbox item, until the cycle takes them.
        self._parsed: dict[int, tuple[RequestResult, ...]] = {}

    def begin(self, company: str, handle: WorkHandle) -> bool:
        """Start the company's cycle on one of the bounded threads (it waits its turn while
        they are all busy: the session hears "NoOp" meanwhile). It first takes the company's
        cycle lock, so it never overlaps another cycle of the company, here or elsewhere."""
        ended = threading.Event()
        with self._changed:
            self._outages.pop(company, None)
            self._ends[company] = ended
        self.threads.submit(lambda: self._run(company, handle, ended))
        return True

    def wait(self, company: str, seconds: float) -> bool:
        """Block until a cycle of this process queued or finished something, or `seconds`;
        True while the company's cycle of this process is at work."""
        with self._changed:
            self._changed.wait(seconds)
            return company in self._ends

    def join(self, company: str, timeout: float | None = None) -> None:
        """Wait for the company's latest cycle in this process to end (tests, shutdown)."""
        with self._changed:
            ended = self._ends.get(company)
        if ended is not None:
            ended.wait(timeout)

    def deliver(self, company: str, item: OutboxItem) -> None:
        """QuickBooks' answer (or a failure) was recorded: wake the cycle waiting for it."""
        if self._circuit is not None and item.status is OutboxStatus.ANSWERED:
            self._circuit.contact(company)
        with self._changed:
            if item.parsed is not None:
                self._parsed[item.id] = item.parsed
                while len(self._parsed) > PARSED_KEPT:  # a cycle that died never takes its own
                    del self._parsed[next(iter(self._parsed))]
            self._changed.notify_all()

    def outage(self, company: str, status: DecodedStatus) -> None:
        """QuickBooks could not be reached: the company's cycle stops, its records stay
        queued, and the company's circuit opens."""
        with self._changed:
            self._outages[company] = status
            self._changed.notify_all()
        if self._circuit is not None:
            self._circuit.trip(company, status)

    # -- the cycle's thread --------------------------------------------------------------------

    def _notify(self) -> None:
        with self._changed:
            self._changed.notify_all()

    def _run(self, company: str, handle: WorkHandle, ended: threading.Event) -> None:
        error = ""
        try:
            report = self._locked_cycle(company, handle)
            if report is not None:
                self._reported(company, report)
        except Exception as exc:  # the session hears of it through getLastError
            log.exception("the sync cycle of %s failed", company)
            error = str(exc) or type(exc).__name__
        finally:
            try:
                handle.done(error)
            finally:
                ended.set()
                with self._changed:
                    if self._ends.get(company) is ended:
                        del self._ends[company]
                    self._changed.notify_all()

    def _locked_cycle(self, company: str, handle: WorkHandle) -> CycleReport | None:
        """The cycle under the company's lock, taken while the session still waits for it."""
        if not handle.renew():
            return None  # the session ended while the cycle waited for a thread
        try:
            with holding(self._lock, company, handle.renew):
                return self._cycle(company, handle)
        except CompanyBusy:
            log.info("%s: the session ended while a cycle elsewhere held the company", company)
            return None

    def _reported(self, company: str, report: CycleReport) -> None:
        log.info(
            "cycle of %s (run %d) ended%s: %d Web Connector round trip(s), %d of them "
            "pages of reads", company, report.run_id,
            f" ({report.aborted or report.held})" if report.aborted or report.held else "",
            report.qb_batches, report.qb_pages,
        )  # fmt: skip
        self._on_report(report)

    def _cycle(self, company: str, handle: WorkHandle) -> CycleReport | None:
        """The company's cycles for the session: one, and while a cycle took as many records
        as it may (`CycleReport.more`), the next one at once, in the same session."""
        runner = self._runner_for(company)
        if (held := runner.preflight(company)) is not None:
            return held
        runner.gather(company)
        report: CycleReport | None = None
        while report is None or (report.more and not report.aborted):
            if report is not None:
                self._reported(company, report)
            if not handle.renew():
                return None  # the session ended meanwhile: the next one syncs the rest
            active = runner.start(company, after=report)
            try:
                report = self._drive(company, runner, active, handle)
            except BindingsChanged as exc:
                return runner.dropped(active, exc)
            except _Stop as stop:
                handle.withdraw()  # a batch queued as the session ended is never sent
                return runner.abort(active, QuickBooksUnavailable(stop.status))
        return report

    def _drive(
        self, company: str, runner: SyncRunner, active: ActiveCycle, handle: WorkHandle
    ) -> CycleReport:
        while (ops := active.cycle.next_batch()) is not None:
            runner.sent(active, ops)
            composed = compose(ops, self._version, catalog=self._catalog)
            if composed.xml is None:  # every op refused before sending: answer them at once
                runner.received(active, ops, results(None, composed, self._catalog))
                continue
            item_id = handle.enqueue(composed.xml)
            self._notify()
            runner.received(active, ops, self._answers(company, handle, item_id, composed))
        return runner.finish(active)

    def _answers(
        self, company: str, handle: WorkHandle, item_id: int, composed: ComposedSet
    ) -> list[QbResult]:
        """QuickBooks' results for message set `item_id`, once recorded; none when it failed
        (its ops stay unknown, looked up next cycle). _Stop when the session ended first."""
        item = self._outcome(company, handle, item_id)
        with self._changed:
            parsed = self._parsed.pop(item_id, None)
        if item.status is not OutboxStatus.ANSWERED or not item.response_xml:
            return []
        try:
            return results(item.response_xml, composed, self._catalog, parsed)
        except QbxmlParseError:
            return []

    def _outcome(self, company: str, handle: WorkHandle, item_id: int) -> OutboxItem:
        renewed = -RENEW_EVERY
        while True:
            item = handle.item(item_id)
            if item is None:
                raise _Stop(self._ended())
            if item.status in (OutboxStatus.ANSWERED, OutboxStatus.FAILED):
                if item.sent_at is None:  # withdrawn unsent: the session ended
                    raise _Stop(self._outages.get(company) or self._ended())
                return item
            if company in self._outages:
                raise _Stop(self._outages[company])
            # The claim is renewed (a store write) every few seconds, not on every look: a
            # session that ends withdraws what it was sent, which the look above sees.
            if time.monotonic() - renewed >= RENEW_EVERY:
                if not handle.renew():
                    raise _Stop(self._ended())
                renewed = time.monotonic()
            with self._changed:
                self._changed.wait(POLL)

    def _ended(self) -> DecodedStatus:
        return self._catalog.decode(
            System.TRANSPORT,
            "CONNECTOR_UNREACHABLE",
            f"Could not reach QuickBooks: {SESSION_ENDED}",
        )
