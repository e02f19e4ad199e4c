"""One sync cycle of one company, end to end: gather, drive the engine, persist its decisions.

The runner owns the I/O the engine does not: reading Salesforce (`sfqb.jobs.gather`), the
retry queue, the log, checkpoints and runs. Two ways to drive QuickBooks share it:
`run_direct` pushes batches to a driver in-process; the Web Connector work source
(`sfqb.jobs.qbwc`) hands them out as QuickBooks pulls them. Building the cycle lives in
`sfqb.jobs.cycle_build`, writing it down in `sfqb.jobs.writedown`, its shapes in
`sfqb.jobs.cycle_report`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import datetime, time

from sfqb.codes import Catalog
from sfqb.domain.entities import QbRef, SfObject, SfRef
from sfqb.domain.policy import CompanyPolicy
from sfqb.jobs.cycle_build import CycleBuilder, due_rows
from sfqb.jobs.cycle_report import (
    CONTACT_EVERY,
    FIELD_STREAM,
    OPPORTUNITY_FLOW,
    ActiveCycle,
    Circuit,
    CycleReport,
    Driver,
    RunnerSettings,
    decode_outage,
)
from sfqb.jobs.gateway import SalesforceSource
from sfqb.jobs.gather import Gather, select_flows
from sfqb.jobs.persist import Persistence, ReviewAlerts
from sfqb.jobs.qb_checkpoint import clean_before, save_qb_checkpoint, sweep_due
from sfqb.jobs.salesforce_org import OrgCheck
from sfqb.jobs.writedown import WriteDown
from sfqb.mapping import Mapper
from sfqb.store import QueueItem, RunKind, RunStatus, Store
from sfqb.store.binding_cache import BindingCache, BindingsChanged
from sfqb.sync.cycle import Cycle
from sfqb.sync.ops import QbAction, QbOp, QbResult, QuickBooksUnavailable, ReplyLost
from sfqb.sync.records import SF_FLOWS, Direction, flow_sources
from sfqb.sync.target import TargetProfile
from sfqb.sync.writeback import QB_ID, QB_VENDOR_ID

__all__ = [
    "ActiveCycle",
    "Circuit",
    "CycleReport",
    "Driver",
    "RunnerSettings",
    "SyncRunner",
    "chain",
    "decode_outage",
]


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
        sweep_at: time | None = None,
        key_prefix: Callable[[str], str | None] | None = None,
    ) -> None:
        self._store, self._sf, self._mapper, self._catalog = store, salesforce, mapper, catalog
        self._clock, self._circuit, self._org_check = clock, circuit, org_check
        self._sweep_at = sweep_at  # the daily time (UTC) of the sweep; None: no sweeps
        # A custom object's key prefix (describe's keyPrefix), so an Id of it pasted in
        # QuickBooks is known as its (SalesforceGateway.key_prefix); None: not known.
        self._key_prefix = key_prefix
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
            store, salesforce, clock=clock, filters=filters, reads=mapper.reads,
            sources=flow_sources(mapper.flows),
        )  # fmt: skip
        self._persistence = Persistence(
            store, catalog, self.policy, clock=clock, rng=rng, profile=profile, alerts=alerts
        )
        self._builder = CycleBuilder(
            store, mapper, catalog, self._persistence,
            clock=clock, profile=profile, field_stream=self._field_stream,
        )  # fmt: skip
        self._writedown = WriteDown(store, self._gather, self._persistence, clock=clock)

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
        report: CycleReport | None = None
        while report is None or (report.more and not report.aborted):
            active = self.start(company, flows, after=report)
            try:
                done = self._drive(active, driver)
            except BindingsChanged as exc:
                done = self.dropped(active, exc)
            report = done if report is None else chain(report, done)
        return report

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
        why = "cycle not run; the company message says what to fix"
        self._writedown.stop(report, problem.status, why)
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
        chosen = select_flows(flows, flow_sources(self._mapper.flows))
        return [f for f, _ in chosen if f not in off]

    def flows_off(self, company: str) -> frozenset[str]:
        """The company's flows that are off: switched off in the console, or off in its config
        file and not switched on in the console (a person's switch wins)."""
        return self._store.flow_settings.disabled(company, self._off_by_default)

    def start(
        self, company: str, flows: Sequence[str] | None = None, *, after: CycleReport | None = None
    ) -> ActiveCycle:
        """Open a run and build the cycle from the due queue rows (and any left in flight).

        The cycle takes at most `settings.max_records_per_cycle` due rows, earliest due first;
        `report.more` says when it took that many: the caller then starts the next cycle of
        the chain at once, passing this report as `after` (see CycleReport.more).
        Parents the records reference come along: queued ones due, and those sfqb never saw
        (not bound, not queued) read from Salesforce and queued first, so the cycle syncs them
        before their children.
        """
        now = self._clock()
        due_by = now if after is None or after.due_by is None else min(after.due_by, now)
        chosen = set(self.flows_on(company, flows))
        # The nightly sweep is the first cycle of a chain: the chained ones read no QuickBooks.
        sweep = after is None and self.sweep_due(company, now)
        kind = RunKind.CDC_SWEEP if sweep else RunKind.CYCLE
        run = self._store.journal.start_run(company, sorted(chosen), at=now, kind=kind)
        cap, past = self.settings.max_records_per_cycle, after.more if after else None
        self._store.queue.wake_bound(company, due_by)  # their parents were bound meanwhile
        items, more = self._builder.open_rows(company, due_by, chosen, cap, past)
        clean = clean_before(self._store, company, run.id)
        bindings = self._store.binding_cache(company)  # read once per cycle, written per batch
        cycle = self._build(company, items, clean, bindings, read_qb=after is None, sweep=sweep)
        missing = cycle.unsynced_parents()
        if missing:
            parents = chosen | ({f for f, _ in SF_FLOWS[:2]} - self.flows_off(company))
            rows = self._builder.rows_of(company, missing, parents)
            queued = due_rows(rows, due_by)
            # A parent with a row in any state was read before: its changes come through its
            # change stream, so one held for review (a 3100 name clash) is not read again by Id
            # every cycle while its children wait for it.
            unread = missing - set(rows)
            if unread:
                self._gather.parents(company, unread)
                # due by the cycle's start, as before the cap: one read now (queued at a
                # later time) is synced by the next cycle, its children wait till then
                queued |= self._builder.due_rows_of(company, due_by, unread, parents)
            # A parent held for review (not due) brings nothing: the cycle is built as it was,
            # so it is not built twice (the 16x load: each cycle of deals, one of them selling
            # a held product, was mapped twice).
            if queued.keys() - items.keys():
                items.update(queued)
                cycle = self._build(
                    company, items, clean, bindings, read_qb=after is None, sweep=sweep
                )
        report = CycleReport(company, run.id, more=more, due_by=due_by)
        chained = None if after is None else after.read_clean
        return ActiveCycle(report, cycle, items, bindings, sweep=sweep, clean_before=chained)

    def sweep_due(self, company: str, now: datetime) -> bool:
        """True when the company's next cycle is its daily sweep: sweeps are on, its change
        feed reaches only so far back, a first read has set its checkpoint, and it has had
        no sweep since the sweep time last came round."""
        at, profile = self._sweep_at, self.profile
        if at is None or profile.lookback is None:
            return False
        if self._store.checkpoints.get(company, profile.stream) is None:
            return False
        return sweep_due(self._store, company, now, at)

    def _build(
        self,
        company: str,
        items: dict[SfRef, QueueItem],
        clean: bool,
        bindings: BindingCache,
        *,
        read_qb: bool,
        sweep: bool,
    ) -> Cycle:
        return self._builder.build(
            company, items, clean, bindings, settings=self.settings, policy=self.policy,
            flows_off=self.flows_off(company), read_qb=read_qb, sweep=sweep,
            key_prefixes=self.key_prefixes(),
        )  # fmt: skip

    def key_prefixes(self) -> dict[str, SfObject]:
        """Key prefix -> the company's custom source object, for those the org describes."""
        found: dict[str, SfObject] = {}
        if self._key_prefix is None:
            return found
        for sobject in flow_sources(self._mapper.flows).values():
            prefix = self._key_prefix(sobject)
            if prefix is not None:
                found[prefix] = SfObject(sobject)
        return found

    def sent(self, active: ActiveCycle, ops: Sequence[QbOp]) -> None:
        """Mark the queue rows of Adds and Mods in flight before their batch leaves."""
        self._writedown.sent(active, ops)

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
        self._writedown.persist(active, final=False)

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
        self._writedown.persist(active, final=True, wrote_ids=written)
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
            and active.clean_before is not False
        )
        if report.read_clean and active.clean_before is None:
            newest = max(high.values(), default=None)
            save_qb_checkpoint(  # the chain's first cycle read QuickBooks: due_by, its start
                self._store, report.company, self.profile, newest, sweep=active.sweep,
                read_at=report.due_by, now=self._clock(),
            )  # fmt: skip
        status = RunStatus.SUCCEEDED if not report.states.get("failed") else RunStatus.PARTIAL
        self._writedown.close(report, status)
        return report

    def abort(self, active: ActiveCycle, exc: QuickBooksUnavailable) -> CycleReport:
        """QuickBooks is unreachable: log it once, leave every record queued, close the run."""
        report = active.report
        report.aborted = f"{exc.status.system} {exc.status.code}"
        self._writedown.stop(report, exc.status, "cycle stopped; records stay queued")
        return report

    def dropped(self, active: ActiveCycle, exc: BindingsChanged) -> CycleReport:
        """Someone else changed a binding the cycle changed too: the batch's write-down is not
        made, the cycle ends (its records stay in flight; the next cycle looks them up)."""
        report = active.report
        report.aborted = str(exc)
        self._writedown.close(report, RunStatus.FAILED)
        return report


def chain(earlier: CycleReport, later: CycleReport) -> CycleReport:
    """The report of a chain of cycles so far: `later`'s, with `earlier`'s counts added."""
    later.synced.update(earlier.synced)
    later.states.update(earlier.states)
    later.qb_batches += earlier.qb_batches
    later.qb_pages += earlier.qb_pages
    later.sf_writes += earlier.sf_writes
    later.failed_writes += earlier.failed_writes
    later.chained = earlier.chained + 1
    return later
