"""One sync cycle for one company: a state machine that hands out QuickBooks operations.

A driver calls `next_batch()` and answers with `take_results()` until it returns None, then
carries out `sf_writes()` and answers with `take_sf_results()`. The steps, in order:

1. read   - QuickBooks' preferences and changes since the checkpoint, and look-ups of records
            whose add was sent but never answered (`sfqb.sync.reading`);
2. plan   - map the pending Salesforce records and order them, parents first;
3. write  - Add/Mod batches (`sfqb.sync.writing`); each success is bound at once, each failure
            goes to its remedy (`sfqb.sync.remedies`) and is named to the records that depend
            on it;
4. mark   - the Salesforce Id in the binding field of every record added (`sfqb.sync.marking`);
5. salesforce - QuickBooks IDs, sync status and QuickBooks' changes written back.
"""

from __future__ import annotations

import contextlib
import itertools
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sfqb.codes import Catalog
from sfqb.domain.entities import Role, SfObject, SfRef, targets_of
from sfqb.domain.policy import CompanyPolicy
from sfqb.domain.status import System
from sfqb.mapping import Mapped, Mapper, MappingInputError, RecordNotEligible
from sfqb.sync.credits import sale_kind
from sfqb.sync.currency import Currencies
from sfqb.sync.fields import references
from sfqb.sync.gone import Gone
from sfqb.sync.holds import Holds
from sfqb.sync.inactive import Inactive
from sfqb.sync.inbound import Inbound
from sfqb.sync.ledger import Ledger
from sfqb.sync.marking import Marking
from sfqb.sync.ops import QbAction, QbOp, QbRecord, QbResult, Then
from sfqb.sync.orders import Orders
from sfqb.sync.pasting import Pastes
from sfqb.sync.plan import Action, Change, Operation, Plan, batches, plan
from sfqb.sync.reading import Reading
from sfqb.sync.rebinding import BindingEdits
from sfqb.sync.records import (
    ORDER_FLOW,
    Attempt,
    BindingRepository,
    Block,
    ItemOutcome,
    ItemState,
    PendingChange,
    SfWrite,
    SfWriteResult,
)
from sfqb.sync.remedies import Remedies
from sfqb.sync.target import MarkerKind, TargetProfile
from sfqb.sync.writeback import QB_ID, WriteBack
from sfqb.sync.writing import Writing


