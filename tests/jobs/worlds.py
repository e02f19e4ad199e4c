"""Target-neutral worlds: the same engine tests run against QuickBooks Desktop and Online.

A test takes the `target_world` fixture (parametrised `qbd`, `qbo`) and looks at QuickBooks
only through `TargetWorld`'s neutral API (`qb_record`, `qb_records`, `qb_modify_as_user`, ...),
never through one sandbox's own classes. Each arm implements that API on its sandbox:
`QbdWorld` on the Desktop `CompanyFile`, `QboTestWorld` on the Online `QboSandbox` company
(changing records as a user would: SyncToken and LastUpdatedTime move on).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pytest

from sfqb.codes import Catalog
from sfqb.connectors.qbd.operations import DirectDriver
from sfqb.domain.entities import QbRef
from sfqb.domain.policy import CompanyPolicy
from sfqb.jobs.runner import CycleReport, Driver, SyncRunner
from sfqb.sandbox.demo import DemoOptions, salesforce_id_of
from sfqb.sandbox.qbd import CompanyFile
from sfqb.sandbox.qbd.records import Record
from sfqb.sandbox.salesforce import SalesforceSandbox
from sfqb.store import Store
from sfqb.sync.ops import QbOp, QbResult
from sfqb.sync.target import TargetProfile

if TYPE_CHECKING:  # the QuickBooks Online sandbox loads only for the tests that use it
    from sfqb.sandbox.qbo import QboSandbox
    from sfqb.sandbox.qbo_demo import QboWorld

TARGETS = ("qbd", "qbo")


@dataclass(frozen=True)
class TargetCodes:
    """Each target's code for a situation the engine remedies: tests read these, not literals.

    QuickBooks Online's follow Intuit's error-code page (developer.intuit.com/app/developer/qbo/
    docs/develop/troubleshooting/error-codes): 6240 Duplicate Name Exists, 610 Object Not Found
    (deleted or made inactive), 2500 Invalid Reference Id, 5010 Stale Object Error.
    """

    system: str  # the catalog's system prefix (qbxml:3100, qbo:6240)
    duplicate_name: str  # a name another record holds
    record_gone: str  # the bound record is no longer there
    bad_reference: str  # a reference to a record that is gone (merged away)
    stale_version: str  # EditSequence / SyncToken moved on
    inactive_refused: str  # a transaction naming an inactive name is refused


# Known gaps per target: test name -> why it fails; the fixtures run such a test as
# xfail(strict=True), so it turns red the day the gap is closed and the entry must go.
GAPS: dict[str, dict[str, str]] = {
    "qbd": {},
    "qbo": {},
}


def mark_gap(request: pytest.FixtureRequest, target: str) -> None:
    """Run the requesting test as xfail(strict=True) when it is a known gap of `target`."""
    gap = GAPS[target].get(request.node.originalname)
    if gap is not None:
        request.node.add_marker(pytest.mark.xfail(strict=True, reason=gap))


CODES = {
    "qbd": TargetCodes("qbxml", "3100", "3120", "3140", "3200", "3140"),
    "qbo": TargetCodes("qbo", "6240", "610", "2500", "5010", "610"),
}


@dataclass(frozen=True)
class QbView:
    """A QuickBooks record in neutral terms: what the engine's tests compare."""

    id: str
    kind: str  # customer, item, invoice, payment
    name: str | None
    phone: str | None
    active: bool
    version: str  # EditSequence (Desktop) or SyncToken (Online): moves on every change
    customer: str | None = None  # a transaction's customer Id
    items: tuple[str, ...] = ()  # a transaction's item Ids, line by line
    price: Decimal | None = None  # an item's price
    marker: str | None = None  # the Salesforce Id the record carries, where the target has one
    # A sale's lines less its discounts, before tax, as QuickBooks computed them.
    net_total: Decimal | None = None
    parent: str | None = None  # a job's (sub-customer's) parent customer Id
    full_name: str | None = None  # "Parent:Job" (FullName / FullyQualifiedName)
    first_name: str | None = None  # a customer's contact fields
    last_name: str | None = None
    email: str | None = None


@dataclass
class Recording:
    """Passes batches on to the sandbox and keeps the ops it sent."""

    inner: Driver
    ops: list[QbOp] = field(default_factory=list)

    def execute(self, ops: Sequence[QbOp]) -> list[QbResult]:
        self.ops += ops
        return self.inner.execute(ops)


