"""Writing down what a cycle decided: the log, queue states, the review list, company holds."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from sfqb.codes import Catalog
from sfqb.domain.entities import SfRef
from sfqb.domain.policy import AlertSettings, CompanyPolicy
from sfqb.domain.status import Category
from sfqb.jobs.backoff import Backoff
from sfqb.jobs.bindings import BindingDesk, qb_of, sf_of
from sfqb.jobs.schedule import waiting_recheck
from sfqb.store import QueueItem, QueueStatus, ReviewItem, ReviewStatus, Store
from sfqb.store.queue import Move
from sfqb.store.work import StoreWork
from sfqb.sync.cycle import Cycle
from sfqb.sync.gone import GONE_CODE, GoneTransaction
from sfqb.sync.pasting import PASTE_CODE, Pastes
from sfqb.sync.records import Block, ItemOutcome, ItemState, flow_of
from sfqb.sync.target import TargetProfile

BLOCK_SOURCE = "company"  # review items that hold a whole kind of record for a company
_QUEUE_STATE = {
    ItemState.DONE: QueueStatus.DONE,
    ItemState.SKIPPED: QueueStatus.DONE,
    ItemState.FAILED: QueueStatus.FAILED,
    ItemState.RETRY: QueueStatus.FAILED,
    ItemState.WAITING: QueueStatus.WAITING,
    ItemState.HELD: QueueStatus.WAITING,
    ItemState.REVIEW: QueueStatus.REVIEW,
}


class ReviewAlerts(Protocol):
    """Who hears that a record needs a person (the alert center)."""

    def needs_person(self, company: str, item: ReviewItem, settings: AlertSettings) -> Any: ...

    def resolve(self, company: str, kind: str, key: str | None = None) -> int: ...


class _NoAlerts:
    def resolve(self, company: str, kind: str, key: str | None = None) -> int:
        return 0


class Persistence:
    """Applies a cycle's decisions to the store as they are made."""

    def __init__(
        self,
        store: Store,
        catalog: Catalog,
        policy: CompanyPolicy,
        *,
        clock: Callable[[], datetime],
        rng: random.Random,
        profile: TargetProfile,
        alerts: ReviewAlerts | None = None,
    ) -> None:
        self._store, self._catalog, self._policy = store, catalog, policy
        self._clock, self._rng, self._alerts = clock, rng, alerts
        self._desk = BindingDesk(
            store, catalog, alerts or _NoAlerts(), clock=clock, profile_of=lambda _c: profile
        )
        self._backoff = Backoff(
            timedelta(seconds=policy.backoff_base_seconds),
            timedelta(seconds=policy.backoff_cap_seconds),
        )

    def outcomes(
        self,
        company: str,
        cycle: Cycle,
        items: dict[SfRef, QueueItem],
        *,
        final: bool,
        work: StoreWork,
    ) -> list[ItemOutcome]:
        """Move the queue rows of decided records in `work`; returns the outcomes written.

        Records done (or skipped) in QuickBooks stay in flight until the cycle's Salesforce
        write-back is over (`final`): a worker killed in between leaves them in flight, and the
        next cycle finds them bound and writes their QuickBooks IDs back then.
        """
        written: list[tuple[SfRef, QueueItem, ItemOutcome]] = []
        moves = []
        for sf, outcome in list(cycle.outcomes.items()):
            item = items.get(sf)
            if item is None or outcome.state is ItemState.INFLIGHT:
                continue
            if not final and outcome.state in (ItemState.DONE, ItemState.SKIPPED):
                continue
            del cycle.outcomes[sf]
            target = _QUEUE_STATE[outcome.state]
            awaits = self._awaits(company, cycle, outcome)
            if (
                item.status is target
                and target is not QueueStatus.FAILED
                and (target is not QueueStatus.WAITING or (awaits is None and not item.waits_for))
            ):
                continue  # a row waiting for an unbound parent sleeps again until it is bound
            moves.append(
                Move(
                    item.id, target, next_attempt_at=self._next(item, outcome, awaits),
                    decoded=outcome.status, error=outcome.reason if outcome.status else None,
                    sent_fingerprint=item.fingerprint if target is QueueStatus.DONE else None,
                    lock_wait=outcome.status is not None
                    and outcome.status.category is Category.IN_USE,
                    waits_for=awaits,
                )
            )  # fmt: skip
            written.append((sf, item, outcome))
        moved = work.move(moves, now=self._clock())
        for sf, item, outcome in written:
            items[sf] = moved[item.id]
            if outcome.state is ItemState.REVIEW:
                self._hold_for_review(work, company, item, outcome)
        done = [(o.flow, sf) for sf, _, o in written if o.state is ItemState.DONE]
        work.resolve_records(company, done)
        return [outcome for _, _, outcome in written]

    def _next(self, item: QueueItem, outcome: ItemOutcome, awaits: SfRef | None) -> datetime | None:
        if outcome.state is ItemState.RETRY:
            counted = item.attempts - item.lock_waits  # waiting on a lock is not a failure
            return self._backoff.next_attempt(self._clock(), counted, self._rng)
        if awaits is not None:  # woken once the parent is bound (queue_rows.wake_bound)
            return self._clock() + waiting_recheck()
        if outcome.state in (ItemState.WAITING, ItemState.HELD):
            return self._clock()
        return None

    @staticmethod
    def _awaits(company: str, cycle: Cycle, outcome: ItemOutcome) -> SfRef | None:
        """The unbound parent a waiting record sleeps on; None when it is due again at once
        (held for the company, waiting on something else, or its parent got bound meanwhile)."""
        if outcome.state is not ItemState.WAITING or outcome.awaits is None:
            return None
        return outcome.awaits if cycle.bindings.by_sf(company, outcome.awaits) is None else None

    def _hold_for_review(
        self, work: StoreWork, company: str, item: QueueItem, outcome: ItemOutcome
    ) -> None:
        details = dict(outcome.details)
        if "attempts" in details and isinstance(item.source, SfRef):
            details["history"] = [
                {"at": a.created_at.isoformat(), "code": f"{a.system.value}:{a.code}",
                 "title": a.title, "action": a.action_taken}
                for a in work.journal.log(company, record=item.source, limit=20)
            ]  # fmt: skip
        evidence = details.get("candidates") or details.get("conflicts") or details.get("history")
        source_type = (
            item.source.sobject.value if isinstance(item.source, SfRef) else item.source.kind.value
        )
        review = work.review.hold(
            company, outcome.flow, source_type, item.source.id, outcome.reason,
            status=outcome.status, candidates=evidence or ([details] if details else []),
            now=self._clock(),
        )  # fmt: skip
        alerts = self._alerts
        if alerts is not None:  # the alert center writes through its own sessions
            work.after_commit(lambda: alerts.needs_person(company, review, self._policy.alerts))

    def blocks(self, company: str) -> dict[str, Block]:
        """The company-level holds still open (kept on the review list as company items)."""
        found = {}
        for item in self._store.review.items(company):
            if item.source_type != BLOCK_SOURCE or item.system is None or item.code is None:
                continue
            status = self._catalog.decode(item.system, item.code, item.reason)
            found[item.source_id] = Block(item.source_id, status, item.reason)
        return found

    def after_cycle(self, company: str, cycle: Cycle) -> None:
        """Company holds opened and lifted, records to send again, binding changes settled."""
        for key, block in cycle.new_blocks.items():
            review = self._store.review.hold(
                company, "company", BLOCK_SOURCE, key, block.message, status=block.status,
                now=self._clock(),
            )  # fmt: skip
            if self._alerts is not None:
                self._alerts.needs_person(company, review, self._policy.alerts)
        for key in cycle.cleared_blocks:
            for item in self._store.review.items(company):
                if item.source_type == BLOCK_SOURCE and item.source_id == key:
                    self._store.review.close(
                        item.id,
                        "QuickBooks accepted the set-aside record sfqb sent to test",
                        now=self._clock(),
                    )
        for sf in cycle.requeue:
            row = self._store.queue.get(company, flow_of(sf), sf)
            if row is not None and row.status is not QueueStatus.INFLIGHT:
                self._store.queue.requeue(row.id, now=self._clock())
        self._paste_items(company, cycle.pastes)
        self._gone_items(company, cycle.gone.found)
        for sf in cycle.edits.settled:  # binding changes checked and carried out (or refused)
            row = self._store.queue.get(company, flow_of(sf), sf)
            if row is not None and row.bind_request is not None:
                self._store.queue.set_bind_request(row.id, None)

    def _gone_items(self, company: str, found: list[GoneTransaction]) -> None:
        """A bound transaction deleted in QuickBooks goes on the review list once: a person
        re-creates it or ignores it (an item already there, open or ignored, is kept)."""
        for gone in found:
            sf = gone.binding.sf
            earlier = self._store.review.of_record(company, sf.sobject.value, sf.id)
            if any(i.code == GONE_CODE and i.status is not ReviewStatus.RESOLVED for i in earlier):
                continue
            review = self._store.review.hold(
                company, flow_of(sf), sf.sobject.value, sf.id, gone.reason,
                status=gone.status, candidates=(_gone_evidence(gone),), now=self._clock(),
            )  # fmt: skip
            if self._alerts is not None:
                self._alerts.needs_person(company, review, self._policy.alerts)

    # -- Ids pasted into the binding field in QuickBooks (sfqb.sync.pasting) -----------------

    def pasted(self, company: str, cycle: Cycle) -> None:
        """A binding made from a pasted Id resolves the open items of both its records."""
        pastes = cycle.pastes
        while pastes.bound:
            made = pastes.bound.pop(0)
            row = self._store.queue.get(company, flow_of(made.sf), made.sf)
            for item in self._store.review.items(company):
                if sf_of(item) == made.sf or qb_of(item) == made.qb:
                    self._desk.close(item, row, made.done, ReviewStatus.RESOLVED)

    def _paste_items(self, company: str, pastes: Pastes) -> None:
        """Pasted values that bind nothing go on the review list once per record and value;
        a field cleared or corrected closes its record's item."""
        for item in self._store.review.items(company):
            if item.code == PASTE_CODE and qb_of(item) in pastes.fine:
                done = "the binding field was cleared or corrected in QuickBooks"
                self._desk.close(item, None, done, ReviewStatus.RESOLVED)
        for problem in pastes.problems:
            earlier = self._store.review.of_record(company, problem.qb.kind.value, problem.qb.id)
            if any(
                i.code == PASTE_CODE and i.status is not ReviewStatus.RESOLVED
                and _pasted_value(i) == problem.value
                for i in earlier
            ):  # fmt: skip
                continue  # raised already (open, or ignored by a person)
            review = self._store.review.hold(
                company, problem.flow, problem.qb.kind.value, problem.qb.id, problem.reason,
                status=problem.status, candidates=problem.evidence, now=self._clock(),
            )  # fmt: skip
            if self._alerts is not None:
                self._alerts.needs_person(company, review, self._policy.alerts)


def _gone_evidence(gone: GoneTransaction) -> dict[str, Any]:
    record = gone.record
    return {
        "side": "QuickBooks", "qb_id": record.id, "type": record.qb_type, "name": record.name,
        "state": "deleted", "bound_to": gone.binding.sf.id,
        "deleted": record.time_modified.isoformat() if record.time_modified else None,
    }  # fmt: skip


def _pasted_value(item: ReviewItem) -> object:
    first = item.candidates[0] if item.candidates else None
    return first.get("value") if isinstance(first, dict) else None