class Cycle(Ledger):
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
        profile: TargetProfile,
        last_payload: Callable[[str, SfRef], Mapping[str, Any] | None] = lambda f, s: None,
        transaction_type: str = "Invoice",
        policy: CompanyPolicy | None = None,
        blocks: Mapping[str, Block] | None = None,
        page_size: int | None = None,
        settled: frozenset[str] = frozenset(),
        skip_seen: bool = False,
        flows_off: frozenset[str] = frozenset(),
        key_prefixes: Mapping[str, SfObject] | None = None,
    ) -> None:
        self.company = company
        # The key prefixes of the company's custom source objects (a pasted Id's object).
        self.key_prefixes: Mapping[str, SfObject] = dict(key_prefixes or {})
        self.attempts: list[Attempt] = []
        self.outcomes: dict[SfRef, ItemOutcome] = {}
        self.mapper, self.catalog, self.bindings = mapper, catalog, bindings
        self.clock, self.policy = clock, policy or CompanyPolicy()
        self.profile, self.transaction_type = profile, transaction_type
        self._max_batch = profile.max_batch
        self.changes = {c.sf: c for c in changes}
        self.canonical: dict[SfRef, Mapped] = {}
        self.sent: dict[SfRef, Mapped] = {}  # as an unanswered add sent it, when it differs
        self._ids = (f"{n}" for n in itertools.count(1))
        self._inflight: dict[str, QbOp] = {}
        self._then: dict[str, Then] = {}
        self._queue: list[tuple[QbOp, Then | None]] = []  # ahead of the planned batches
        self._writes_sent: Counter[SfRef] = Counter()  # Adds and Mods per record this cycle
        self._plan = Plan(company, ())
        self._batches: list[list[Operation]] = []
        self._phase = "read"
        self.requeue: set[SfRef] = set()  # records outside the cycle to send again next time
        self.inbound = Inbound(company, mapper, bindings, profile)
        self.writeback = WriteBack(mapper, bindings, company, clock, last_payload, flows_off)
        self.reading = Reading(self, dict(qb_since), page_size, skip_seen=skip_seen)
        self.edits = BindingEdits(self)  # binding changes people asked for, checked first
        self.holds = Holds(self, dict(blocks or {}))
        self.remedies = Remedies(self, self.holds)
        self.inactive = Inactive(self)
        self.marking = Marking(self, settled)
        self.pastes = Pastes(self)  # Ids people pasted into the binding field in QuickBooks
        self.gone = Gone(self)  # bound transactions deleted in QuickBooks
        self.writing = Writing(self)  # the Adds and Mods of the write step
        self.currencies = Currencies(self)  # sales and customers QuickBooks' currencies refuse
        self.orders = Orders(self)  # the order flow's kind and closed-document checks
        self._map_all()

    # -- the driver's side ---------------------------------------------------------------

    def next_batch(self) -> list[QbOp] | None:
        """The next QuickBooks operations to send, or None when QuickBooks' part is over."""
        if self._phase == "read":
            self._phase = "reading"
            return self._send(self.reading.ops())
        if self._phase == "paging":  # the next pages of QuickBooks' changes, before planning
            self._phase = "reading"
            pages, self.reading.more = self.reading.more, []
            return self._send(pages)
        if self._phase == "asking":  # the driver did not read them: decided next cycle
            self.pastes.unread()
            self._start_writing()
        if self._phase != "write":
            return None
        while True:
            pairs = self._queue[: self._max_batch]
            del self._queue[: len(pairs)]
            if not pairs and self._batches:
                pairs = [(op, None) for op in self._build(self._batches.pop(0))]
                if not pairs:
                    continue
            if not pairs:  # after every Add and Mod (see marking.py), `max_batch` at a time
                self._queue.extend(self.marking.next_ops())
                pairs = self._queue[: self._max_batch]
                del self._queue[: len(pairs)]
            if pairs:
                return self._send(pairs)
            self._phase = "salesforce"
            return None

    def take_results(self, results: Sequence[QbResult]) -> None:
        """Take QuickBooks' answers; ops with no answer are treated as of unknown outcome."""
        answered = {r.op_id: r for r in results}
        for op_id, op in list(self._inflight.items()):
            result = answered.get(op_id)
            del self._inflight[op_id]
            then = self._then.pop(op_id, None)
            if result is None:
                self._unanswered(op)
            elif then is not None:
                then(op, result)
            else:
                self._result(op, result)
        if self._phase == "reading" and self.reading.more:
            self._phase = "paging"
        elif self._phase == "reading":
            if self.pastes.check():  # Salesforce records to read before planning
                self._phase = "asking"
            else:
                self._start_writing()

    @property
    def sf_wanted(self) -> frozenset[SfRef]:
        """Salesforce records the cycle waits for, by Id, before it plans (pasted Ids).

        The driver reads them and hands them to `take_sf_records` before the next batch.
        """
        return self.pastes.wanted if self._phase == "asking" else frozenset()

    def take_sf_records(self, found: Mapping[SfRef, Mapping[str, Any]]) -> None:
        """The payloads of the `sf_wanted` records Salesforce has (missing ones left out)."""
        if self._phase == "asking":
            self.pastes.take(found)
            self._start_writing()

    def join(self, change: PendingChange) -> None:
        """Take a Salesforce record into the cycle during the read step (a pasted Id's)."""
        self.changes[change.sf] = change
        self._map_one(change)

    def _start_writing(self) -> None:
        self.inbound.finish()
        self._make_plan()
        self._phase = "write"

    def sf_writes(self) -> list[SfWrite]:
        """What to write on Salesforce once QuickBooks' part is over."""
        return self.writeback.writes(self.inbound, self._sf_changed_at())

    def take_sf_results(self, results: Sequence[SfWriteResult]) -> None:
        """Take Salesforce's answers: log failures, update fingerprints of what was saved."""
        self.attempts.extend(self.writeback.take(results, self.changes))
        self._phase = "done"

    @property
    def qb_high_water(self) -> dict[str, datetime]:
        """The newest QuickBooks modification time seen per object type (next checkpoints)."""
        return dict(self.inbound.high_water)

    @property
    def read_complete(self) -> bool:
        """True when every read of QuickBooks' changes was answered in full (all its pages)."""
        return self.reading.complete

    @property
    def new_blocks(self) -> dict[str, Block]:
        """Company-level holds found in this cycle (report each once)."""
        return dict(self.holds.new_blocks)

    @property
    def cleared_blocks(self) -> set[str]:
        """Holds whose probe QuickBooks accepted in this cycle."""
        return set(self.holds.cleared)

    def unsynced_parents(self) -> set[SfRef]:
        """Parents the pending records reference that are neither bound nor pending themselves.

        The runner reads them from Salesforce so the cycle syncs the parent first (the 3140
        remedy) instead of leaving the child waiting.
        """
        wanted = set()
        for mapped in self.canonical.values():
            for parent in references(mapped.fields):
                if parent not in self.changes and self.bindings.by_sf(self.company, parent) is None:
                    wanted.add(parent)
        return wanted

    # -- what the reading and remedies use -----------------------------------------------

    def ask(self, op: QbOp, then: Then | None = None, *, first: bool = True) -> None:
        """Send `op` in the next batch (ahead of planned ones); `then` takes its result."""
        if first:
            self._queue.insert(0, (op, then))
        else:
            self._queue.append((op, then))

    def mark(
        self,
        sf: SfRef,
        qb_type: str,
        qb_id: str,
        record: QbRecord | None = None,
        *,
        known: bool = True,
    ) -> None:
        """Store the Salesforce Id in the record's binding field (once per cycle, after writes).

        A target without a marker keeps bindings in the store and QuickBooks_ID__c only.
        """
        if self.profile.marker is MarkerKind.NONE:
            return
        self.marking.mark(sf, qb_type, qb_id, record, known=known)

    def name_field(self, sf: SfRef) -> str | None:
        """The field a record's flow keeps its QuickBooks name in (its name rule's), if any."""
        change = self.changes.get(sf)
        rule = self.mapper.flows[change.flow].name_rule if change is not None else None
        return rule.field if rule is not None else None

    def mapped_name(self, sf: SfRef, fields: Mapping[str, Any] | None = None) -> str | None:
        """The name `fields` (the record's mapped values by default) give it, when text."""
        name_field = self.name_field(sf)
        mapped = self.canonical.get(sf)
        values = fields if fields is not None else (mapped.fields if mapped else {})
        value = values.get(name_field) if name_field is not None else None
        return value if isinstance(value, str) else None

    def second_name(self, change: PendingChange) -> bool:
        """True when the record is a party's second record in QuickBooks' shared name space:
        an Account's vendor while the Account is (or is becoming: a deal of the cycle names it)
        a customer, or a vendor already sent under its second name (it keeps it)."""
        sf = change.sf
        if sf.role is Role.MAIN or not self.mapper.second_suffix(change.flow):
            return False
        # A custom object's record (a company's Supplier__c) is no customer: no main role.
        main = sf.as_role(Role.MAIN) if targets_of(sf.sobject, Role.MAIN) else None
        if main is not None and (
            main in self.changes or self.bindings.by_sf(self.company, main) is not None
        ):
            return True
        if main is not None and any(main in references(m.fields) for m in self.canonical.values()):
            return True  # a deal names it: it is becoming a customer too
        binding = self.bindings.by_sf(self.company, sf)
        name = self.name_field(sf)
        sent = (binding.sf_values or {}).get(name) if binding and name else None
        return isinstance(sent, str) and sent.endswith(self.mapper.second_suffix(change.flow))

    def kind_for(self, change: PendingChange) -> str | None:
        """The QuickBooks type a flow's records become when the flow offers a choice."""
        if change.flow == ORDER_FLOW:  # the company's policy order_target
            return self.policy.order_target.value
        if change.flow != "opportunity_to_invoice":
            return None
        return sale_kind(change.payload, self.policy, self.transaction_type)

    # -- step 2: plan --------------------------------------------------------------------

    def _map_all(self) -> None:
        # Records in a second role (vendors) last: whether their name is the second one
        # depends on what the others reference (a deal makes its Account a customer too).
        ordered = sorted(self.changes.values(), key=lambda c: c.sf.role is not Role.MAIN)
        for change in ordered:
            self._map_one(change)

    def _map_one(self, change: PendingChange) -> None:
        if self.orders.refused(change):
            return
        try:
            second = self.second_name(change)
            self.canonical[change.sf] = self.mapper.map(
                change.flow,
                change.payload,
                kind=self.kind_for(change),
                overrides=change.overrides,
                second=second,
            )
            if change.unknown_since is not None and change.sent is not None:
                with contextlib.suppress(RecordNotEligible, MappingInputError):
                    self.sent[change.sf] = self.mapper.map(
                        change.flow, change.sent, kind=self.kind_for(change), second=second
                    )
        except RecordNotEligible as exc:
            self.outcome(change.sf, ItemState.SKIPPED, None, str(exc))
        except MappingInputError as exc:
            status = self.catalog.decode(System.TRANSPORT, "MAPPING_REFUSED", str(exc))
            self.outcome(change.sf, ItemState.FAILED, status, str(exc))
            self.log(change.sf, "map", status, "held until the value is corrected in Salesforce")
            self.writeback.status(change, None, status)

    def _make_plan(self) -> None:
        self.currencies.check()
        changes = [
            Change(
                sf,
                mapped.fingerprint,
                tuple(references(mapped.fields)),
                self.profile.kind_of(mapped.kind),
            )
            for sf, mapped in self.canonical.items()
            if sf not in self.outcomes
        ]
        self._plan = plan(self.company, changes, self.bindings)
        for op in self._plan.operations:
            if op.action is Action.SKIP:
                self.outcome(op.sf, ItemState.SKIPPED, None, op.reason)
                if op.qb is not None and self.changes[op.sf].payload.get(QB_ID) != op.qb.id:
                    # In step with QuickBooks, but Salesforce never got the ID (a worker stopped
                    # before its write-back, or someone cleared it): write it again.
                    self.writeback.status(self.changes[op.sf], op.qb, None)
            elif op.action is Action.WAIT:
                self._wait(op)
        self._batches = batches(self._plan.ready, self._max_batch)

    # -- step 3: write -------------------------------------------------------------------

    def _build(self, planned: list[Operation]) -> list[QbOp]:
        ops = []
        for op in planned:
            current = self._plan.get(op.sf)
            if current is None or current.action is Action.WAIT:
                if current is not None and op.sf not in self.outcomes:
                    self._wait_or_hold(current)
                continue
            if op.sf in self.outcomes or self.holds.held_back(op):
                continue
            built = self.writing.op_for(op)
            if built is not None and not self.inactive.held(built):
                ops.append(built)
        return ops

    def _result(self, op: QbOp, result: QbResult) -> None:
        if op.action in (QbAction.ADD, QbAction.MOD) and result.ok and result.records:
            self.writing.written(op, result)
        elif op.action in (QbAction.ADD, QbAction.MOD) and result.ok:
            status = self.catalog.decode(
                System.TRANSPORT, "MALFORMED_RESPONSE", "QuickBooks returned no record"
            )
            self.fail(op.sf, status, op.action.value)
        elif op.action in (QbAction.ADD, QbAction.MOD):
            self.remedies.handle(op, result.status)
        elif not result.ok:
            self.log(op.sf, op.action.value, result.status, "nothing to do")

    def _unanswered(self, op: QbOp) -> None:
        status = self.catalog.decode(System.TRANSPORT, "TIMEOUT", "QuickBooks' reply never arrived")
        if self._phase == "reading":
            # The look-up of unanswered adds went unanswered too: their outcome is still
            # unknown, so they stay in flight (kept out of the plan) instead of being added again.
            self.reading.unanswered(op)
            self.edits.unanswered(op)
        elif op.sf is not None and op.action in (QbAction.ADD, QbAction.MOD):
            self.outcome(op.sf, ItemState.INFLIGHT, status, "reply never arrived")
            self.log(op.sf, op.action.value, status, "will look the record up before sending again")
        elif op.action is QbAction.SET_MARKER:
            self.marking.unanswered(op)

    def _send(self, pairs: Sequence[tuple[QbOp, Then | None]]) -> list[QbOp]:
        numbered = []
        for pending, then in pairs:
            op = replace(pending, op_id=next(self._ids))
            if op.action in (QbAction.ADD, QbAction.MOD) and not op.attempt:
                op = replace(op, attempt=self._attempt(op))
            self._inflight[op.op_id] = op
            if then is not None:
                self._then[op.op_id] = then
            numbered.append(op)
        return numbered

    def _attempt(self, op: QbOp) -> str:
        """The attempt key of a write: the same when a lost reply's write is sent again.

        A record's key is its Salesforce Id and how many answered attempts its queue row has had
        (a lost reply leaves that count, so the next cycle's write shares the key), with the
        number of earlier writes of it in this cycle (a remedy's retry is a new attempt). A
        write with no Salesforce record (a reactivation) is keyed by its record and version.
        """
        if op.sf is None or op.sf not in self.changes:
            return f"{op.qb_type}/{op.qb_id}/{op.version or ''}"
        earlier = self._writes_sent[op.sf]
        self._writes_sent[op.sf] += 1
        key = f"{op.sf.sobject.value}/{op.sf.id}/{self.changes[op.sf].tries}"
        return f"{key}.{earlier}" if earlier else key

    def _sf_changed_at(self) -> dict[SfRef, datetime | None]:
        return {sf: c.modstamp for sf, c in self.changes.items()}
