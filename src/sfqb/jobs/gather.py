"""The runner's Salesforce reads: changes since each stream's checkpoint, records read by Id
(unsynced parents, Ids pasted in QuickBooks), and QuickBooks_ID__c told apart as a person's
edit or sfqb's own write-back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sfqb.connectors.salesforce import SalesforceError
from sfqb.domain.entities import Role, SfObject, SfRef
from sfqb.jobs.gateway import SalesforceSource, change_pages
from sfqb.mapping.mapper import FlowRead
from sfqb.mapping.soql import Condition
from sfqb.store import QueueItem, QueueStatus, Store
from sfqb.store.common import to_jsonable
from sfqb.store.work import Queued, StoreWork
from sfqb.sync.cycle import Cycle
from sfqb.sync.fields import to_plain
from sfqb.sync.rebinding import person_edited
from sfqb.sync.records import (
    FLOW_OF,
    REFUND_FLOW,
    SF_FLOWS,
    BindOrigin,
    BindRequest,
    Direction,
    SfWrite,
    flow_of,
    sf_flows,
    sf_ref,
)
from sfqb.sync.writeback import QB_ID, QB_VENDOR_ID, id_field

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
PAGE = 500  # records queued in one transaction
SETTLED = ":settled"  # a stream's checkpoint whose overlap a later read covered again
# Fields sfqb writes itself, or that change on every save: not part of a record's identity.
_VOLATILE = ("SystemModstamp", "LastModifiedById", "QuickBooks_")


def payload_fingerprint(payload: Mapping[str, Any]) -> str:
    """A hash of a record's own fields, so re-reading an unchanged record queues nothing."""
    return plain_fingerprint(to_plain(payload))


