"""One sync cycle of one company, end to end: gather, drive the engine, persist its decisions.

The runner owns the I/O the engine does not: reading Salesforce (`sfqb.jobs.gather`), the
retry queue, the log, checkpoints and runs. Two ways to drive QuickBooks share it:
`run_direct` pushes batches to a driver in-process; the Web Connector work source
(`sfqb.jobs.qbwc`) hands them out as QuickBooks pulls them.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, Protocol

from sfqb.codes import Catalog
from sfqb.domain.entities import QbRef, SfRef
from sfqb.domain.policy import CompanyPolicy
from sfqb.domain.status import DecodedStatus, System
from sfqb.jobs.gateway import SalesforceSource
from sfqb.jobs.gather import Gather, select_flows
from sfqb.jobs.persist import Persistence, ReviewAlerts
from sfqb.jobs.qb_checkpoint import clean_before, qb_since, save_qb_checkpoint
from sfqb.jobs.salesforce_org import OrgCheck
from sfqb.mapping import Mapper
from sfqb.store import QueueItem, QueueStatus, RunStatus, Store
from sfqb.store.binding_cache import BindingCache, BindingsChanged
from sfqb.store.journal import NewAttempt
from sfqb.store.queue import Move
from sfqb.sync.cycle import Cycle
from sfqb.sync.fields import references
from sfqb.sync.inbound import FALL_BACK_HOURS
from sfqb.sync.ops import QbAction, QbOp, QbResult, QuickBooksUnavailable, ReplyLost
from sfqb.sync.records import (
    SF_FLOWS,
    BindRequest,
    Direction,
    ItemState,
    PendingChange,
    SfWrite,
    modstamp_of,
)
from sfqb.sync.target import TargetProfile
from sfqb.sync.writeback import QB_ID, QB_VENDOR_ID

OPPORTUNITY_FLOW = "opportunity_to_invoice"  # its target kind is the runner's transaction type
CONTACT_EVERY = timedelta(seconds=30)  # how often a cycle records its contact with QuickBooks
FIELD_STREAM = ":binding-field:"  # target + this + the field in use ("" private): announced


class Circuit(Protocol):
    """The company's connector circuit (sfqb.jobs.circuit.Circuit)."""

    def trip(
        self, company: str, status: DecodedStatus, policy: CompanyPolicy | None = None
    ) -> Any: ...

    def contact(self, company: str) -> Any: ...


class Driver(Protocol):
    """Carries a batch of QuickBooks operations and brings back one result per op."""

    def execute(self, ops: Sequence[QbOp]) -> list[QbResult]: ...


@dataclass(frozen=True, slots=True)
class RunnerSettings:
    """Knobs of a cycle (the batch size is the target's: `TargetProfile.max_batch`)."""

    # QuickBooks' changes are read again from this long before the checkpoint (what comes
    # again and sfqb has seen costs nothing). Near the hours a fall-back repeats (`qb_fall_back`,
    # QuickBooks' wall clock) the read reaches a whole hour further back: see inbound.read_from.
    qb_overlap: timedelta = timedelta(minutes=3)
    qb_fall_back: tuple[time, time] = FALL_BACK_HOURS
    transaction_type: str = "Invoice"
    qb_page_size: int = 100  # MaxReturned of each page of QuickBooks' changes


@dataclass(slots=True)
class CycleReport:
    """What one cycle did, in counts."""

    company: str
    run_id: int
    synced: Counter[str] = field(default_factory=Counter)
    states: Counter[str] = field(default_factory=Counter)
    qb_batches: int = 0
    qb_pages: int = 0  # of the batches, those that only carried further pages of reads
    sf_writes: int = 0
    failed_writes: int = 0
    attempts: int = 0
    aborted: str = ""
    held: str = ""  # the company message that kept the cycle from running
    read_clean: bool = False  # QuickBooks' changes read in full and every write-back saved

    @property
    def wrote_anything(self) -> bool:
        """True when the cycle sent a write to either side (pages of reads are not writes)."""
        return self.qb_batches - self.qb_pages > 1 or self.sf_writes > 0


@dataclass(slots=True)
class ActiveCycle:
    """A cycle in progress, with the queue rows it works on."""

    report: CycleReport
    cycle: Cycle
    items: dict[SfRef, QueueItem]
    bindings: BindingCache
    read_ok: bool = True


