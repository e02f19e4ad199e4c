"""Adds and Mods as QuickBooks Online batch requests, with request ids stable per attempt;
each batch written down before it leaves, and sent again as it was when its answer was lost."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sfqb.codes import Catalog
from sfqb.codes.readings import refine
from sfqb.connectors.qbo.api import BatchAnswer, BatchItem, BatchOperation, Fault, QboApi, QboFault
from sfqb.connectors.qbo.operations.bodies import BodyError, NameLookup, body
from sfqb.connectors.qbo.operations.custom_field import WITH_FIELDS, merged, value
from sfqb.connectors.qbo.operations.records import entity_of, to_record
from sfqb.connectors.qbo.unanswered import BatchJournal, MemoryJournal, UnansweredBatch
from sfqb.domain.status import DecodedStatus, System
from sfqb.mapping import canonical_json
from sfqb.sync.fields import to_plain
from sfqb.sync.ops import QbAction, QbOp, QbRecord, QbResult

MAX_BATCH = 30  # items a batch request carries (Intuit's limits-and-throttles page)
# (entity, Id) -> the record's CustomField array as just read.
CurrentFields = Mapping[tuple[str, str], Sequence[Any]]


def decode_fault(catalog: Catalog, fault: Fault) -> DecodedStatus:
    """A Fault's first error through the catalog (its Detail kept in the message)."""
    if not fault.errors:
        return catalog.decode(System.QBO, f"http-{fault.http_status}", fault.type)
    first = fault.errors[0]
    message = f"{first.message}: {first.detail}" if first.detail else first.message
    status = catalog.decode(System.QBO, first.code or f"http-{fault.http_status}", message)
    # The Detail decides some generic codes' reading (6000 for an inventory item while "Track
    # quantity on hand" is off reads as a feature turned off: codes/readings.yaml).
    return refine(catalog, status, message)


@dataclass(frozen=True, slots=True)
class _Item:
    op: QbOp
    item: BatchItem
    key: str  # the attempt and the body: equal keys, equal request


def _key(op: QbOp, entity: str, operation: BatchOperation, payload: dict[str, object]) -> str:
    attempt = op.attempt or op.op_id
    text = canonical_json({"entity": entity, "op": operation.value, "body": to_plain(payload)})
    return f"{attempt}\n{hashlib.sha256(text.encode()).hexdigest()}"


def request_id(keys: Sequence[str]) -> str:
    """A batch's requestid from its items' attempt keys and bodies (36 characters at most, as
    Intuit allows for a batch): the same on every retry of the same attempt, new when an item
    or a body changes, so a replayed id never answers a changed request."""
    digest = hashlib.sha256("\x1e".join(sorted(keys)).encode()).hexdigest()
    return "sfqb-" + digest[:31]


