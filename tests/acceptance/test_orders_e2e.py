"""Acceptance: Salesforce Orders end to end, through the Web Connector over SOAP to QuickBooks
Desktop (sales orders) and over HTTPS to QuickBooks Online (invoices), with the Salesforce
sandbox's Order rules (activation, reduction orders)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.acceptance.conftest import CATALOG, RealClock

from sfqb.connectors.qbd.webconnector.settings import load_settings
from sfqb.domain.entities import QbKind, SfObject, SfRef
from sfqb.domain.policy import CompanyPolicy, OrderTarget
from sfqb.jobs.runner import CycleReport
from sfqb.sandbox.demo import LOGIN, DemoOptions, DemoWorld, WorldSetup, demo_world, run_demo
from sfqb.sandbox.qbd import SandboxSettings
from sfqb.sandbox.qbd.faults import LostReply
from sfqb.sandbox.qbd.webconnector_client import Outcome, WebConnectorClient
from sfqb.sandbox.salesforce import ManualClock
from sfqb.sandbox.salesforce.seed_orders import reduce_order, seed_orders
from sfqb.store import QueueStatus

FLOW = "order_to_sales_order"
SMALL = DemoOptions(accounts=2, products=3, opportunities=1)


@dataclass
class Desktop:
    """A Desktop world: each cycle one Web Connector session."""

    demo: DemoWorld
    client: WebConnectorClient
    reports: list[CycleReport]

    def cycle(self) -> CycleReport:
        session = self.client.run(*LOGIN)
        assert session.outcome is Outcome.DONE
        return self.reports[-1]


@contextmanager
def desktop(
    url: str, tmp: Path, edition: str, target: OrderTarget, clock: Any = None, **qb: Any
) -> Iterator[Desktop]:
    options = DemoOptions(
        accounts=2, products=3, opportunities=1, workdir=tmp, database_url=url, orders=0
    )
    setup = WorldSetup(
        quickbooks=SandboxSettings(edition=edition, **qb),
        policy=CompanyPolicy(order_target=target),
    )
    with demo_world(options, CATALOG, clock or RealClock(), setup) as (world, _source, reports):
        client = WebConnectorClient(f"{world.endpoint}?wsdl", world.quickbooks)
        yield Desktop(world, client, reports)


def _order_binding(world: Desktop, order: str) -> Any:
    return world.demo.store.bindings.by_sf("demo", SfRef(SfObject.ORDER, order))


def _quantities(record: Any) -> list[Decimal]:
    return [Decimal(str(line["Quantity"])) for line in record.lines]


def test_orders_become_sales_orders_on_premier_and_a_reduction_changes_the_open_one(
    isolated_url: str, tmp_path: Path
) -> None:
    with desktop(isolated_url, tmp_path, "Premier", OrderTarget.SALES_ORDER) as world:
        org = world.demo.salesforce.org
        seeded = seed_orders(org, 2, random.Random(3), reduce_first=False)
        report = world.cycle()
        assert report.synced[FLOW] == 2
        qb = world.demo.quickbooks
        orders = qb.records("SalesOrder")
        assert len(orders) == 2 and not qb.invoices()[1:]  # the opportunity's invoice only
        first = _order_binding(world, seeded.orders[0])
        assert first is not None and first.qb.kind is QbKind.SALES_ORDER
        record = qb.get(first.qb.id)
        assert record is not None
        sf_order = org.get("Order", seeded.orders[0])
        assert sf_order["QuickBooks_ID__c"] == first.qb.id
        assert record.text("RefNumber") == sf_order["OrderNumber"]
        customer = world.demo.store.bindings.by_sf(
            "demo", SfRef(SfObject.ACCOUNT, sf_order["AccountId"])
        )
        assert customer is not None and record.ref_id("CustomerRef") == customer.qb.id
        before = _quantities(record)
        lines = len(record.lines)

        # A reduction order activated while the sales order is open: the sales order is
        # modified, every line sent again, the reduced one lower by the reduction.
        item = next(i for i in org.records("OrderItem") if i["OrderId"] == seeded.orders[0])
        reduce_order(org, seeded.orders[0], 1.0, item["Id"])
        changed = world.cycle()
        assert changed.synced[FLOW] == 1
        record = qb.get(first.qb.id)
        assert record is not None and len(record.lines) == lines
        assert sum(_quantities(record)) == sum(before) - 1
        assert len(qb.records("SalesOrder")) == 2

        # Invoiced in QuickBooks: the next reduction goes to the review list, not sent.
        qb.invoice_sales_order(first.qb.id)
        invoiced = _quantities(qb.get(first.qb.id))
        reduce_order(org, seeded.orders[0], 1.0, item["Id"])
        held = world.cycle()
        assert FLOW not in held.synced
        assert _quantities(qb.get(first.qb.id)) == invoiced
        row = world.demo.store.queue.get("demo", FLOW, SfRef(SfObject.ORDER, seeded.orders[0]))
        assert row is not None and row.status is QueueStatus.REVIEW
        assert row.last_code == "DOCUMENT_CLOSED"
        log = world.demo.store.journal.log("demo", limit=1000)
        closed = [a for a in log if a.code == "DOCUMENT_CLOSED"]
        assert closed and "fully invoiced" in closed[0].message
        assert org.get("Order", seeded.orders[0])["QuickBooks_Sync_Status__c"] is not None

        # The other order, still open, is left as it was; nothing is added twice.
        again = world.cycle()
        assert FLOW not in again.synced and len(qb.records("SalesOrder")) == 2


def _draft_order(org: Any) -> tuple[str, list[str]]:
    """A draft Order of the first account with one line of 4; the price book entries."""
    account = org.records("Account")[0]["Id"]
    entries = [e["Id"] for e in org.records("PricebookEntry")]
    fields = {"AccountId": account, "EffectiveDate": "2026-01-15", "Status": "Draft"}
    order = org.create("Order", fields)
    org.create("OrderItem", {"OrderId": order, "PricebookEntryId": entries[0], "Quantity": 4})
    return order, entries


def test_a_draft_order_edited_after_it_went_across_is_modified_whole(
    isolated_url: str, tmp_path: Path
) -> None:
    with desktop(isolated_url, tmp_path, "Enterprise", OrderTarget.SALES_ORDER) as world:
        org = world.demo.salesforce.org
        order, entries = _draft_order(org)
        assert world.cycle().synced[FLOW] == 1
        binding = _order_binding(world, order)
        assert binding is not None
        org.create("OrderItem", {"OrderId": order, "PricebookEntryId": entries[1], "Quantity": 1})
        assert world.cycle().synced[FLOW] == 1
        record = world.demo.quickbooks.get(binding.qb.id)
        assert record is not None and _quantities(record) == [Decimal(4), Decimal(1)]
        assert len(world.demo.quickbooks.records("SalesOrder")) == 1


def test_sales_order_setting_on_pro_is_refused_once_and_held(
    isolated_url: str, tmp_path: Path
) -> None:
    with desktop(isolated_url, tmp_path, "Pro", OrderTarget.SALES_ORDER) as world:
        org = world.demo.salesforce.org
        seeded = seed_orders(org, 2, random.Random(3), reduce_first=False)
        report = world.cycle()
        assert FLOW not in report.synced
        assert report.states["held"] >= 2
        assert world.demo.quickbooks.records("SalesOrder") == []
        log = world.demo.store.journal.log("demo", limit=1000)
        refused = [a for a in log if a.code == "FEATURE_OFF"]
        assert len(refused) == 1  # one message for the company, not one a record
        assert "only QuickBooks Desktop Premier" in refused[0].message
        for order in seeded.orders:
            row = world.demo.store.queue.get("demo", FLOW, SfRef(SfObject.ORDER, order))
            assert row is not None and row.status is QueueStatus.WAITING  # held: kept, not lost


def test_sales_orders_preference_off_is_refused_with_the_preference(
    isolated_url: str, tmp_path: Path
) -> None:
    target = OrderTarget.SALES_ORDER
    with desktop(isolated_url, tmp_path, "Premier", target, sales_orders=False) as world:
        seed_orders(world.demo.salesforce.org, 1, random.Random(3), reduce_first=False)
        report = world.cycle()
        assert FLOW not in report.synced
        log = world.demo.store.journal.log("demo", limit=1000)
        refused = [a for a in log if a.code == "FEATURE_OFF"]
        assert len(refused) == 1 and "Enable Sales Orders" in refused[0].message
        # The preference turned on: the held order goes at the next session.
        world.demo.quickbooks.configure(sales_orders=True)
        assert world.cycle().synced[FLOW] == 1
        assert len(world.demo.quickbooks.records("SalesOrder")) == 1


@contextmanager
def online(url: str, tmp: Path, target: OrderTarget) -> Iterator[Any]:
    from sfqb.sandbox.qbo import QboConfig
    from sfqb.sandbox.qbo_demo import qbo_world

    options = DemoOptions(
        accounts=2, products=3, opportunities=1, workdir=tmp, database_url=url, orders=0
    )
    clock = RealClock()
    policy = CompanyPolicy(order_target=target)
    with qbo_world(
        options, CATALOG, clock, policy=policy, quickbooks=QboConfig(clock=clock)
    ) as world:
        yield world


def test_orders_become_invoices_on_quickbooks_online_and_a_paid_one_is_not_changed(
    isolated_url: str, tmp_path: Path
) -> None:
    with online(isolated_url, tmp_path, OrderTarget.INVOICE) as world:
        org = world.salesforce.org
        seeded = seed_orders(org, 2, random.Random(3), reduce_first=False)
        assert world.cycle().synced[FLOW] == 2
        store, books = world.store, world.quickbooks.company
        first = store.bindings.by_sf("demo", SfRef(SfObject.ORDER, seeded.orders[0]))
        second = store.bindings.by_sf("demo", SfRef(SfObject.ORDER, seeded.orders[1]))
        assert first is not None and first.qb.kind is QbKind.INVOICE and second is not None
        invoice = books.get("Invoice", first.qb.id)
        assert invoice is not None
        assert org.get("Order", seeded.orders[0])["QuickBooks_ID__c"] == first.qb.id
        total = Decimal(str(invoice["TotalAmt"]))
        assert total == Decimal(str(org.get("Order", seeded.orders[0])["TotalAmount"]))

        # Open (nothing paid): a reduction order changes the invoice, every line sent again.
        item = next(i for i in org.records("OrderItem") if i["OrderId"] == seeded.orders[0])
        reduce_order(org, seeded.orders[0], 1.0, item["Id"])
        assert world.cycle().synced[FLOW] == 1
        invoice = books.get("Invoice", first.qb.id)
        assert invoice is not None
        assert Decimal(str(invoice["TotalAmt"])) == total - Decimal(str(item["UnitPrice"]))

        # Paid in part: a reduction of the second order goes to the review list.
        paid = books.get("Invoice", second.qb.id)
        assert paid is not None
        line = {"Amount": 1.0, "LinkedTxn": [{"TxnId": second.qb.id, "TxnType": "Invoice"}]}
        world.quickbooks.api.books.create(
            "Payment", {"CustomerRef": paid["CustomerRef"], "TotalAmt": 1.0, "Line": [line]}
        )
        before = books.get("Invoice", second.qb.id)
        reduce_order(org, seeded.orders[1], 1.0)
        report = world.cycle()
        assert FLOW not in report.synced
        after = books.get("Invoice", second.qb.id)
        assert after is not None and before is not None
        assert after["Line"] == before["Line"]
        row = store.queue.get("demo", FLOW, SfRef(SfObject.ORDER, seeded.orders[1]))
        assert row is not None and row.status is QueueStatus.REVIEW
        assert row.last_code == "DOCUMENT_CLOSED"


def test_a_draft_order_edited_after_it_went_across_is_modified_whole_on_quickbooks_online(
    isolated_url: str, tmp_path: Path
) -> None:
    with online(isolated_url, tmp_path, OrderTarget.INVOICE) as world:
        org = world.salesforce.org
        order, entries = _draft_order(org)
        assert world.cycle().synced[FLOW] == 1
        binding = world.store.bindings.by_sf("demo", SfRef(SfObject.ORDER, order))
        assert binding is not None and binding.qb.kind is QbKind.INVOICE
        invoices = len(world.quickbooks.records("Invoice"))
        org.create("OrderItem", {"OrderId": order, "PricebookEntryId": entries[1], "Quantity": 1})
        assert world.cycle().synced[FLOW] == 1
        invoice = world.quickbooks.company.get("Invoice", binding.qb.id)
        assert invoice is not None
        quantities = [
            Decimal(str(line["SalesItemLineDetail"]["Qty"]))
            for line in invoice["Line"]
            if line.get("DetailType") == "SalesItemLineDetail"
        ]
        assert quantities == [Decimal(4), Decimal(1)]  # the same invoice, every line sent again
        assert Decimal(str(invoice["TotalAmt"])) == Decimal(
            str(org.get("Order", order)["TotalAmount"])
        )
        assert len(world.quickbooks.records("Invoice")) == invoices  # modified, not added


def test_sales_order_setting_on_quickbooks_online_is_refused_once_and_held(
    isolated_url: str, tmp_path: Path
) -> None:
    with online(isolated_url, tmp_path, OrderTarget.SALES_ORDER) as world:
        seeded = seed_orders(world.salesforce.org, 2, random.Random(3), reduce_first=False)
        report = world.cycle()
        assert FLOW not in report.synced
        assert report.synced["opportunity_to_invoice"] == 1  # the rest of the books go on
        log = world.store.journal.log("demo", limit=1000)
        refused = [a for a in log if a.code == "KIND_REFUSED"]
        assert len(refused) == 1
        assert "QuickBooks Online has no sales orders" in refused[0].message
        for order in seeded.orders:
            row = world.store.queue.get("demo", FLOW, SfRef(SfObject.ORDER, order))
            assert row is not None and row.status is QueueStatus.WAITING  # held, not lost
        assert world.cycle().synced.get(FLOW) is None
        again = [a for a in world.store.journal.log("demo", limit=1000) if a.code == "KIND_REFUSED"]
        assert len(again) == 1  # reported once, not every cycle
        assert any(i.code == "KIND_REFUSED" for i in world.store.review.items("demo"))

        # The company sets order_target to Invoice: the hold lifts, the held orders go.
        world.runner.policy = CompanyPolicy(order_target=OrderTarget.INVOICE)
        assert world.cycle().synced[FLOW] == 2
        assert not any(i.code == "KIND_REFUSED" for i in world.store.review.items("demo"))


def test_the_demo_seeds_orders_and_counts_them(isolated_url: str, tmp_path: Path) -> None:
    options = DemoOptions(
        accounts=2, products=3, opportunities=1, orders=2, workdir=tmp_path,
        database_url=isolated_url,
    )  # fmt: skip
    summary = run_demo(options, CATALOG).summary
    assert summary["synced"]["order_to_sales_order"] == 2
    assert summary["quickbooks"]["sales_orders"] == 2
    assert summary["open_failures"] == 0 and summary["duplicates"] == 0


def test_a_sales_order_whose_reply_was_lost_is_found_not_added_twice(
    isolated_url: str, tmp_path: Path
) -> None:
    clock = ManualClock(datetime.now(UTC), step=timedelta(milliseconds=10))
    target = OrderTarget.SALES_ORDER
    with desktop(isolated_url, tmp_path, "Premier", target, clock) as world:
        world.cycle()  # the rest of the books first
        seed_orders(world.demo.salesforce.org, 1, random.Random(3), reduce_first=False)
        qb = world.demo.quickbooks
        process = qb.process
        lost: list[str] = []

        def losing(request_xml: str) -> str:
            answer = process(request_xml)
            if "<SalesOrderAddRq" in request_xml and not lost:
                lost.append(request_xml)
                raise LostReply()  # QuickBooks saved it; the Web Connector's post failed
            return answer

        qb.process = losing  # type: ignore[method-assign]
        world.client.run(*LOGIN)
        assert lost and len(qb.records("SalesOrder")) == 1
        qb.process = process  # type: ignore[method-assign]
        clock.advance(load_settings().session_timeout + timedelta(seconds=1))  # QBWC gives up
        clock.advance(timedelta(hours=2))  # past any wait the in-flight row was given
        before = len(world.reports)
        # The abandoned cycle ends (its add's outcome unknown) as the next session takes the
        # company over; that session's cycle, or the one after, looks the add up.
        world.client.run(*LOGIN)
        world.cycle()
        assert sum(r.synced[FLOW] for r in world.reports[before:]) == 1
        assert len(qb.records("SalesOrder")) == 1  # looked up by its marker, bound, not re-added
        (binding,) = [b for b in world.demo.store.bindings if b.sf.sobject is SfObject.ORDER]
        assert binding.qb.id == qb.records("SalesOrder")[0].id
