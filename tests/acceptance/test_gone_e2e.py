"""Acceptance: a credit memo, a sales order or an estimate sfqb made, deleted in QuickBooks by a
person while its Salesforce record did not change, goes on the review list once in plain words,
like a deleted invoice (QuickBooks Desktop's TxnDeletedQuery through the Web Connector; QuickBooks
Online's Change Data Capture, where a voided invoice stays and is no deletion)."""

from __future__ import annotations

import random
from pathlib import Path

from tests.acceptance.conftest import OpenWorld
from tests.acceptance.test_money_e2e import SMALL, _deal, _settle
from tests.acceptance.test_orders_e2e import desktop, online

from sfqb.domain.entities import QbKind, SfObject, SfRef
from sfqb.domain.policy import CompanyPolicy, CreditMemoSettings, OrderTarget
from sfqb.sandbox.salesforce.seed_orders import seed_orders
from sfqb.store import ReviewItem, ReviewStatus, Store

GONE = "RECORD_GONE"


def _gone_items(store: Store, sf_id: str) -> list[ReviewItem]:
    return [i for i in store.review.items("demo") if i.source_id == sf_id and i.code == GONE]


def test_a_deleted_credit_memo_goes_on_the_review_list_once(open_world: OpenWorld) -> None:
    policy = CompanyPolicy(credit_memos=CreditMemoSettings(opportunity_type="Credit"))
    with open_world(SMALL, policy) as world:
        account = world.sf.org.records("Account")[0]["Id"]
        credit = _deal(world, account, None, 0.0, "Credit")
        _settle(world)
        world.cycle()  # a checkpoint of QuickBooks' changes exists from here on
        memo = world.store.bindings.by_sf("demo", SfRef(SfObject.OPPORTUNITY, credit))
        assert memo is not None and memo.qb.kind is QbKind.CREDIT_MEMO
        world.qb_delete_as_user(memo.qb)
        world.cycle()
        items = world.store.review.items("demo")
        mine = [i for i in items if i.source_id == credit and i.code == GONE]
        assert len(mine) == 1, items
        assert mine[0].status is ReviewStatus.OPEN
        assert mine[0].reason.startswith(f"Credit memo {memo.qb.id} was deleted in QuickBooks")
        assert f"Opportunity {credit} still links to it" in mine[0].reason
        world.cycle()  # read again from an overlap: still the one item
        assert len(_gone_items(world.store, credit)) == 1


def test_a_deleted_sales_order_goes_on_the_review_list(isolated_url: str, tmp_path: Path) -> None:
    with desktop(isolated_url, tmp_path, "Premier", OrderTarget.SALES_ORDER) as world:
        org = world.demo.salesforce.org
        seeded = seed_orders(org, 2, random.Random(3), reduce_first=False)
        world.cycle()
        world.cycle()  # the checkpoint
        store = world.demo.store
        first = store.bindings.by_sf("demo", SfRef(SfObject.ORDER, seeded.orders[0]))
        assert first is not None and first.qb.kind is QbKind.SALES_ORDER
        world.demo.quickbooks.delete_as_user(first.qb.id)
        world.cycle()
        mine = _gone_items(store, seeded.orders[0])
        assert len(mine) == 1
        assert mine[0].reason.startswith(f"Sales order {first.qb.id} was deleted in QuickBooks")
        assert not _gone_items(store, seeded.orders[1])  # the other order is still there
        world.cycle()
        assert len(_gone_items(store, seeded.orders[0])) == 1


def test_a_deleted_estimate_goes_on_the_review_list_and_a_voided_invoice_does_not(
    isolated_url: str, tmp_path: Path
) -> None:
    with online(isolated_url, tmp_path, OrderTarget.ESTIMATE) as world:
        org = world.salesforce.org
        seeded = seed_orders(org, 1, random.Random(3), reduce_first=False)
        world.cycle()
        world.cycle()  # the checkpoint
        store, books = world.store, world.quickbooks
        order = store.bindings.by_sf("demo", SfRef(SfObject.ORDER, seeded.orders[0]))
        assert order is not None and order.qb.kind is QbKind.ESTIMATE
        sale = next(
            b for b in store.bindings.for_company("demo") if b.sf.sobject is SfObject.OPPORTUNITY
        )
        assert sale.qb.kind is QbKind.INVOICE
        estimate = books.company.get("Estimate", order.qb.id)
        invoice = books.company.get("Invoice", sale.qb.id)
        assert estimate is not None and invoice is not None
        books.api.books.delete("Estimate", {"Id": order.qb.id, "SyncToken": estimate["SyncToken"]})
        # Voided: Intuit keeps the invoice (amounts zero); Change Data Capture reports it as
        # changed, not Deleted.
        books.api.books.void("Invoice", {"Id": sale.qb.id, "SyncToken": invoice["SyncToken"]})
        world.cycle()
        mine = _gone_items(store, seeded.orders[0])
        assert len(mine) == 1
        assert mine[0].reason.startswith(f"Estimate {order.qb.id} was deleted in QuickBooks")
        assert not _gone_items(store, sale.sf.id)
        assert store.bindings.by_sf("demo", sale.sf) is not None


def test_on_pro_a_deleted_invoice_is_still_found_though_sales_orders_cannot_be_read(
    isolated_url: str, tmp_path: Path
) -> None:
    # Pro has no sales orders: their deletions' read answers 3250 (the sandbox's stricter
    # choice), which leaves the other types' reads and the log alone.
    with desktop(isolated_url, tmp_path, "Pro", OrderTarget.INVOICE) as world:
        world.cycle()
        world.cycle()  # the checkpoint
        store = world.demo.store
        sale = next(
            b for b in store.bindings.for_company("demo") if b.sf.sobject is SfObject.OPPORTUNITY
        )
        world.demo.quickbooks.delete_as_user(sale.qb.id)
        world.cycle()
        mine = _gone_items(store, sale.sf.id)
        assert len(mine) == 1
        assert mine[0].reason.startswith(f"Invoice {sale.qb.id} was deleted in QuickBooks")
        log = store.journal.log("demo", limit=1000)
        # The one failure logged is the deletion: nothing about sales orders.
        assert [a.code for a in log if a.failed] == [GONE]
