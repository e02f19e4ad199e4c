"""The engine alone, on either target: `Cycle` over an in-memory BindingSet and a sandbox.

`Harness(target=QBD)` drives the QuickBooks Desktop sandbox (a `CompanyFile` behind
`DirectDriver`); `Harness(target=QBO)` drives the QuickBooks Online sandbox in-process (its ASGI
app behind `QboClient` and `QboDriver`, no server, the harness's clock). The `h` fixture in
conftest.py gives a test one of each. What differs between the targets - codes, how a person
changes a record, how a reply is lost - lives in the `Target` table below, never in a test.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, Protocol

from starlette.testclient import TestClient
from tests.jobs.worlds import CODES, QbView, TargetCodes, qbd_view, qbo_view

from sfqb.codes import load_catalog
from sfqb.connectors.qbd.operations import DirectDriver
from sfqb.connectors.qbd.profile import QBD_PROFILE
from sfqb.connectors.qbo.client import QboClient, QboSettings
from sfqb.connectors.qbo.limits import RealmLimiter
from sfqb.connectors.qbo.operations import QboDriver
from sfqb.connectors.qbo.profile import QBO_PROFILE
from sfqb.connectors.qbo.transport import Retries
from sfqb.domain.bindings import BindingSet
from sfqb.domain.entities import QbRef, SfObject, SfRef
from sfqb.domain.policy import CompanyPolicy
from sfqb.jobs.runner import Driver
from sfqb.mapping import Mapper, MapSet, load_flows
from sfqb.sandbox.qbd import CompanyFile, SandboxSettings
from sfqb.sandbox.qbd.adapter import direct_processor
from sfqb.sandbox.qbd.records import Record
from sfqb.sandbox.qbo import QboConfig, QboSandbox
from sfqb.sync.cycle import Cycle
from sfqb.sync.ops import QbAction, QbOp, ReplyLost
from sfqb.sync.records import FLOW_OF, Block, ItemState, PendingChange, SfWriteResult
from sfqb.sync.target import MarkerKind, TargetProfile

CATALOG = load_catalog()
COMPANY = "demo"


class Clock:
    """Moves on a second per reading, so every QuickBooks write has its own modification time;
    `monotonic` and `sleep` serve QuickBooks Online's rate limiter (a wait passes at once)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now

    def monotonic(self) -> float:
        """Seconds since the start."""
        return (self.now - datetime(2026, 1, 1, tzinfo=UTC)).total_seconds()

    def sleep(self, seconds: float) -> None:
        """Time passes at once."""
        self.now += timedelta(seconds=seconds)


class Books(Protocol):
    """A QuickBooks company seen in neutral terms: kinds `customer`, `item`, `invoice`."""

    def add_as_user(self, kind: str, name: str, phone: str | None = None) -> QbView: ...
    def records(self, kind: str) -> list[QbView]: ...
    def get(self, ref: QbRef) -> QbView | None: ...
    def modify_as_user(self, ref: QbRef, **fields: str | bool) -> None: ...
    def remove_as_user(self, ref: QbRef) -> None: ...
    def merge_as_user(self, ref: QbRef, into: QbRef) -> None: ...
    def edit_before_next_mod(self, ref: QbRef, times: int = 1, **fields: str) -> None: ...
    def lose_next_reply(self) -> None: ...
    def lose_next_write_reply(self) -> None: ...


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


# -- QuickBooks Desktop ------------------------------------------------------------------------

_QBD_KINDS = {"customer": ("Customer",), "item": ("ItemService", "ItemNonInventory",
              "ItemInventory"), "invoice": ("Invoice",)}  # fmt: skip
_QBD_FIELDS = {"name": "Name", "phone": "Phone", "active": "IsActive", "notes": "Notes"}


def _qbd_values(fields: Mapping[str, str | bool]) -> dict[str, str]:
    return {_QBD_FIELDS[k]: str(v).lower() if isinstance(v, bool) else v for k, v in fields.items()}