class TargetWorld(Protocol):
    """What a target-neutral engine test may touch."""

    target: str
    sf: SalesforceSandbox
    store: Store
    runner: SyncRunner
    catalog: Catalog

    @property
    def profile(self) -> TargetProfile: ...

    def advance(self, seconds: float) -> None: ...
    def cycle(self, company: str = "demo") -> CycleReport: ...
    def recorded_cycle(self, company: str = "demo") -> tuple[CycleReport, list[QbOp]]: ...
    def run_with(self, wrap: Callable[[Driver], Driver], company: str = "demo") -> CycleReport: ...
    def qb_record(self, ref: QbRef) -> QbView | None: ...
    def qb_add_as_user(self, kind: str, name: str, phone: str | None = None) -> QbView: ...
    def qb_remove_as_user(self, ref: QbRef) -> None: ...
    def qb_records(self, kind: str) -> list[QbView]: ...
    def qb_count(self, kind: str) -> int: ...
    def qb_snapshot(self) -> Any: ...
    def qb_modify_as_user(self, ref: QbRef, **fields: str | bool) -> None: ...
    def qb_delete_as_user(self, ref: QbRef) -> None: ...
    def qb_receive_payment(self, invoice: QbRef, amount: str) -> None: ...
    def qb_lose_next_replies(self, count: int = 1) -> None: ...
    def qb_notify(self) -> None: ...
    def qb_fail_next(self, count: int = 1) -> None: ...


# -- QuickBooks Desktop --------------------------------------------------------------------

_QBD_KINDS = {
    "customer": ("Customer",),
    "vendor": ("Vendor",),
    "item": ("ItemService", "ItemNonInventory", "ItemInventory"),
    "invoice": ("Invoice",),
    "salesreceipt": ("SalesReceipt",),
    "estimate": ("Estimate",),
    "creditmemo": ("CreditMemo",),
    "payment": ("ReceivePayment",),
}


def qbd_view(record: Record) -> QbView:
    kind = next(k for k, kinds in _QBD_KINDS.items() if record.kind in kinds)
    sale = record.fields.get("SalesOrPurchase") or record.fields.get("SalesAndPurchase") or {}
    price = sale.get("Price") or sale.get("SalesPrice") if isinstance(sale, dict) else None
    lines = tuple(str(line["ItemRef"]["ListID"]) for line in record.lines if "ItemRef" in line)  # type: ignore[index]
    return QbView(
        id=record.id,
        kind=kind,
        name=record.text("Name"),
        phone=record.text("Phone"),
        active=record.is_active,
        version=record.edit_sequence,
        customer=record.ref_id("CustomerRef"),
        items=lines,
        price=Decimal(price) if price is not None else None,
        marker=salesforce_id_of(record),
        net_total=sum((Decimal(str(x.get("Amount") or 0)) for x in record.lines), Decimal(0))
        if record.lines
        else None,
        parent=record.ref_id("ParentRef"),
        first_name=record.text("FirstName"),
        last_name=record.text("LastName"),
        email=record.text("Email"),
    )


_QBD_FIELDS = {"name": "Name", "phone": "Phone", "active": "IsActive"}