class Writer:
    """Sends Adds and Mods in batches of at most `max_batch`, one QbResult per op; each batch
    is written down in `journal` before it leaves (at `clock`'s time)."""

    def __init__(
        self,
        api: QboApi,
        catalog: Catalog,
        lookup: NameLookup,
        max_batch: int = MAX_BATCH,
        *,
        marker_field: str = "",
        clock: Callable[[], datetime],
        journal: BatchJournal | None = None,
    ) -> None:
        if not 1 <= max_batch <= MAX_BATCH:
            raise ValueError(f"a QuickBooks Online batch carries 1 to {MAX_BATCH} items")
        self._api = api
        self._catalog = catalog
        self._lookup = lookup
        self._max = max_batch
        self._marker_field = marker_field
        self._clock = clock
        self._journal = journal if journal is not None else MemoryJournal()

    def replay(self, op: QbOp) -> QbResult:
        """Send again, exactly as sent, every written-down batch that wrote for a record of
        `op.ids` (Salesforce Ids in flight). QuickBooks Online answers a known requestid as it
        did the first time, or does the batch now if it never arrived; either way each record
        written comes back with the Salesforce Id it was written for in `marker`. A batch
        refused as a whole did nothing. Transport errors propagate (the batch stays kept)."""
        wanted = set(op.ids)
        found: list[QbRecord] = []
        for batch in self._journal.unanswered():
            if not batch.sf_ids & wanted:
                continue
            try:
                answers = self._api.batch(batch.items, batch.request_id, singly=batch.singly)
            except QboFault:
                continue
            for item, answer in zip(batch.items, answers, strict=True):
                sf_id = batch.records.get(item.bid)
                if sf_id and answer.fault is None and answer.entity is not None:
                    found.append(replace(to_record(item.entity, answer.entity), marker=sf_id))
        return QbResult(op.op_id, ok_status(self._catalog), tuple(found))

    def marked(self, op: QbOp) -> bool:
        """True for a write that carries the Salesforce Id in the company's custom field."""
        return (
            bool(self._marker_field) and op.sf is not None and entity_of(op.qb_type) in WITH_FIELDS
        )

    def write(
        self, ops: Sequence[QbOp], current: CurrentFields | None = None
    ) -> dict[str, QbResult]:
        """Answers by op_id. Transport errors and QboAuthLost propagate from the api.

        `current` holds the CustomField arrays of the records the Mods update (by entity and
        Id), read just before: a Mod of a record not in it sends no custom field."""
        answers: dict[str, QbResult] = {}
        items: list[_Item] = []
        for op in ops:
            try:
                items.append(self._item(op, current or {}))
            except BodyError as exc:
                status = self._catalog.decode(exc.system, exc.code, str(exc))
                answers[op.op_id] = QbResult(op.op_id, status)
        # Items never reference each other within a batch: a reference is an Id, and an Id
        # exists only once its create was answered (the engine sends parents in earlier
        # batches; an unbound parent leaves the child unresolved, so it is not sent).
        items.sort(key=lambda i: i.key)
        for start in range(0, len(items), self._max):
            answers.update(self._send(items[start : start + self._max]))
        return answers

    def _item(self, op: QbOp, current: CurrentFields) -> _Item:
        entity = entity_of(op.qb_type)
        if op.action is QbAction.ADD:
            operation, payload = BatchOperation.CREATE, body(op.fields, self._lookup)
        else:
            if not op.qb_id:
                raise BodyError("2020", "an update needs the record's Id")
            operation = BatchOperation.UPDATE
            payload = body(op.fields, self._lookup, qb_id=op.qb_id, version=op.version)
        if self.marked(op):
            assert op.sf is not None
            if op.action is QbAction.ADD:
                payload["CustomField"] = [value(self._marker_field, op.sf.id)]
            elif (entity, op.qb_id) in current:
                were = current[(entity, str(op.qb_id))]
                payload["CustomField"] = merged(were, self._marker_field, op.sf.id)
        key = _key(op, entity, operation, payload)
        return _Item(op, BatchItem(bid="", entity=entity, operation=operation, body=payload), key)

    def _send(self, chunk: Sequence[_Item]) -> dict[str, QbResult]:
        # bIds by position in the key-sorted chunk: a retry of the same request repeats them.
        sent = [
            BatchItem(f"b{n}", i.item.entity, i.item.operation, i.item.body)
            for n, i in enumerate(chunk, 1)
        ]
        rid = request_id([i.key for i in chunk])
        singly = len(sent) > 1 and self._api.batch_singly()
        records = {b.bid: i.op.sf.id for b, i in zip(sent, chunk, strict=True) if i.op.sf}
        self._journal.keep(UnansweredBatch(rid, tuple(sent), records, self._clock(), singly))
        try:
            answers = self._api.batch(sent, rid, singly=singly)
        except QboFault as exc:  # the whole request refused: every op gets its Fault
            self._journal.answered(rid)
            status = decode_fault(self._catalog, exc.fault)
            return {i.op.op_id: QbResult(i.op.op_id, status) for i in chunk}
        self._journal.answered(rid)
        by_bid: dict[str, BatchAnswer] = {a.bid: a for a in answers}
        out: dict[str, QbResult] = {}
        for item, request in zip(chunk, sent, strict=True):
            out[item.op.op_id] = self._answer(item, by_bid.get(request.bid))
        return out

    def _answer(self, item: _Item, answer: BatchAnswer | None) -> QbResult:
        op_id = item.op.op_id
        if answer is None:
            message = f"QuickBooks Online sent no answer for batch item of {item.op.qb_type}"
            return QbResult(
                op_id, self._catalog.decode(System.TRANSPORT, "MALFORMED_RESPONSE", message)
            )
        if answer.fault is not None:
            return QbResult(op_id, decode_fault(self._catalog, answer.fault))
        if answer.entity is None:
            message = "QuickBooks Online answered a batch item with no entity"
            return QbResult(
                op_id, self._catalog.decode(System.TRANSPORT, "MALFORMED_RESPONSE", message)
            )
        record = to_record(item.item.entity, answer.entity, self._marker_field)
        return QbResult(op_id, ok_status(self._catalog), (record,))


def ok_status(catalog: Catalog) -> DecodedStatus:
    """QuickBooks Online's answer without a Fault."""
    return catalog.decode(System.QBO, "http-200")
