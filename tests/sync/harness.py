"""The engine alone, on either target: `Cycle` over an in-memory BindingSet and a sandbox.

`Harness(target=QBD)` drives the QuickBooks Desktop sandbox (a `CompanyFile` behind
`DirectDriver`); `Harness(target=QBO)` drives the QuickBooks Online sandbox in-process (its ASGI
app behind `QboClient` and `QboDriver`, no server, the harness's clock). The `h` fixture in
conftest.py gives a test one of each. What differs between the targets - codes, how a person
changes a record, how a reply is lost - lives in the `Target` table below and in `Books`
(books.py), never in a test.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from tests.jobs.worlds import CODES, QbView, TargetCodes

from sfqb.connectors.qbd.profile import QBD_PROFILE
from sfqb.connectors.qbo.profile import QBO_PROFILE
from sfqb.domain.bindings import BindingSet
from sfqb.domain.entities import QbRef, SfObject, SfRef
from sfqb.domain.policy import CompanyPolicy
from sfqb.jobs.runner import Driver
from sfqb.mapping import Mapper, MapSet, load_flows
from sfqb.sandbox.qbd import SandboxSettings
from sfqb.sandbox.qbd.records import Record
from sfqb.sync.cycle import Cycle
from sfqb.sync.ops import QbAction, QbOp, ReplyLost
from sfqb.sync.records import FLOW_OF, Block, ItemState, PendingChange, SfWrite, SfWriteResult
from sfqb.sync.target import MarkerKind, TargetProfile

from .books import CATALOG, Books, Clock, qbd_books, qbo_books

__all__ = ["CATALOG", "COMPANY", "QBD", "QBO", "TARGETS", "Clock", "Harness", "Target"]
COMPANY = "demo"


@dataclass(frozen=True)
class Target(TargetCodes):
    """One target's row of the table: its codes for the engine's situations (`TargetCodes`,
    shared with tests/jobs), its profile, and how its sandbox is built and driven. Tests read
    these instead of literals."""

    name: str
    profile: TargetProfile
    item_name_limit: int  # characters an item name keeps (qbXML OSR 31; QBO 100)
    phone_field: str  # the QuickBooks field a customer's phone is written to...
    phone_value: Callable[[str], object]  # ...and the value it holds for a number
    build: Callable[[Harness], tuple[Any, Books, Driver]]

    @property
    def marks(self) -> bool:
        """Whether the target carries the Salesforce Id on the QuickBooks record."""
        return self.profile.marker is not MarkerKind.NONE

    def mapper(self, policy: CompanyPolicy) -> Mapper:
        """The target's field maps under the company's policy."""
        return Mapper(_flows(self.profile.maps), policy)


@cache
def _flows(maps: MapSet) -> Any:
    return load_flows(maps=maps)


QBD = Target(**vars(CODES["qbd"]), name="qbd", profile=QBD_PROFILE, item_name_limit=31,
             phone_field="Phone", phone_value=str, build=qbd_books)  # fmt: skip
QBO = Target(**vars(CODES["qbo"]), name="qbo", profile=QBO_PROFILE, item_name_limit=100,
             phone_field="PrimaryPhone", phone_value=lambda n: {"FreeFormNumber": n},
             build=qbo_books)  # fmt: skip
TARGETS = {t.name: t for t in (QBD, QBO)}


@dataclass
class Harness:
    """The engine's collaborators on one target, and what the last cycles sent.

    `qb` is the target's own sandbox (for target-specific tests), `books` the neutral view.
    """

    clock: Clock = field(default_factory=Clock)
    bindings: BindingSet = field(default_factory=BindingSet)
    settings: SandboxSettings = field(default_factory=SandboxSettings)
    policy: CompanyPolicy = field(default_factory=CompanyPolicy)
    target: Target = QBD
    sent: list[list[QbOp]] = field(default_factory=list)
    settled: set[str] = field(default_factory=set)  # binding-field choices made (the runner's)
    closing: list[Callable[[], None]] = field(default_factory=list)
    # The retry queue's answered attempts per record, as the store keeps them (a new payload
    # starts again at 0; a lost reply is not answered): the attempt key of the record's writes.
    tries: dict[SfRef, tuple[Mapping[str, Any], int]] = field(default_factory=dict)
    sf_writes: list[SfWrite] = field(default_factory=list)  # the last cycle's Salesforce writes

    def __post_init__(self) -> None:
        self.qb, self.books, self.driver = self.target.build(self)

    def close(self) -> None:
        """Release what the target's sandbox holds open."""
        for close in self.closing:
            close()

    def change(self, payload: Mapping[str, Any], unknown_since: datetime | None = None) -> Any:
        """A pending change of a payload (its sObject from the id's prefix)."""
        sobject = {"001": SfObject.ACCOUNT, "01t": SfObject.PRODUCT2}.get(
            str(payload["Id"])[:3], SfObject.OPPORTUNITY
        )
        sf = SfRef(sobject, str(payload["Id"]))
        queued, tries = self.tries.get(sf, (payload, 0))
        return PendingChange(
            FLOW_OF[sobject],
            sf,
            payload,
            self.clock(),
            unknown_since=unknown_since,
            tries=tries if queued == payload else 0,
        )

    def run(
        self,
        changes: Sequence[PendingChange],
        since: Mapping[str, datetime] | None = None,
        lose_batch: int | None = None,
        *,
        policy: CompanyPolicy | None = None,
        blocks: Mapping[str, Block] | None = None,
        lose_add: int | None = None,
        after_batch: Callable[[int], None] | None = None,
    ) -> Cycle:
        """One cycle to its end. The reply of batch number `lose_batch` (1-based), or of the
        `lose_add`-th batch that adds records, is lost; `after_batch(n)` runs after batch n."""
        policy = policy or self.policy
        cycle = Cycle(COMPANY, changes, mapper=self.target.mapper(policy), catalog=CATALOG,
                      bindings=self.bindings, qb_since=since or {}, clock=self.clock,
                      profile=self.target.profile, policy=policy, blocks=blocks,
                      settled=frozenset(self.settled))  # fmt: skip
        self.sent = []
        adds = 0
        while (ops := cycle.next_batch()) is not None:
            self.sent.append(ops)
            adds += any(op.action is QbAction.ADD for op in ops)
            if lose_batch == len(self.sent):
                self.books.lose_next_reply()
            if lose_add == adds and _adds(ops):
                self.books.lose_next_write_reply()
            try:
                results = self.driver.execute(ops)
            except ReplyLost:
                results = []
            cycle.take_results(results)
            if after_batch is not None:
                after_batch(len(self.sent))
        writes = self.sf_writes = cycle.sf_writes()
        cycle.take_sf_results([SfWriteResult(w.sobject, w.record_id) for w in writes])
        if cycle.marking.settled is not None:
            self.settled.add(cycle.marking.settled)
        self._count_tries(changes, cycle)
        return cycle

    def _count_tries(self, changes: Sequence[PendingChange], cycle: Cycle) -> None:
        for change in changes:
            outcome = cycle.outcomes.get(change.sf)
            if outcome is None or outcome.state is ItemState.INFLIGHT:
                continue
            if outcome.state in (ItemState.DONE, ItemState.SKIPPED):
                self.tries.pop(change.sf, None)
            else:
                self.tries[change.sf] = (change.payload, change.tries + 1)

    def bound(self, sf_id: str) -> QbRef:
        """The QuickBooks reference bound to a Salesforce id."""
        return next(b.qb for b in self.bindings if b.sf.id == sf_id)

    def view_of(self, sf_id: str) -> QbView:
        """The QuickBooks record bound to a Salesforce id, in neutral terms."""
        view = self.books.get(self.bound(sf_id))
        assert view is not None
        return view

    def qb_of(self, sf_id: str) -> Record:
        """The QuickBooks Desktop record bound to a Salesforce id."""
        record = self.qb.get(self.bound(sf_id).id)
        assert record is not None
        return record  # type: ignore[no-any-return]

    def sent_ops(self, action: QbAction) -> list[QbOp]:
        """Every op of the last cycle with this action."""
        return [op for batch in self.sent for op in batch if op.action is action]


def _adds(ops: Sequence[QbOp]) -> bool:
    return any(op.action is QbAction.ADD for op in ops)