class SyncRunner:
    """Runs cycles for companies; every collaborator is passed in."""

    def __init__(
        self,
        store: Store,
        salesforce: SalesforceSource,
        mapper: Mapper,
        catalog: Catalog,
        *,
        clock: Callable[[], datetime],
        rng: random.Random,
        profile: TargetProfile,
        settings: RunnerSettings | None = None,
        policy: CompanyPolicy | None = None,
        circuit: Circuit | None = None,
        alerts: ReviewAlerts | None = None,
        org_check: OrgCheck | None = None,
    ) -> None:
        self._store, self._sf, self._mapper, self._catalog = store, salesforce, mapper, catalog
        self._clock, self._circuit, self._org_check = clock, circuit, org_check
        self.profile = profile
        self._field_stream = profile.name + FIELD_STREAM
        configured = mapper.flows.flows
        self._off_by_default = frozenset(n for n, f in configured.items() if not f.enabled)
        opportunities = configured.get(OPPORTUNITY_FLOW)
        # The company's target kind for opportunities (config file `flows:`), unless given.
        self.settings = settings or RunnerSettings(
            transaction_type=opportunities.kind if opportunities else "Invoice"
        )
        self.policy = policy or CompanyPolicy()
        filters = {n: f.where for n, f in configured.items() if f.where is not None}
        self._gather = Gather(
            store, salesforce, clock=clock, filters=filters,
            selection=mapper.selection, kept_out=mapper.kept_out,
        )  # fmt: skip
        self._persistence = Persistence(
            store, catalog, self.policy, clock=clock, rng=rng, profile=profile, alerts=alerts
        )

    # -- a whole cycle, pushed to a driver ---------------------------------------------------

    def run_direct(
        self, company: str, driver: Driver, flows: Sequence[str] | None = None
    ) -> CycleReport:
        """Gather Salesforce's changes, run the cycle against `driver`, write back, persist.

        `flows` limits the cycle to some Salesforce-to-QuickBooks flows (all by default).
        """
        if (held := self.preflight(company)) is not None:
            return held
        self.gather(company, flows)
        active = self.start(company, flows)
        try:
            return self._drive(active, driver)
        except BindingsChanged as exc:
            return self.dropped(active, exc)

    def _drive(self, active: ActiveCycle, driver: Driver) -> CycleReport:
        company = active.report.company
        contact: datetime | None = None
        while (ops := active.cycle.next_batch()) is not None:
            self.sent(active, ops)
            try:
                results = driver.execute(ops)
            except ReplyLost:
                results = []
            except QuickBooksUnavailable as exc:
                if self._circuit is not None:
                    self._circuit.trip(company, exc.status, self.policy)
                return self.abort(active, exc)
            # The first answer closes an open circuit; later ones only keep last_contact fresh,
            # so one write every CONTACT_EVERY is enough (not one a batch).
            if self._circuit is not None and results:
                now = self._clock()
                if contact is None or now - contact >= CONTACT_EVERY:
                    self._circuit.contact(company)
                    contact = now
            self.received(active, ops, results)
        return self.finish(active)

    # -- the steps ---------------------------------------------------------------------------

    def preflight(self, company: str) -> CycleReport | None:
        """Salesforce's checks before a cycle; on a problem, one logged run and no cycle."""
        problem = self._org_check.check(company) if self._org_check is not None else None
        if problem is None:
            return None
        run = self._store.journal.start_run(company, [], at=self._clock())
        report = CycleReport(company, run.id, held=problem.message)
        self._stop(report, problem.status, "cycle not run; the company message says what to fix")
        return report

    def gather(self, company: str, flows: Sequence[str] | None = None) -> int:
        """Queue every Salesforce record changed since its checkpoint; returns how many.

        Flows switched off for the company (`flows_off`) are not read.
        """
        chosen = self.flows_on(company, flows)
        return self._gather.changes(company, chosen) if chosen else 0

    def flows_on(self, company: str, flows: Sequence[str] | None = None) -> list[str]:
        """The Salesforce-to-QuickBooks flows asked for (all by default) less those switched
        off for the company."""
        off = self.flows_off(company)
        return [f for f, _ in select_flows(flows) if f not in off]

    def flows_off(self, company: str) -> frozenset[str]:
        """The company's flows that are off: switched off in the console, or off in its config
        file and not switched on in the console (a person's switch wins)."""
        return self._store.flow_settings.disabled(company, self._off_by_default)

    def start(self, company: str, flows: Sequence[str] | None = None) -> ActiveCycle:
        """Open a run and build the cycle from the due queue rows (and any left in flight).

        Parents the records reference but sfqb never saw (not bound, not queued) are read from
        Salesforce and queued first, so the cycle syncs them before their children.
        """
        now = self._clock()
        chosen = set(self.flows_on(company, flows))
        run = self._store.journal.start_run(company, sorted(chosen), at=now)
        items = self._open_rows(company, now, chosen)
        clean = clean_before(self._store, company, run.id)
        bindings = self._store.binding_cache(company)  # read once per cycle, written per batch
        cycle = self._cycle(company, items, clean, bindings)
        missing = cycle.unsynced_parents()
        if missing:
            self._gather.parents(company, missing)
            parents = {f for f, _ in SF_FLOWS[:2]} - self.flows_off(company)
            items = self._open_rows(company, now, chosen | parents)
            cycle = self._cycle(company, items, clean, bindings)
        return ActiveCycle(CycleReport(company, run.id), cycle, items, bindings)

    def _open_rows(self, company: str, now: datetime, flows: set[str]) -> dict[SfRef, QueueItem]:
        rows = [r for r in self._store.queue.due(company, now) if r.direction is Direction.SF_TO_QB]
        rows += [
            r
            for r in self._store.queue.open_items(company)
            if r.status is QueueStatus.INFLIGHT and r.direction is Direction.SF_TO_QB
        ]
        return {r.source: r for r in rows if isinstance(r.source, SfRef) and r.flow in flows}

    def _cycle(
        self,
        company: str,
        items: Mapping[SfRef, QueueItem],
        clean: bool,
        bindings: BindingCache,
    ) -> Cycle:
        overrides = self._store.overrides.of_company(company)
        changes = [
            PendingChange(
                r.flow,
                ref,
                r.payload,
                modstamp_of(r.payload),
                unknown_since=r.updated_at if r.status is QueueStatus.INFLIGHT else None,
                attempts=max(0, r.attempts - r.lock_waits),
                tries=r.attempts,
                last_code=r.last_code,
                bind_request=BindRequest.from_json(r.bind_request),
                sent=r.sent if r.status is QueueStatus.INFLIGHT else None,
                overrides=overrides.get((r.flow, ref), {}),
            )
            for ref, r in items.items()
        ]
        settings = self.settings
        since = qb_since(
            self._store, company, self.profile, transaction_type=settings.transaction_type,
            overlap=settings.qb_overlap, fall_back=settings.qb_fall_back, now=self._clock(),
        )  # fmt: skip
        cycle = Cycle(
            company,
            changes,
            mapper=self._mapper,
            catalog=self._catalog,
            bindings=bindings,
            qb_since=since,
            clock=self._clock,
            profile=self.profile,
            last_payload=self._last_payload(company),
            transaction_type=self.settings.transaction_type,
            policy=self.policy,
            blocks=self._persistence.blocks(company),
            page_size=self.settings.qb_page_size,
            settled=frozenset(
                name
                for name in ("", self.policy.binding_field)
                if self._store.checkpoints.get(company, self._field_stream + name) is not None
            ),
            skip_seen=clean,
            flows_off=self.flows_off(company),
        )
        parents = {p for m in cycle.canonical.values() for p in references(m.fields)}
        bindings.prefetch(sf=set(items) | parents)
        return cycle

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

    def received(
        self, active: ActiveCycle, ops: Sequence[QbOp], results: Sequence[QbResult]
    ) -> None:
        """Hand QuickBooks' answers to the engine and persist what it decided so far."""
        for op, result in zip(ops, results, strict=False):
            if op.action is QbAction.READ_CHANGED and op.sf is None and not result.ok:
                active.read_ok = False
        profile = self.profile
        active.bindings.prefetch(
            qb={
                QbRef(profile.kind_of(r.qb_type), r.id)
                for result in results
                for r in result.records
                if profile.binds(r.qb_type)
            }
        )
        active.cycle.take_results(results)
        if active.cycle.sf_wanted:
            self._gather.wanted(active.report.company, active.cycle, active.items)
        self._persistence.pasted(active.report.company, active.cycle)
        self._persist(active, final=False)

    def finish(self, active: ActiveCycle) -> CycleReport:
        """Write back to Salesforce, persist outcomes and checkpoints, close the run."""
        cycle, report = active.cycle, active.report
        writes = cycle.sf_writes()
        results = self._sf.write(writes) if writes else []
        cycle.take_sf_results(results)
        report.sf_writes = len(writes)
        report.failed_writes = sum(1 for r in results if not r.ok)
        for write, result in zip(writes, results, strict=True):
            if result.ok and write.direction is Direction.QB_TO_SF:
                report.synced[write.flow] += 1
        written = [
            w
            for w, r in zip(writes, results, strict=True)
            if r.ok and (QB_ID in w.fields or QB_VENDOR_ID in w.fields)
        ]
        self._persist(active, final=True, wrote_ids=written)
        self._persistence.after_cycle(report.company, cycle)
        if cycle.marking.settled is not None:
            stream = self._field_stream + cycle.marking.settled
            self._store.checkpoints.set(report.company, stream, self._clock())
        high = cycle.qb_high_water
        # A change held back by a flow switched off is read again once the flow is on.
        report.read_clean = (
            active.read_ok
            and cycle.read_complete
            and report.failed_writes == 0
            and not cycle.writeback.held_back
        )
        if report.read_clean:
            newest = max(high.values(), default=None)
            save_qb_checkpoint(self._store, report.company, self.profile, newest)
        status = RunStatus.SUCCEEDED if not report.states.get("failed") else RunStatus.PARTIAL
        self._store.journal.finish_run(
            report.run_id, status, self._counts(report), at=self._clock()
        )
        return report

    def abort(self, active: ActiveCycle, exc: QuickBooksUnavailable) -> CycleReport:
        """QuickBooks is unreachable: log it once, leave every record queued, close the run."""
        report = active.report
        report.aborted = f"{exc.status.system} {exc.status.code}"
        self._stop(report, exc.status, "cycle stopped; records stay queued")
        return report

    def dropped(self, active: ActiveCycle, exc: BindingsChanged) -> CycleReport:
        """Someone else changed a binding the cycle changed too: the batch's write-down is not
        made, the cycle ends (its records stay in flight; the next cycle looks them up)."""
        report = active.report
        report.aborted = str(exc)
        self._store.journal.finish_run(
            report.run_id, RunStatus.FAILED, self._counts(report), at=self._clock()
        )
        return report

    def _stop(self, report: CycleReport, status: DecodedStatus, action: str) -> None:
        self._store.journal.record_attempt(
            company=report.company, flow="connector", direction=Direction.SF_TO_QB,
            operation="connect", status=status, action_taken=action, run_id=report.run_id,
            at=self._clock(),
        )  # fmt: skip
        report.attempts += 1
        self._store.journal.finish_run(
            report.run_id, RunStatus.FAILED, self._counts(report), at=self._clock()
        )

    # -- persistence ---------------------------------------------------------------------------

    def _persist(
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
        for outcome in outcomes:
            if outcome.state is ItemState.DONE:
                report.synced[outcome.flow] += 1
            report.states[outcome.state.value] += 1

    def _last_payload(self, company: str) -> Callable[[str, SfRef], Mapping[str, Any] | None]:
        def lookup(flow: str, sf: SfRef) -> Mapping[str, Any] | None:
            item = self._store.queue.get(company, flow, sf)
            return None if item is None else item.payload

        return lookup

    @staticmethod
    def _counts(report: CycleReport) -> dict[str, int]:
        counts = {f"synced:{flow}": n for flow, n in report.synced.items()}
        counts.update({f"state:{state}": n for state, n in report.states.items()})
        counts.update(
            qb_batches=report.qb_batches,
            qb_pages=report.qb_pages,
            qb_read_clean=int(report.read_clean),
            sf_writes=report.sf_writes,
            failed_writes=report.failed_writes,
        )
        return counts


def decode_outage(catalog: Catalog, hresult: str, message: str) -> QuickBooksUnavailable:
    """The exception a driver raises when QuickBooks cannot be reached, decoded."""
    return QuickBooksUnavailable(catalog.decode(System.HRESULT, hresult, message))