@dataclass
class QbdBooks:
    """The neutral API on a QuickBooks Desktop company file."""

    qb: CompanyFile

    def add_as_user(self, kind: str, name: str, phone: str | None = None) -> QbView:
        """A person adds a customer or (service) item."""
        extra = {"Phone": phone} if phone else {}
        return qbd_view(self.qb.add_as_user(_QBD_KINDS[kind][0], name, **extra))

    def records(self, kind: str) -> list[QbView]:
        """Every record of a neutral kind."""
        return [qbd_view(r) for r in self.qb.records(*_QBD_KINDS[kind])]

    def get(self, ref: QbRef) -> QbView | None:
        """The record, or None."""
        record = self.qb.get(ref.id)
        return qbd_view(record) if record is not None else None

    def modify_as_user(self, ref: QbRef, **fields: str | bool) -> None:
        """A person edits the record."""
        self.qb.modify_as_user(ref.id, **_qbd_values(fields))

    def remove_as_user(self, ref: QbRef) -> None:
        """A person deletes the record."""
        self.qb.delete_as_user(ref.id)

    def merge_as_user(self, ref: QbRef, into: QbRef) -> None:
        """A person merges the record into another."""
        self.qb.merge_as_user(ref.id, into.id)

    def edit_before_next_mod(self, ref: QbRef, times: int = 1, **fields: str) -> None:
        """A person saves the record between sfqb's read and each of its next `times` Mods."""
        request = f"{self.qb.get(ref.id).kind}Mod"  # type: ignore[union-attr]
        left = [times]

        def edit(_request: object) -> None:
            left[0] -= 1
            if not left[0]:
                self.qb.faults.remove_hook(request, edit)
            self.qb.modify_as_user(ref.id, **_qbd_values(fields))

        self.qb.faults.before(request, edit)

    def lose_next_reply(self) -> None:
        """The next request is done, its reply lost."""
        self.qb.faults.lose_next_reply(1)

    def lose_next_write_reply(self) -> None:
        """The next request is done, its reply lost (one request carries every write)."""
        self.lose_next_reply()


def _qbd(h: Harness) -> tuple[Any, Books, Driver]:
    qb = CompanyFile(h.settings, h.clock, random.Random(0))
    return qb, QbdBooks(qb), DirectDriver(direct_processor(qb, CATALOG), CATALOG)


# -- QuickBooks Online -------------------------------------------------------------------------

_QBO_ENTITY = {"customer": "Customer", "item": "Item", "invoice": "Invoice"}
_INCOME_ACCOUNT = {"value": "2"}  # the sandbox's seeded Services income account