class QbdWorldApi:
    """The neutral API on a QuickBooks Desktop company file (mixed into `World`)."""

    target = "qbd"
    qb: CompanyFile
    driver: DirectDriver

    def qb_record(self, ref: QbRef) -> QbView | None:
        """The record `ref` names, neutral; None when absent."""
        record = self.qb.get(ref.id)
        return self._view(record) if record is not None else None

    def qb_records(self, kind: str) -> list[QbView]:
        """Every record of a neutral kind."""
        return [self._view(r) for r in self.qb.records(*_QBD_KINDS[kind])]

    def _view(self, record: Record) -> QbView:
        view = qbd_view(record)
        if view.kind == "customer":
            view = replace(view, full_name=self.qb.full_name(record.id))
        return view

    def qb_add_as_user(self, kind: str, name: str, phone: str | None = None) -> QbView:
        """A person adds a customer or (service) item in QuickBooks."""
        extra = {"Phone": phone} if phone else {}
        return qbd_view(self.qb.add_as_user(_QBD_KINDS[kind][0], name, **extra))

    def qb_remove_as_user(self, ref: QbRef) -> None:
        """A person deletes the record (a name or a transaction)."""
        self.qb.delete_as_user(ref.id)

    def qb_count(self, kind: str) -> int:
        """How many records of a neutral kind."""
        return len(self.qb.records(*_QBD_KINDS[kind]))

    def qb_snapshot(self) -> Any:
        """Everything the company holds, to compare before and after."""
        return self.qb.snapshot()

    def qb_modify_as_user(self, ref: QbRef, **fields: str | bool) -> None:
        """A person edits the record in QuickBooks (neutral field names)."""
        values = {
            _QBD_FIELDS[k]: (str(v).lower() if isinstance(v, bool) else v)
            for k, v in fields.items()
        }
        self.qb.modify_as_user(ref.id, **values)

    def qb_delete_as_user(self, ref: QbRef) -> None:
        """A person deletes the transaction in QuickBooks."""
        self.qb.delete_as_user(ref.id)

    def qb_make_top_level_as_user(self, ref: QbRef) -> None:
        """A person moves a job to the top of the customer list."""
        self.qb.make_top_level_as_user(ref.id)

    def qb_receive_payment(self, invoice: QbRef, amount: str) -> None:
        """A person records a payment of `amount` on the invoice."""
        record = self.qb.get(invoice.id)
        assert record is not None
        customer = record.ref_id("CustomerRef")
        assert customer is not None
        self.qb.receive_payment(customer, amount, invoice.id)

    def qb_apply_credit(self, credit: QbRef, invoice: QbRef, amount: str) -> None:
        """A person applies `amount` of a credit memo to an invoice (Apply Credits)."""
        self.qb.apply_credit_as_user(credit.id, invoice.id, amount)

    def qb_lose_next_replies(self, count: int = 1) -> None:
        """The next `count` requests are done but their replies are lost."""
        self.qb.faults.lose_next_reply(count)

    def qb_fail_next(self, count: int = 1) -> None:
        """The next `count` connections to QuickBooks fail (a transient failure)."""
        self.qb.faults.connector_down_next(count)

    def qb_notify(self) -> None:
        """QuickBooks Desktop sends no notifications: nothing to wait for."""


# -- QuickBooks Online ---------------------------------------------------------------------

_QBO_KINDS = {
    "customer": "Customer",
    "vendor": "Vendor",
    "item": "Item",
    "invoice": "Invoice",
    "salesreceipt": "SalesReceipt",
    "estimate": "Estimate",
    "creditmemo": "CreditMemo",
    "payment": "Payment",
}


def qbo_view(kind: str, record: dict[str, Any]) -> QbView:
    lines = tuple(
        str(line["SalesItemLineDetail"]["ItemRef"]["value"])
        for line in record.get("Line") or []
        if line.get("DetailType") == "SalesItemLineDetail"
    )
    price = record.get("UnitPrice")
    total = record.get("TotalAmt")
    tax = (record.get("TxnTaxDetail") or {}).get("TotalTax") or 0
    return QbView(
        id=str(record["Id"]),
        kind=kind,
        name=record.get("DisplayName") or record.get("Name"),
        phone=(record.get("PrimaryPhone") or {}).get("FreeFormNumber"),
        active=record.get("Active", True) is not False,
        version=str(record["SyncToken"]),
        customer=(record.get("CustomerRef") or {}).get("value"),
        items=lines,
        price=Decimal(str(price)) if price is not None else None,
        marker=None,  # QuickBooks Online keeps no Salesforce Id (the binding lives in the store)
        net_total=Decimal(str(total)) - Decimal(str(tax)) if total is not None else None,
        parent=(record.get("ParentRef") or {}).get("value"),
        full_name=record.get("FullyQualifiedName"),
        first_name=record.get("GivenName"),
        last_name=record.get("FamilyName"),
        email=(record.get("PrimaryEmailAddr") or {}).get("Address"),
    )


def credit_payment(company: Any, credit: QbRef, invoice: QbRef, amount: str) -> dict[str, Any]:
    """The Payment body that applies `amount` of a QuickBooks Online credit memo to an invoice."""
    record = company.get("Invoice", invoice.id)
    assert record is not None
    lines = [
        {"Amount": float(amount), "LinkedTxn": [{"TxnId": invoice.id, "TxnType": "Invoice"}]},
        {"Amount": float(amount), "LinkedTxn": [{"TxnId": credit.id, "TxnType": "CreditMemo"}]},
    ]
    return {"CustomerRef": record["CustomerRef"], "TotalAmt": 0, "Line": lines}


