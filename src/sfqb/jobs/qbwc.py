"""Sync cycles driven by the QuickBooks Web Connector: QuickBooks pulls, one batch a call.

The Web Connector service asks for more work whenever its queue for a company is empty; this
work source answers with the next batch of the company's cycle, composed as qbXML, and hands
QuickBooks' answer back to the cycle. A cycle starts when a session asks and none is running;
it finishes (Salesforce write-back, checkpoints) when the engine has nothing more to send.

Cycles live in this process's memory. If a session continues on another process, or this one
restarts, the cycle's unanswered records are left in flight in the queue and the next cycle
looks them up in QuickBooks before adding anything, so nothing is added twice.

With a `Circuit`, a connectionError trips the company's circuit and any answered message set
(a successful round trip) closes it. The Web Connector's call is the circuit's probe, so this
source answers it the same way whether the circuit is open or not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sfqb.codes import Catalog
from sfqb.connectors.qbd.operations import ComposedSet, compose, results
from sfqb.connectors.qbd.qbxml import QbxmlParseError
from sfqb.connectors.qbd.webconnector.ports import OutboxItem, OutboxStatus
from sfqb.domain.status import DecodedStatus
from sfqb.jobs.circuit import Circuit
from sfqb.jobs.runner import ActiveCycle, CycleReport, SyncRunner
from sfqb.store.binding_cache import BindingsChanged
from sfqb.sync.ops import QbOp, QuickBooksUnavailable


@dataclass(slots=True)
class _Running:
    runner: SyncRunner
    active: ActiveCycle
    ops: Sequence[QbOp] = ()
    composed: ComposedSet | None = None


class CycleWorkSource:
    """A `WorkSource` for the Web Connector service that runs sync cycles."""

    def __init__(
        self,
        runner_for: Callable[[str], SyncRunner],
        catalog: Catalog,
        *,
        version: str = "13.0",
        on_report: Callable[[CycleReport], None] = lambda report: None,
        circuit: Circuit | None = None,
    ) -> None:
        self._runner_for = runner_for
        self._catalog = catalog
        self._version = version
        self._on_report = on_report
        self._circuit = circuit
        self._running: dict[str, _Running] = {}

    def more_work(self, company: str) -> Sequence[str]:
        """The next message set of the company's cycle; none when the cycle is over."""
        running = self._running.get(company)
        if running is None:
            runner = self._runner_for(company)
            if (held := runner.preflight(company)) is not None:
                self._on_report(held)
                return ()
            runner.gather(company)
            running = _Running(runner, runner.start(company))
            self._running[company] = running
        try:
            return self._next(company, running)
        except BindingsChanged as exc:
            self._drop(company, running, exc)
            return ()

    def _next(self, company: str, running: _Running) -> Sequence[str]:
        while True:
            ops = running.active.cycle.next_batch()
            if ops is None:
                self._finish(company, running)
                return ()
            running.runner.sent(running.active, ops)
            composed = compose(ops, self._version, catalog=self._catalog)
            if composed.xml is None:  # every op refused before sending: answer them at once
                running.runner.received(running.active, ops, results(None, composed, self._catalog))
                continue
            running.ops, running.composed = ops, composed
            return [composed.xml]

    def deliver(self, company: str, item: OutboxItem) -> None:
        """QuickBooks' answer to the batch in flight (a failed item leaves its ops unknown)."""
        if self._circuit is not None and item.status is OutboxStatus.ANSWERED:
            self._circuit.contact(company)
        running = self._running.get(company)
        if running is None or running.composed is None:
            return  # a batch of an earlier process: its records are recovered by the next cycle
        answers = []
        if item.status is OutboxStatus.ANSWERED and item.response_xml:
            try:
                answers = results(item.response_xml, running.composed, self._catalog)
            except QbxmlParseError:
                answers = []
        ops, running.ops, running.composed = running.ops, (), None
        try:
            running.runner.received(running.active, ops, answers)
        except BindingsChanged as exc:
            self._drop(company, running, exc)

    def _drop(self, company: str, running: _Running, exc: BindingsChanged) -> None:
        # The batch was not written down: its records stay in flight for the next cycle.
        self._running.pop(company, None)
        self._on_report(running.runner.dropped(running.active, exc))

    def outage(self, company: str, status: DecodedStatus) -> None:
        """QuickBooks could not be reached: stop the company's cycle, its records stay queued."""
        running = self._running.pop(company, None)
        if running is not None:
            self._on_report(running.runner.abort(running.active, QuickBooksUnavailable(status)))
        if self._circuit is not None:
            self._circuit.trip(company, status)

    def _finish(self, company: str, running: _Running) -> None:
        del self._running[company]
        self._on_report(running.runner.finish(running.active))