def _qbo_body(kind: str, fields: Mapping[str, str | bool]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for key, value in fields.items():
        if key == "name":
            body["DisplayName" if kind == "customer" else "Name"] = value
        elif key == "phone":
            body["PrimaryPhone"] = {"FreeFormNumber": value}
        elif key == "active":
            body["Active"] = value in (True, "true")
        elif key == "notes":
            body["Notes"] = value
        else:
            raise KeyError(key)
    return body


@dataclass
class QboBooks:
    """The neutral API on a QuickBooks Online sandbox company (changes go through its books,
    as a person's do: SyncToken and LastUpdatedTime move on and CDC reports them)."""

    qb: QboSandbox
    lose_write: bool = False

    def add_as_user(self, kind: str, name: str, phone: str | None = None) -> QbView:
        """A person adds a customer or (service) item."""
        body = _qbo_body(kind, {"name": name, **({"phone": phone} if phone else {})})
        if kind == "item":
            body.update(Type="Service", IncomeAccountRef=_INCOME_ACCOUNT)
        return qbo_view(kind, self.qb.api.books.create(_QBO_ENTITY[kind], body))

    def records(self, kind: str) -> list[QbView]:
        """Every record of a neutral kind."""
        return [qbo_view(kind, r) for r in self.qb.records(_QBO_ENTITY[kind])]

    def get(self, ref: QbRef) -> QbView | None:
        """The record (Ids are per entity in QuickBooks Online), or None."""
        kind = ref.kind.value.lower()
        record = self.qb.company.get(_QBO_ENTITY[kind], ref.id)
        return qbo_view(kind, record) if record is not None else None

    def modify_as_user(self, ref: QbRef, **fields: str | bool) -> None:
        """A person edits the record: a sparse update at its SyncToken."""
        kind = ref.kind.value.lower()
        current = self.qb.company.get(_QBO_ENTITY[kind], ref.id)
        assert current is not None
        body = {"Id": ref.id, "SyncToken": current["SyncToken"], "sparse": True}
        self.qb.api.books.update(_QBO_ENTITY[kind], {**body, **_qbo_body(kind, fields)})

    def remove_as_user(self, ref: QbRef) -> None:
        """The record is gone: a transaction deleted; a name, which Intuit's API never deletes,
        removed as a merge whose notice never came leaves it (CDC reports it Deleted)."""
        self.qb.company.remove(_QBO_ENTITY[ref.kind.value.lower()], ref.id)

    def merge_as_user(self, ref: QbRef, into: QbRef) -> None:
        """A person merges one customer into another (the webhook names the survivor)."""
        self.qb.merge_customers(ref.id, into.id)

    def edit_before_next_mod(self, ref: QbRef, times: int = 1, **fields: str) -> None:
        """A person saves the record between sfqb's read and each of its next `times` updates."""
        kind = ref.kind.value.lower()
        then = (lambda: self.edit_before_next_mod(ref, times - 1, **fields)) if times > 1 else None
        self.qb.edit_before_next_update(
            _QBO_ENTITY[kind], ref.id, _qbo_body(kind, fields), then or (lambda: None)
        )

    def lose_next_reply(self) -> None:
        """The next request is done, its reply lost."""
        self.qb.faults.lose_next_replies(1)

    def lose_next_write_reply(self) -> None:
        """The next batch request is done, its reply lost."""
        self.lose_write = True


@dataclass
class _LosingApi:
    """QboClient, losing a batch's reply when the books say so (the client does not retry in
    the harness, so the loss reaches the engine as on the Desktop side)."""

    client: QboClient
    books: QboBooks

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def batch(self, items: Any, request_id: str) -> Any:
        if self.books.lose_write:
            self.books.lose_write = False
            self.books.qb.faults.lose_next_replies(1)
        return self.client.batch(items, request_id)


class _Tokens:
    def access_token(self) -> str:
        return "demo"

    def refresh(self, rejected: str) -> str:
        return "demo"


class _Meter:
    def count(self, *, reads: int = 0, writes: int = 0) -> None:
        """Not counted here."""


def _qbo(h: Harness) -> tuple[Any, Books, Driver]:
    qb = QboSandbox(QboConfig(clock=h.clock))
    http = TestClient(qb.app, base_url="http://qbo")
    h.closing.append(http.close)
    client = QboClient(
        QboSettings(qb.realm, base_url="http://qbo", retries=Retries(lost=0, server=0)),
        tokens=_Tokens(),
        meter=_Meter(),
        catalog=CATALOG,
        http=http,
        limiter=RealmLimiter(clock=h.clock.monotonic, sleep=h.clock.sleep),
        sleep=h.clock.sleep,
        now=h.clock,
    )
    books = QboBooks(qb)
    merges = {c.deleted_id: c.id for c in qb.company.changes if c.deleted_id}

    def merged_into(_entity: str, gone: str) -> str | None:
        merges.update({c.deleted_id: c.id for c in qb.company.changes if c.deleted_id})
        return merges.get(gone)

    driver = QboDriver(_LosingApi(client, books), CATALOG, clock=h.clock, merged_into=merged_into)
    return qb, books, driver


QBD = Target(**vars(CODES["qbd"]), name="qbd", profile=QBD_PROFILE, item_name_limit=31,
             phone_field="Phone", phone_value=str, build=_qbd)  # fmt: skip
QBO = Target(**vars(CODES["qbo"]), name="qbo", profile=QBO_PROFILE, item_name_limit=100,
             phone_field="PrimaryPhone", phone_value=lambda n: {"FreeFormNumber": n},
             build=_qbo)  # fmt: skip
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
        writes = cycle.sf_writes()
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