@dataclass
class QboTestWorld:
    """A QuickBooks Online world with the neutral API, on the test's clock and store URL."""

    inner: QboWorld
    sf: SalesforceSandbox
    store: Store
    runner: SyncRunner
    clock: Any
    catalog: Catalog
    target: str = "qbo"

    @property
    def qb(self) -> QboSandbox:
        """The QuickBooks Online sandbox (for the Online-only parts of a test)."""
        return self.inner.quickbooks

    @property
    def profile(self) -> TargetProfile:
        """The engine's view of QuickBooks Online."""
        return self.runner.profile

    def advance(self, seconds: float) -> None:
        """Let time pass."""
        self.clock.advance(seconds)

    def run_with(self, wrap: Callable[[Driver], Driver], company: str = "demo") -> CycleReport:
        """One cycle a few seconds later, through `wrap(driver)`."""
        self.clock.advance(5)
        with self.inner.driver() as driver:
            report = self.runner.run_direct(company, wrap(driver))
        self.inner.reports.append(report)
        return report

    def cycle(self, company: str = "demo") -> CycleReport:
        """One cycle pushed to QuickBooks Online."""
        return self.run_with(lambda driver: driver, company)

    def recorded_cycle(self, company: str = "demo") -> tuple[CycleReport, list[QbOp]]:
        """One cycle, with every QuickBooks op it sent."""
        recording: list[Recording] = []

        def wrap(driver: Driver) -> Driver:
            recording.append(Recording(driver))
            return recording[0]

        report = self.run_with(wrap, company)
        return report, recording[0].ops

    def _company(self) -> Any:
        return self.qb.company

    def qb_record(self, ref: QbRef) -> QbView | None:
        """The record `ref` names (Ids are per entity in QuickBooks Online); None when absent."""
        kind = ref.kind.value.lower()
        record = self._company().get(_QBO_KINDS[kind], ref.id)
        return qbo_view(kind, record) if record is not None else None

    def qb_records(self, kind: str) -> list[QbView]:
        """Every record of a neutral kind (the sandbox's seeded ones included)."""
        return [qbo_view(kind, r) for r in self.qb.records(_QBO_KINDS[kind])]

    def qb_add_as_user(self, kind: str, name: str, phone: str | None = None) -> QbView:
        """A person adds a customer or (service) item in QuickBooks Online."""
        named = kind in ("customer", "vendor")
        body: dict[str, Any] = {"DisplayName" if named else "Name": name}
        if phone:
            body["PrimaryPhone"] = {"FreeFormNumber": phone}
        if kind == "item":
            body.update(Type="Service", IncomeAccountRef={"value": "2"})  # seeded Services
        return qbo_view(kind, self.qb.api.books.create(_QBO_KINDS[kind], body))

    def qb_remove_as_user(self, ref: QbRef) -> None:
        """The record is gone: a transaction deleted; a name, which Intuit's API never deletes,
        removed as a merge whose notice never came leaves it (CDC reports it Deleted)."""
        self._company().remove(_QBO_KINDS[ref.kind.value.lower()], ref.id)

    def qb_count(self, kind: str) -> int:
        """How many records of a neutral kind."""
        return len(self.qb.records(_QBO_KINDS[kind]))

    def qb_snapshot(self) -> Any:
        """Everything the company holds (Ids, SyncTokens, MetaData), to compare."""
        with self._company().lock:
            return copy.deepcopy(self._company().records)

    def qb_modify_as_user(self, ref: QbRef, **fields: str | bool) -> None:
        """A person edits the record in QuickBooks Online: a sparse update at its SyncToken,
        so SyncToken and LastUpdatedTime move on and CDC reports it."""
        view = self.qb_record(ref)
        assert view is not None
        body: dict[str, Any] = {"sparse": True}
        for key, value in fields.items():
            if key == "name":
                named = view.kind in ("customer", "vendor")
                body["DisplayName" if named else "Name"] = value
                if named:
                    body["CompanyName"] = value
            elif key == "phone":
                body["PrimaryPhone"] = {"FreeFormNumber": value}
            elif key == "active":
                body["Active"] = value in (True, "true")
            else:
                raise KeyError(key)
        entity = _QBO_KINDS[view.kind]
        body.update(Id=ref.id, SyncToken=view.version)
        self.qb.api.books.update(entity, body)

    def qb_make_top_level_as_user(self, ref: QbRef) -> None:
        """A person makes a sub-customer a top-level customer (a full update without its
        ParentRef, Job false)."""
        record = self._company().get("Customer", ref.id)
        assert record is not None
        record.pop("ParentRef", None)
        record.update(Job=False, sparse=False)
        self.qb.api.books.update("Customer", record)

    def qb_delete_as_user(self, ref: QbRef) -> None:
        """A person deletes the transaction in QuickBooks Online (operation=delete)."""
        view = self.qb_record(ref)
        assert view is not None
        self.qb.api.books.delete(_QBO_KINDS[view.kind], {"Id": ref.id, "SyncToken": view.version})

    def qb_receive_payment(self, invoice: QbRef, amount: str) -> None:
        """A person receives a payment of `amount` applied to the invoice."""
        record = self._company().get("Invoice", invoice.id)
        assert record is not None
        linked = [{"TxnId": invoice.id, "TxnType": "Invoice"}]
        line = {"Amount": float(amount), "LinkedTxn": linked}
        body = {"CustomerRef": record["CustomerRef"], "TotalAmt": float(amount), "Line": [line]}
        self.qb.api.books.create("Payment", body)

    def qb_apply_credit(self, credit: QbRef, invoice: QbRef, amount: str) -> None:
        """A person applies `amount` of a credit memo to an invoice: a Payment of 0 whose
        lines link the invoice and the credit memo (Intuit's Payment reference)."""
        self.qb.api.books.create(
            "Payment", credit_payment(self._company(), credit, invoice, amount)
        )

    def round_trips(self, report: CycleReport) -> int:
        """The cycle's requests to QuickBooks Online (reads and batches)."""
        return report.qb_batches

    def summary(self) -> dict[str, Any]:
        """The demo's summary of every cycle so far (duplicates, undecoded, open failures)."""
        from sfqb.sandbox.qbo_demo import qbo_summary

        return qbo_summary(self.inner)

    def qb_lose_next_replies(self, count: int = 1) -> None:
        """The next `count` API requests are done but their replies are lost."""
        self.qb.faults.lose_next_replies(count)

    def qb_notify(self) -> None:
        """Deliver the webhook notifications of every change so far (the sandbox's ticker
        sends them within a second; a test counting a cycle's statements waits for them)."""
        self.qb.webhooks.flush()

    def qb_fail_next(self, count: int = 1) -> None:
        """The next `count` API requests answer 503 (a transient failure)."""
        self.qb.faults.fail_next(count, 503)