def plain_fingerprint(plain: Mapping[str, Any]) -> str:
    """`payload_fingerprint` of a payload already made plain (`to_plain`, `to_jsonable`)."""
    kept = {k: v for k, v in plain.items() if not k.startswith(_VOLATILE)}
    text = json.dumps(kept, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class _Read:
    """A record of a Salesforce page, made plain and fingerprinted once for every flow."""

    payload: Mapping[str, Any]
    plain: dict[str, Any]
    fingerprint: str

    @classmethod
    def of(cls, payload: Mapping[str, Any]) -> _Read:
        plain = to_jsonable(payload)
        return cls(payload, plain, plain_fingerprint(plain))

    def queued(self, ref: SfRef) -> Queued:
        return Queued(ref, self.payload, self.fingerprint, self.plain)


class Gather:
    """Reads Salesforce for a company's cycles and keeps the retry queue in step with it."""

    def __init__(
        self,
        store: Store,
        salesforce: SalesforceSource,
        *,
        clock: Callable[[], datetime],
        filters: Mapping[str, Condition] | None = None,
        reads: Callable[[str], tuple[FlowRead, ...]] | None = None,
        sources: Mapping[str, str] | None = None,
    ) -> None:
        self._store, self._sf, self._clock = store, salesforce, clock
        self._filters = dict(filters or {})  # flow -> its source filter
        self._sources = dict(sources or {})  # flow -> the object it reads (a custom one)
        # flow -> the reads of its changes (Mapper.reads); by default one read, its filter.
        self._reads = reads or (lambda flow: (FlowRead(self._filters.get(flow)),))

    def _read_ids(self, flow: str, sobject: str, ids: Sequence[str]) -> list[dict[str, Any]]:
        where = self._filters.get(flow)
        return self._sf.read_ids(sobject, ids, where) if where else self._sf.read_ids(sobject, ids)

    def changes(self, company: str, flows: Sequence[str] | None = None) -> int:
        """Queue every Salesforce record changed since its checkpoint (and inside its flow's
        filter), a Salesforce page at a time; returns how many.

        Reads with the same condition share one (Account: the vendor flow's read of the
        vendor rule is the customer flow's read of the vendors it keeps as customers), and
        each record is queued for each flow that takes it.
        A stream whose read found nothing newer than its checkpoint is settled (SETTLED): its
        overlap was read again after the read that set the checkpoint, so the next read starts
        at the checkpoint itself (quiet cycles do not read the last burst's seconds again).
        """
        queued = 0
        chosen = select_flows(flows, self._sources)
        for sobject in dict.fromkeys(o for _, o in chosen):
            since = salesforce_since(self._store, self._sf, company, sobject.value)
            settled = frozenset(s for s, at in since.items() if self._settled(company, s) == at)
            reads: list[tuple[Condition | None, list[tuple[str, bool]]]] = []
            for flow in (f for f, o in chosen if o is sobject):
                for read in self._reads(flow):
                    group = next((g for w, g in reads if w == read.where), None)
                    if group is None:
                        reads.append((read.where, [(flow, read.bound_only)]))
                    else:
                        group.append((flow, read.bound_only))
            # Each read starts at the same checkpoint; the stream moves to the least of the
            # high-water marks of the reads that found something, so no read misses what
            # another one passed. A read that found nothing holds no stream back (else an empty
            # vendor read kept Account at its first checkpoint, and every cycle read every
            # account again): the reads follow one another, and what a read could miss in
            # between is what the connector's overlap covers for any read.
            found: dict[str, list[datetime]] = {}
            for where, group in reads:
                highs: dict[str, datetime] = {}
                # Queued a page at a time: the next page is read once this one is queued.
                for payloads, marks in change_pages(self._sf, sobject.value, since, where, settled):
                    page = [_Read.of(p) for p in payloads]
                    for flow, bound_only in group:
                        queued += self._queue(company, flow, sobject, page, bound_only)
                    highs = marks  # the last page's are the read's
                for stream, high in highs.items():
                    found.setdefault(stream, [])
                    if high != since.get(stream):
                        found[stream].append(high)
            lows = {s: min(h, default=since.get(s, EPOCH)) for s, h in found.items()}
            for stream, high in lows.items():
                # `reads` share the checkpoint: settled only when none found anything newer
                name = f"salesforce:{stream}" + (SETTLED if high == since[stream] else "")
                self._store.checkpoints.set(company, name, high)
        return queued

    def _settled(self, company: str, stream: str) -> datetime | None:
        return self._store.checkpoints.get(company, f"salesforce:{stream}{SETTLED}")

    def _queue(
        self,
        company: str,
        flow: str,
        sobject: SfObject,
        reads: Sequence[_Read],
        bound_only: bool = False,
    ) -> int:
        """Queue the records of `reads` the flow takes (with `bound_only`, those bound in its
        role: a vendor that is a customer already), one transaction a page; how many."""
        records = [
            r.queued(ref)
            for r in reads
            if (ref := sf_ref(flow, sobject, str(r.payload["Id"]))) is not None
            and (not bound_only or self._store.bindings.by_sf(company, ref) is not None)
        ]
        for start in range(0, len(records), PAGE):
            page = records[start : start + PAGE]
            # An in-flight row keeps its time: it is when its unanswered add was sent, and the
            # next cycle looks for that add from then on (a later time would miss it).
            rows = self._store.queue_page(
                company, flow, Direction.SF_TO_QB, page, now=self._clock(),
                keep_inflight_time=True,
            )  # fmt: skip
            for record, (current, item) in zip(page, rows, strict=True):
                if current is not None and current.status is not QueueStatus.INFLIGHT:
                    assert isinstance(record.source, SfRef)
                    self._binding_field(company, record.source, current, item, record.payload)
        return len(records)

    def _binding_field(
        self,
        company: str,
        ref: SfRef,
        before: QueueItem,
        item: QueueItem,
        payload: Mapping[str, Any],
    ) -> None:
        """QuickBooks_ID__c edited by a person becomes a request the next cycle checks.

        sfqb's own write-back is told apart by comparing with the binding and with what sfqb
        last knew the field held (`note_payload` after each write-back).
        """
        field = id_field(ref)  # QuickBooks_ID__c, or QuickBooks_Vendor_ID__c for a vendor
        known, read = _text(before.payload.get(field)), _text(payload.get(field))
        if known == read:
            return
        binding = self._store.bindings.by_sf(company, ref)
        if person_edited(known, read, binding.qb.id if binding else ""):
            by = payload.get("LastModifiedById")
            request = BindRequest(read, BindOrigin.SALESFORCE, str(by) if by else None)
            self._store.queue.set_bind_request(item.id, request.to_json())
            if item.status is not QueueStatus.PENDING:
                self._store.queue.requeue(item.id, now=self._clock())
        self._store.queue.note_payload(item.id, {field: payload.get(field)})

    def parents(self, company: str, parents: set[SfRef]) -> None:
        """Read the parents a cycle found unsynced by Id and queue them; a parent outside its
        flow's filter is not read (its children wait for it)."""
        for sobject in {p.sobject for p in parents}:
            ids = sorted(p.id for p in parents if p.sobject is sobject)
            flow = FLOW_OF[sobject]
            records = [
                _Read.of(p).queued(SfRef(sobject, str(p["Id"])))
                for p in self._read_ids(flow, sobject.value, ids)
            ]
            if records:  # one transaction for what was read
                self._store.queue_page(
                    company, flow, Direction.SF_TO_QB, records, now=self._clock()
                )

    def _enqueue_read(self, company: str, ref: SfRef, payload: Mapping[str, Any]) -> QueueItem:
        """Queue a record read by Id (its row is left as it is when nothing changed)."""
        return self._store.queue.enqueue(
            company, flow_of(ref), Direction.SF_TO_QB, ref, payload=payload,
            fingerprint=payload_fingerprint(payload), now=self._clock(),
        )  # fmt: skip

    def wanted(self, company: str, cycle: Cycle, items: dict[SfRef, QueueItem]) -> None:
        """Read the Salesforce records the cycle asks for by Id (pasted in QuickBooks) and
        queue those it takes in (added to `items`), so their rows end with the cycle."""
        found: dict[SfRef, Mapping[str, Any]] = {}
        wanted = cycle.sf_wanted
        try:
            for sobject in sorted({w.sobject for w in wanted}):
                asked = [w for w in wanted if w.sobject is sobject]
                for payload in self._sf.read_ids(sobject.value, sorted({w.id for w in asked})):
                    for ref in (w for w in asked if w.id == str(payload["Id"])):
                        found[ref] = payload  # in each role it was asked in
        except SalesforceError:
            return  # not read: the cycle decides them next time (see Cycle.next_batch)
        cycle.take_sf_records(found)
        for ref in cycle.pastes.joined:
            if ref not in items:  # read by Id
                row = self._enqueue_read(company, ref, found[ref])
                if row.status not in (QueueStatus.PENDING, QueueStatus.INFLIGHT):
                    row = self._store.queue.requeue(row.id, now=self._clock())  # e.g. in review
                items[ref] = row

    def wrote_qb_ids(
        self,
        work: StoreWork,
        company: str,
        items: dict[SfRef, QueueItem],
        writes: Sequence[SfWrite],
    ) -> None:
        """Remember what sfqb wrote in QuickBooks_ID__c (a vendor's: QuickBooks_Vendor_ID__c),
        so it is never taken for a person's (in `work`'s transaction)."""
        notes: dict[int, dict[str, Any]] = {}
        refs: dict[int, SfRef] = {}
        for write in writes:
            for role, field in ((Role.MAIN, QB_ID), (Role.VENDOR, QB_VENDOR_ID)):
                if field not in write.fields:
                    continue
                ref = SfRef(SfObject(write.sobject), write.record_id, role)
                item = items.get(ref) or work.queue.get(company, flow_of(ref), ref)
                value = write.fields[field]
                if item is not None and _text(item.payload.get(field)) != _text(value):
                    notes.setdefault(item.id, {})[field] = value
                    refs[item.id] = ref
        for item_id, noted in work.note_payloads(notes).items():
            if refs[item_id] in items:
                items[refs[item_id]] = noted


def salesforce_since(
    store: Store, source: SalesforceSource, company: str, sobject: str
) -> dict[str, datetime]:
    """The checkpoint of each Salesforce stream a read of `sobject` follows."""
    return {
        stream: store.checkpoints.get(company, f"salesforce:{stream}") or EPOCH
        for stream in source.streams(sobject)
    }


class UnknownFlow(ValueError):
    """A flow name that is not one of the Salesforce-to-QuickBooks flows; one line."""


def select_flows(
    flows: Sequence[str] | None, sources: Mapping[str, str] | None = None
) -> tuple[tuple[str, SfObject], ...]:
    """The (flow, sObject) pairs asked for (all by default), each flow reading its company's
    source (`sources`: flow -> object) or its own; UnknownFlow names the valid ones."""
    every = sf_flows(sources)
    if not flows:
        return every
    known = {f for f, _ in SF_FLOWS} | {REFUND_FLOW}  # it reads only with a source
    unknown = sorted(set(flows) - known)
    if unknown:
        raise UnknownFlow(
            f"unknown flow {', '.join(unknown)}; flows are {', '.join(sorted(known))}"
        )
    return tuple((f, o) for f, o in every if f in flows)


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""
