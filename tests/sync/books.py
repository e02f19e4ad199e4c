"""Each target's QuickBooks sandbox seen in neutral terms (`Books`), with its driver.

`qbd_books` builds QuickBooks Desktop's `CompanyFile` behind `DirectDriver`; `qbo_books` builds
QuickBooks Online's sandbox in-process (its ASGI app behind `QboClient` and `QboDriver`, no
server, on the harness's clock). A test changes QuickBooks through `Books` as a person would.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from starlette.testclient import TestClient
from tests.jobs.worlds import QbView, credit_payment, qbd_view, qbo_view

from sfqb.codes import load_catalog
from sfqb.connectors.qbd.operations import DirectDriver
from sfqb.connectors.qbo.client import QboClient, QboSettings
from sfqb.connectors.qbo.limits import RealmLimiter
from sfqb.connectors.qbo.operations import QboDriver
from sfqb.connectors.qbo.transport import Retries
from sfqb.domain.entities import QbRef
from sfqb.jobs.runner import Driver
from sfqb.sandbox.qbd import CompanyFile, SandboxSettings
from sfqb.sandbox.qbd.adapter import direct_processor
from sfqb.sandbox.qbo import QboConfig, QboSandbox

CATALOG = load_catalog()


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
    def apply_credit_as_user(self, credit: QbRef, invoice: QbRef, amount: str) -> None: ...


class Rig(Protocol):
    """What building a sandbox needs from the harness."""

    clock: Clock
    settings: SandboxSettings
    closing: list[Callable[[], None]]


# -- QuickBooks Desktop ------------------------------------------------------------------------

_QBD_KINDS = {"customer": ("Customer",), "item": ("ItemService", "ItemNonInventory",
              "ItemInventory"), "invoice": ("Invoice",), "creditmemo": ("CreditMemo",)}  # fmt: skip
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

    def apply_credit_as_user(self, credit: QbRef, invoice: QbRef, amount: str) -> None:
        """A person applies part of a credit memo to an invoice (Apply Credits)."""
        self.qb.apply_credit_as_user(credit.id, invoice.id, amount)

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


def qbd_books(h: Rig) -> tuple[Any, Books, Driver]:
    """The QuickBooks Desktop sandbox, its neutral view and its driver."""
    qb = CompanyFile(h.settings, h.clock, random.Random(0))
    return qb, QbdBooks(qb), DirectDriver(direct_processor(qb, CATALOG), CATALOG)


# -- QuickBooks Online -------------------------------------------------------------------------

_QBO_ENTITY = {"customer": "Customer", "item": "Item", "invoice": "Invoice",
               "creditmemo": "CreditMemo"}  # fmt: skip
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

    def apply_credit_as_user(self, credit: QbRef, invoice: QbRef, amount: str) -> None:
        """A person applies part of a credit memo to an invoice (a Payment of 0)."""
        body = credit_payment(self.qb.company, credit, invoice, amount)
        self.qb.api.books.create("Payment", body)

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

    def batch(self, items: Any, request_id: str, *, singly: bool | None = None) -> Any:
        if self.books.lose_write:
            self.books.lose_write = False
            self.books.qb.faults.lose_next_replies(1)
        return self.client.batch(items, request_id, singly=singly)


class _Tokens:
    def access_token(self) -> str:
        return "demo"

    def refresh(self, rejected: str) -> str:
        return "demo"


class _Meter:
    def count(self, *, reads: int = 0, writes: int = 0) -> None:
        """Not counted here."""


def qbo_books(h: Rig) -> tuple[Any, Books, Driver]:
    """The QuickBooks Online sandbox in-process, its neutral view and its driver."""
    qb = QboSandbox(QboConfig(clock=h.clock, multicurrency=h.settings.multi_currency))
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