@contextmanager
def qbo_test_world(
    url: str,
    workdir: Path,
    clock: Any,
    catalog: Catalog,
    options: DemoOptions | None = None,
    *,
    policy: CompanyPolicy | None = None,
) -> Iterator[QboTestWorld]:
    """The Online world on the test's store URL and clock, company "demo"; Salesforce seeded
    as `options` say (nothing by default); QuickBooks' multicurrency on when the `policy` has
    it."""
    from sfqb.sandbox.qbo import QboConfig
    from sfqb.sandbox.qbo_demo import qbo_world

    seeded = options is not None
    options = options or DemoOptions(accounts=0, products=0, opportunities=0)
    options = replace(options, workdir=workdir, database_url=url)
    multicurrency = policy is not None and policy.multicurrency
    with qbo_world(
        options,
        catalog,
        clock,
        quickbooks=QboConfig(clock=clock, multicurrency=multicurrency),
        seed_salesforce=seeded,
        policy=policy,
    ) as world:
        yield QboTestWorld(world, world.salesforce, world.store, world.runner, clock, catalog)


def won_deal(org: Any, account_id: str, entry: str | None = None) -> str:
    """A Closed Won opportunity of the account, with one line of a new product (or of the
    price book entry `entry`); its Id."""
    if entry is None:
        product = org.create("Product2", {"Name": "Widget", "ProductCode": "W-1", "IsActive": True})
        entry = org.create(
            "PricebookEntry",
            {"Pricebook2Id": org.standard_pricebook_id, "Product2Id": product,
             "UnitPrice": 10.0, "IsActive": True},
        )  # fmt: skip
    opp = org.create(
        "Opportunity",
        {"Name": "March order", "AccountId": account_id, "StageName": "Closed Won",
         "CloseDate": org.now().date().isoformat(), "Pricebook2Id": org.standard_pricebook_id},
    )  # fmt: skip
    org.create(
        "OpportunityLineItem", {"OpportunityId": opp, "PricebookEntryId": entry, "Quantity": 2}
    )
    return str(opp)
