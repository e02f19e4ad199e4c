"""One sync cycle for one company: a state machine that hands out QuickBooks operations.

A driver calls `next_batch()` and answers with `take_results()` until it returns None, then
carries out `sf_writes()` and answers with `take_sf_results()`. The steps, in order:

1. read   - what QuickBooks changed since its checkpoint (and look for records whose add was
            sent but never answered, so they are bound instead of added twice);
2. plan   - map the pending Salesforce records and order them, parents first;
3. write  - Add/Mod batches; each success is bound at once, each failure named to its children;
4. mark   - the SalesforceID custom field on every record added;
5. salesforce - QuickBooks IDs, sync status and QuickBooks' changes written back.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sfqb.codes import Catalog
from sfqb.domain.bindings import Binding, BindingError
from sfqb.domain.entities import QbRef, SfRef
from sfqb.domain.status import DecodedStatus, System
from sfqb.mapping import Mapped, Mapper, MappingInputError, Owner, RecordNotEligible
from sfqb.sync.fields import (
    UnresolvedReference,
    changed_fields,
    qb_kind_of,
    references,
    resolve,
    to_plain,
)
from sfqb.sync.inbound import TRANSACTION_TYPES, Inbound, inbound_fingerprint
from sfqb.sync.ops import QbAction, QbOp, QbResult
from sfqb.sync.ownership import newer, writable
from sfqb.sync.plan import Action, Change, Operation, Plan, batches, plan
from sfqb.sync.records import (
    Attempt,
    BindingRepository,
    Direction,
    ItemOutcome,
    ItemState,
    PendingChange,
    SfWrite,
    SfWriteResult,
)
from sfqb.sync.writeback import WriteBack

OUT = Direction.SF_TO_QB


class Cycle:
    """The state of one cycle; see the module docstring for the protocol."""

    def __init__(
        self,
        company: str,
        changes: Sequence[PendingChange],
        *,
        mapper: Mapper,
        catalog: Catalog,
        bindings: BindingRepository,
        qb_since: Mapping[str, datetime],
        clock: Callable[[], datetime],
        last_payload: Callable[[str, SfRef], Mapping[str, Any] | None] = lambda f, s: None,
        max_batch: int = 200,
        transaction_type: str = "Invoice",
    ) -> None:
        self.company = company
        self.attempts: list[Attempt] = []
        self.outcomes: dict[SfRef, ItemOutcome] = {}
        self._mapper, self._catalog, self._bindings = mapper, catalog, bindings
        self._clock, self._max_batch, self._txn_type = clock, max_batch, transaction_type
        self._qb_since = dict(qb_since)
        self._changes = {c.sf: c for c in changes}
        self._canonical: dict[SfRef, Mapped] = {}
        self._ids = (f"{n}" for n in itertools.count(1))
        self._inflight: dict[str, QbOp] = {}
        self._queue: list[QbOp] = []  # operations ready to go ahead of the planned batches
        self._held: dict[SfRef, QbOp] = {}  # Mods waiting for a fresh edit sequence
        self._retried: set[SfRef] = set()
        self._plan = Plan(company, ())
        self._batches: list[list[Operation]] = []
        self._phase = "read"
        self.inbound = Inbound(company, mapper, bindings)
        self.writeback = WriteBack(mapper, bindings, company, clock, last_payload)
        self._map_all()

    # -- the driver's side ---------------------------------------------------------------

    def next_batch(self) -> list[QbOp] | None:
        """The next QuickBooks operations to send, or None when QuickBooks' part is over."""
        if self._phase == "read":
            self._phase = "reading"
            return self._send(self._read_ops())
        if self._phase != "write":
            return None
        while True:
            ops = self._queue[: self._max_batch]
            del self._queue[: len(ops)]
            if not ops and self._batches:
                ops = self._build(self._batches.pop(0))
                if not ops:
                    continue
            if ops:
                return self._send(ops)
            if self._held:
                self._drop_held()
                continue
            self._phase = "salesforce"
            return None

    def take_results(self, results: Sequence[QbResult]) -> None:
        """Take QuickBooks' answers; ops with no answer are treated as of unknown outcome."""
        answered = {r.op_id: r for r in results}
        for op_id, op in list(self._inflight.items()):
            result = answered.get(op_id)
            del self._inflight[op_id]
            if result is None:
                self._unanswered(op)
            else:
                self._result(op, result)
        if self._phase == "reading":
            self.inbound.finish()
            self._make_plan()
            self._phase = "write"

    def sf_writes(self) -> list[SfWrite]:
        """What to write on Salesforce once QuickBooks' part is over."""
        return self.writeback.writes(self.inbound, self._sf_changed_at())

    def take_sf_results(self, results: Sequence[SfWriteResult]) -> None:
        """Take Salesforce's answers: log failures, update fingerprints of what was saved."""
        self.attempts.extend(self.writeback.take(results, self._changes))
        self._phase = "done"

    @property
    def qb_high_water(self) -> dict[str, datetime]:
        """The newest QuickBooks modification time seen per object type (next checkpoints)."""
        return dict(self.inbound.high_water)

    # -- step 1: read --------------------------------------------------------------------

    def _read_ops(self) -> list[QbOp]:
        ops = [QbOp(op_id="", action=QbAction.DEFINE_MARKER, qb_type="SalesforceID")]
        for qb_type in ("Customer", self._txn_type, "ReceivePayment"):
            since = self._qb_since.get(qb_type)
            if since is not None:
                ops.append(QbOp("", QbAction.READ_CHANGED, qb_type, since=since))
        for change in self._changes.values():
            if change.unknown_since is None or change.sf not in self._canonical:
                continue
            mapped = self._canonical[change.sf]
            if mapped.kind in TRANSACTION_TYPES:
                ops.append(
                    QbOp(
                        "",
                        QbAction.READ_CHANGED,
                        mapped.kind,
                        sf=change.sf,
                        since=change.unknown_since,
                    )
                )
            elif isinstance(mapped.fields.get("Name"), str):
                qb_type = "Item" if mapped.kind.startswith("Item") else mapped.kind
                ops.append(
                    QbOp(
                        "",
                        QbAction.READ,
                        qb_type,
                        sf=change.sf,
                        names=(str(mapped.fields["Name"]),),
                    )
                )
        return ops

    def _recover(self, op: QbOp, result: QbResult) -> None:
        """A record whose add went unanswered: bind it if QuickBooks has it."""
        assert op.sf is not None
        for record in result.records:
            if record.marker not in (None, "", op.sf.id):
                continue
            if op.action is QbAction.READ_CHANGED and record.marker != op.sf.id:
                continue
            binding = Binding(
                self.company,
                op.sf,
                QbRef(qb_kind_of(record.qb_type), record.id),
                "",
                self._clock(),
                edit_sequence=record.edit_sequence,
            )
            try:
                self._bindings.bind(binding)
            except BindingError:
                continue
            self._log(
                op.sf,
                "bind",
                result.status,
                "bound the record an unanswered add created",
                binding.qb,
            )
            return

    # -- step 2: plan --------------------------------------------------------------------

    def _map_all(self) -> None:
        for change in self._changes.values():
            try:
                self._canonical[change.sf] = self._mapper.map(
                    change.flow, change.payload, kind=self._kind(change)
                )
            except RecordNotEligible as exc:
                self._outcome(change.sf, ItemState.SKIPPED, None, str(exc))
            except MappingInputError as exc:
                status = self._catalog.decode(System.TRANSPORT, "MAPPING_REFUSED", str(exc))
                self._outcome(change.sf, ItemState.FAILED, status, str(exc))
                self._log(
                    change.sf, "map", status, "held until the value is corrected in Salesforce"
                )
                self.writeback.status(change, None, status)

    def _kind(self, change: PendingChange) -> str | None:
        return self._txn_type if change.flow == "opportunity_to_invoice" else None

    def _make_plan(self) -> None:
        changes = [
            Change(sf, mapped.fingerprint, tuple(_parents(mapped)), qb_kind_of(mapped.kind))
            for sf, mapped in self._canonical.items()
        ]
        self._plan = plan(self.company, changes, self._bindings)
        for op in self._plan.operations:
            if op.action is Action.SKIP:
                self._outcome(op.sf, ItemState.SKIPPED, None, op.reason)
            elif op.action is Action.WAIT:
                self._wait(op)
        self._batches = batches(self._plan.ready, self._max_batch)

    # -- step 3: write -------------------------------------------------------------------

    def _build(self, planned: list[Operation]) -> list[QbOp]:
        ops = []
        for op in planned:
            current = self._plan.get(op.sf)
            if current is None or current.action is Action.WAIT:
                if current is not None:
                    self._wait(current)
                continue
            built = self._write_op(op)
            if built is not None:
                ops.append(built)
        return ops

    def _write_op(self, op: Operation) -> QbOp | None:
        change, canonical = self._changes[op.sf], self._canonical[op.sf]
        lookup = self._qb_of
        try:
            if op.action is Action.ADD:
                taken = self.inbound.names.setdefault(qb_kind_of(canonical.kind), set())
                mapped = self._mapper.map(
                    change.flow, change.payload, taken=taken, kind=self._kind(change)
                )
                if isinstance(mapped.fields.get("Name"), str):
                    taken.add(str(mapped.fields["Name"]).casefold())
                return QbOp(
                    "", QbAction.ADD, mapped.kind, sf=op.sf, fields=resolve(mapped.fields, lookup)
                )
            binding = self._bindings.by_sf(self.company, op.sf)
            assert binding is not None
            flow = self._mapper.flows[change.flow]
            sf_newer = newer(change.modstamp, self.inbound.changed_at().get(op.sf))
            fields = changed_fields(
                canonical.fields, binding.sf_values, writable(flow, Owner.SALESFORCE, sf_newer)
            )
        except UnresolvedReference as exc:
            status = self._catalog.decode(System.TRANSPORT, "PARENT_NOT_SYNCED", str(exc))
            self._fail(op.sf, status, "add", None)
            return None
        if not fields:
            self._synced(op.sf, binding, canonical, binding.qb_fingerprint, binding.edit_sequence)
            return None
        mod = QbOp(
            "",
            QbAction.MOD,
            canonical.kind,
            sf=op.sf,
            qb_id=binding.qb.id,
            edit_sequence=binding.edit_sequence,
            fields=resolve(fields, lookup),
        )
        if binding.edit_sequence is None:
            self._held[op.sf] = mod
            return replace(mod, action=QbAction.READ, ids=(binding.qb.id,), fields={})
        return mod

    def _result(self, op: QbOp, result: QbResult) -> None:
        if op.action in (QbAction.READ_CHANGED, QbAction.READ) and op.sf is None:
            self.inbound.take(result.records)
            if not result.ok:
                self._log(None, "read", result.status, "QuickBooks' changes not read this cycle")
        elif op.action in (QbAction.READ_CHANGED, QbAction.READ) and op.sf in self._held:
            self._release(op.sf, result)
        elif op.action in (QbAction.READ_CHANGED, QbAction.READ):
            self._recover(op, result)
        elif op.action is QbAction.DEFINE_MARKER:
            if not result.ok and result.status.code != "3100":  # 3100: already defined
                self._log(None, "define", result.status, "bindings kept in sfqb only")
        elif op.action is QbAction.SET_MARKER:
            if not result.ok:
                self._log(
                    op.sf, "mark", result.status, "binding kept in sfqb; SalesforceID not stored"
                )
        elif result.ok and result.records:
            self._written(op, result)
        elif result.ok:
            status = self._catalog.decode(
                System.TRANSPORT, "MALFORMED_RESPONSE", "QuickBooks returned no record"
            )
            self._fail(op.sf, status, op.action.value, op.qb_id)
        else:
            self._failed_write(op, result.status)

    def _written(self, op: QbOp, result: QbResult) -> None:
        assert op.sf is not None
        record = result.records[0]
        self.inbound.note_time(record)
        canonical = self._canonical[op.sf]
        qb = QbRef(qb_kind_of(record.qb_type), record.id)
        qb_fp = inbound_fingerprint(self._mapper, record.qb_type, record.fields)
        if op.action is QbAction.ADD:
            binding = Binding(
                self.company,
                op.sf,
                qb,
                canonical.fingerprint,
                self._clock(),
                qb_fingerprint=qb_fp,
                edit_sequence=record.edit_sequence,
                sf_values=to_plain(canonical.fields),
            )
            try:
                self._bindings.bind(binding)
            except BindingError as exc:
                status = self._catalog.decode(System.TRANSPORT, "MAPPING_REFUSED", str(exc))
                self._fail(op.sf, status, "bind", record.id)
                return
            self._queue.append(
                QbOp(
                    "",
                    QbAction.SET_MARKER,
                    record.qb_type,
                    sf=op.sf,
                    qb_id=record.id,
                    marker=op.sf.id,
                )
            )
            self._log(op.sf, "add", result.status, "added and bound", qb)
        else:
            binding = self._bindings.by_sf(self.company, op.sf) or Binding(
                self.company, op.sf, qb, "", self._clock()
            )
            self._log(op.sf, "mod", result.status, "updated", qb)
        self._synced(op.sf, binding, canonical, qb_fp, record.edit_sequence)

    def _synced(
        self, sf: SfRef, binding: Binding, canonical: Mapped, qb_fp: str, edit: str | None
    ) -> None:
        binding = replace(
            binding,
            fingerprint=canonical.fingerprint,
            synced_at=self._clock(),
            qb_fingerprint=qb_fp,
            edit_sequence=edit,
            sf_values=to_plain(canonical.fields),
        )
        self._bindings.update(binding)
        self._outcome(sf, ItemState.DONE, None, "synced")
        self.writeback.status(self._changes[sf], binding.qb, None)

    def _failed_write(self, op: QbOp, status: DecodedStatus) -> None:
        assert op.sf is not None
        if op.action is QbAction.MOD and status.code == "3200" and op.sf not in self._retried:
            self._retried.add(op.sf)
            self._held[op.sf] = op
            self._queue.append(
                replace(op, op_id="", action=QbAction.READ, ids=(op.qb_id or "",), fields={})
            )
            self._log(
                op.sf,
                "mod",
                status,
                "re-reading the record to retry once with its new edit sequence",
            )
            return
        self._fail(op.sf, status, op.action.value, op.qb_id)

    def _release(self, sf: SfRef, result: QbResult) -> None:
        mod = self._held.pop(sf)
        fresh = next((r for r in result.records if r.id == mod.qb_id), None)
        if fresh is None:
            self._fail(sf, result.status, "read", mod.qb_id)
            return
        binding = self._bindings.by_sf(self.company, sf)
        if binding is not None:
            self._bindings.update(replace(binding, edit_sequence=fresh.edit_sequence))
        self._queue.append(replace(mod, op_id="", edit_sequence=fresh.edit_sequence))

    def _drop_held(self) -> None:
        for sf, mod in list(self._held.items()):
            status = self._catalog.decode(
                System.TRANSPORT, "MALFORMED_RESPONSE", "no edit sequence"
            )
            self._fail(sf, status, "mod", mod.qb_id)
        self._held.clear()

    def _unanswered(self, op: QbOp) -> None:
        status = self._catalog.decode(
            System.TRANSPORT, "TIMEOUT", "QuickBooks' reply never arrived"
        )
        if op.sf is not None and op.action in (QbAction.ADD, QbAction.MOD):
            self._plan = self._plan.after_failure(op.sf, status)
            self._outcome(op.sf, ItemState.INFLIGHT, status, "reply never arrived")
            self._log(
                op.sf, op.action.value, status, "will look the record up before sending again"
            )

    # -- shared steps --------------------------------------------------------------------

    def _fail(
        self, sf: SfRef | None, status: DecodedStatus, operation: str, qb_id: str | None
    ) -> None:
        if sf is None:
            self._log(None, operation, status, "nothing to do")
            return
        self._plan = self._plan.after_failure(sf, status)
        state = ItemState.RETRY if status.retryable else ItemState.FAILED
        action = "will retry on the next cycle" if status.retryable else "held: a person must act"
        self._outcome(sf, state, status, status.title)
        self._log(sf, operation, status, action)
        self.writeback.status(self._changes[sf], None, status)

    def _wait(self, op: Operation) -> None:
        status = self._catalog.decode(System.TRANSPORT, "PARENT_NOT_SYNCED", op.reason)
        self._outcome(op.sf, ItemState.WAITING, status, op.reason)
        self._log(op.sf, "wait", status, "waits for its parent")

    def _outcome(
        self, sf: SfRef, state: ItemState, status: DecodedStatus | None, reason: str
    ) -> None:
        change = self._changes[sf]
        self.outcomes[sf] = ItemOutcome(change.flow, sf, state, status, reason)

    def _log(
        self,
        sf: SfRef | None,
        operation: str,
        status: DecodedStatus,
        action: str,
        qb: QbRef | None = None,
    ) -> None:
        flow = self._changes[sf].flow if sf is not None and sf in self._changes else "read"
        self.attempts.append(Attempt(flow, OUT, operation, status, action, sf=sf, qb=qb))

    def _send(self, ops: list[QbOp]) -> list[QbOp]:
        numbered = [replace(op, op_id=next(self._ids)) for op in ops]
        self._inflight.update({op.op_id: op for op in numbered})
        return numbered

    def _qb_of(self, sf: SfRef) -> QbRef | None:
        binding = self._bindings.by_sf(self.company, sf)
        return None if binding is None else binding.qb

    def _sf_changed_at(self) -> dict[SfRef, datetime | None]:
        return {sf: c.modstamp for sf, c in self._changes.items()}


def _parents(mapped: Mapped) -> list[SfRef]:
    return references(mapped.fields)
