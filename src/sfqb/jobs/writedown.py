"""Writing a cycle down as it goes: queue rows put in flight before their batch leaves, and
after each answer the new attempts, binding changes and records' outcomes, in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sfqb.domain.status import DecodedStatus
from sfqb.jobs.cycle_report import ActiveCycle, CycleReport, run_counts
from sfqb.jobs.gather import Gather
from sfqb.jobs.persist import Persistence
from sfqb.store import QueueStatus, RunStatus, Store
from sfqb.store.journal import NewAttempt
from sfqb.store.queue import Move
from sfqb.sync.credits import counted_flow
from sfqb.sync.ops import QbAction, QbOp
from sfqb.sync.records import Direction, ItemState, SfWrite


class WriteDown:
    """Persists what a running cycle did; every collaborator is passed in."""

    def __init__(
        self,
        store: Store,
        gather: Gather,
        persistence: Persistence,
        *,
        clock: Callable[[], datetime],
    ) -> None:
        self._store, self._gather, self._persistence = store, gather, persistence
        self._clock = clock

    def sent(self, active: ActiveCycle, ops: Sequence[QbOp]) -> None:
        """Mark the queue rows of Adds and Mods in flight before their batch leaves."""
        active.report.qb_batches += 1
        if ops and all(op.cursor for op in ops):
            active.report.qb_pages += 1
        going = {
            op.sf: active.items[op.sf]
            for op in ops
            if op.action in (QbAction.ADD, QbAction.MOD)
            and op.sf in active.items
            and active.items[op.sf].status is not QueueStatus.INFLIGHT
        }
        if not going and not active.bindings.dirty:
            return
        # Committed before the batch leaves: a reply lost to a crash is looked up next cycle.
        with self._store.work() as work:
            work.bindings(active.bindings)
            moves = [Move(i.id, QueueStatus.INFLIGHT) for i in going.values()]
            moved = work.move(moves, now=self._clock())
        for sf, item in going.items():
            active.items[sf] = moved[item.id]

    def persist(
        self, active: ActiveCycle, *, final: bool, wrote_ids: Sequence[SfWrite] = ()
    ) -> None:
        """Write down the cycle's new attempts, binding changes and records' outcomes, in one
        transaction (`wrote_ids`: Salesforce writes of QuickBooks_ID__c that were saved)."""
        cycle, report = active.cycle, active.report
        new = [
            NewAttempt(
                report.company, a.flow, a.direction, a.operation, a.status, a.sf, a.qb,
                a.summary, a.action, report.run_id,
            )
            for a in cycle.attempts[report.attempts :]
        ]  # fmt: skip
        with self._store.work() as work:
            work.bindings(active.bindings)
            work.log(new, at=self._clock())
            self._gather.wrote_qb_ids(work, report.company, active.items, wrote_ids)
            outcomes = self._persistence.outcomes(
                report.company, cycle, active.items, final=final, work=work
            )
        report.attempts = len(cycle.attempts)
        active.bindings.trim(active.items)  # written down: what later batches need is read again
        for outcome in outcomes:
            if outcome.state is ItemState.DONE:
                made = cycle.bindings.by_sf(report.company, outcome.sf)
                kind = made.qb.kind.value if made is not None else None
                report.synced[counted_flow(outcome.flow, kind)] += 1
            report.states[outcome.state.value] += 1

    def stop(self, report: CycleReport, status: DecodedStatus, action: str) -> None:
        """Log why the cycle did not run (or stopped) once, and close its run as failed."""
        self._store.journal.record_attempt(
            company=report.company, flow="connector", direction=Direction.SF_TO_QB,
            operation="connect", status=status, action_taken=action, run_id=report.run_id,
            at=self._clock(),
        )  # fmt: skip
        report.attempts += 1
        self.close(report, RunStatus.FAILED)

    def close(self, report: CycleReport, status: RunStatus) -> None:
        """Close the cycle's run with its counts."""
        self._store.journal.finish_run(report.run_id, status, run_counts(report), at=self._clock())
