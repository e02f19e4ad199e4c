"""Building a company's cycle from its queue: the due rows, those left in flight, and what the
store knows that the engine needs (overrides, checkpoints, bindings, the last payloads)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sfqb.codes import Catalog
from sfqb.domain.entities import SfObject, SfRef
from sfqb.domain.policy import CompanyPolicy
from sfqb.jobs.cycle_report import RunnerSettings
from sfqb.jobs.persist import Persistence
from sfqb.jobs.qb_checkpoint import qb_since
from sfqb.mapping import Mapper
from sfqb.store import QueueItem, QueueStatus, Store
from sfqb.store.binding_cache import BindingCache
from sfqb.store.queue import DUE
from sfqb.sync.cycle import Cycle
from sfqb.sync.fields import references
from sfqb.sync.records import BindRequest, Direction, PendingChange, flow_of, modstamp_of
from sfqb.sync.target import TargetProfile


class CycleBuilder:
    """Reads a company's open queue rows and builds the engine's `Cycle` over them."""

    def __init__(
        self,
        store: Store,
        mapper: Mapper,
        catalog: Catalog,
        persistence: Persistence,
        *,
        clock: Callable[[], datetime],
        profile: TargetProfile,
        field_stream: str,
    ) -> None:
        self._store, self._mapper, self._catalog = store, mapper, catalog
        self._persistence, self._clock, self._profile = persistence, clock, profile
        self._field_stream = field_stream

    def open_rows(
        self,
        company: str,
        now: datetime,
        flows: set[str],
        limit: int | None = None,
        after: tuple[datetime, int] | None = None,
    ) -> tuple[dict[SfRef, QueueItem], tuple[datetime, int] | None]:
        """The company's Salesforce-to-QuickBooks rows of `flows` in flight, and those due by
        `now` (past `after` in due order), earliest first, at most `limit` of them; and, when
        the limit was reached, the (next attempt, id) of the last due row taken."""
        rows = self._store.queue.due(
            company, now, limit=limit, flows=flows, direction=Direction.SF_TO_QB, after=after
        )
        last = rows[-1] if rows and limit is not None and len(rows) >= limit else None
        full = (
            None
            if last is None or last.next_attempt_at is None
            else (last.next_attempt_at, last.id)
        )
        rows += [
            r for r in self._store.queue.in_flight(company, Direction.SF_TO_QB) if r.flow in flows
        ]
        return {r.source: r for r in rows if isinstance(r.source, SfRef)}, full

    def rows_of(self, company: str, wanted: set[SfRef], flows: set[str]) -> dict[SfRef, QueueItem]:
        """The queue rows, in any state, of `wanted` records (in their flows among `flows`)."""
        pairs = [(f, ref) for ref in wanted if (f := flow_of(ref)) in flows]
        rows = self._store.queue.rows_of(company, pairs)
        return {r.source: r for r in rows if isinstance(r.source, SfRef)}

    def due_rows_of(
        self, company: str, now: datetime, wanted: set[SfRef], flows: set[str]
    ) -> dict[SfRef, QueueItem]:
        """The queue rows of `wanted` records (in their flows among `flows`) due by `now`."""
        return due_rows(self.rows_of(company, wanted, flows), now)

    def build(
        self,
        company: str,
        items: Mapping[SfRef, QueueItem],
        clean: bool,
        bindings: BindingCache,
        *,
        settings: RunnerSettings,
        policy: CompanyPolicy,
        flows_off: frozenset[str],
        sweep: bool = False,
        key_prefixes: Mapping[str, SfObject] | None = None,
        read_qb: bool = True,
    ) -> Cycle:
        """The cycle over `items`; the bindings it will ask about are read ahead (a `sweep`
        reads QuickBooks' whole change window). Without `read_qb` it reads none of QuickBooks'
        changes (a chained cycle: its chain's first cycle read them)."""
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
        since = qb_since(
            self._store, company, self._profile, transaction_type=settings.transaction_type,
            overlap=settings.qb_overlap, fall_back=settings.qb_fall_back, now=self._clock(),
            sweep=sweep,
        ) if read_qb else {}  # fmt: skip
        cycle = Cycle(
            company,
            changes,
            mapper=self._mapper,
            catalog=self._catalog,
            bindings=bindings,
            qb_since=since,
            clock=self._clock,
            profile=self._profile,
            last_payload=self._last_payload(company),
            transaction_type=settings.transaction_type,
            policy=policy,
            blocks=self._persistence.blocks(company),
            page_size=settings.qb_page_size,
            settled=frozenset(
                name
                for name in ("", policy.binding_field)
                if self._store.checkpoints.get(company, self._field_stream + name) is not None
            ),
            skip_seen=clean,
            flows_off=flows_off,
            key_prefixes=key_prefixes,
        )
        parents = {p for m in cycle.canonical.values() for p in references(m.fields)}
        bindings.prefetch(sf=set(items) | parents, pin=True)  # asked for by every batch
        return cycle

    def _last_payload(self, company: str) -> Callable[[str, SfRef], Mapping[str, Any] | None]:
        def lookup(flow: str, sf: SfRef) -> Mapping[str, Any] | None:
            item = self._store.queue.get(company, flow, sf)
            return None if item is None else item.payload

        return lookup


def due_rows(rows: Mapping[SfRef, QueueItem], now: datetime) -> dict[SfRef, QueueItem]:
    """The rows of `rows` due by `now`."""
    return {
        ref: r
        for ref, r in rows.items()
        if r.status in DUE and r.next_attempt_at is not None and r.next_attempt_at <= now
    }
