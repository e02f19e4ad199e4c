"""Checkpoints per stream: a price changed alone reaches QuickBooks; no checkpoint sticks.
On QuickBooks Desktop and QuickBooks Online alike."""

from __future__ import annotations

import random
from decimal import Decimal

from sfqb.domain.entities import SfObject, SfRef
from sfqb.sandbox.salesforce import seed

from .worlds import TargetWorld


def _price(world: TargetWorld, product: str) -> Decimal:
    binding = world.store.bindings.by_sf("demo", SfRef(SfObject.PRODUCT2, product))
    assert binding is not None
    item = world.qb_record(binding.qb)
    assert item is not None and item.price is not None
    return item.price


def test_a_price_changed_alone_in_salesforce_reaches_the_quickbooks_item(
    target_world: TargetWorld,
) -> None:
    world = target_world
    summary = seed(world.sf.org, 4, random.Random(11))
    world.cycle()
    entry = world.sf.org.get("PricebookEntry", summary.pricebook_entries[0])
    product = entry["Product2Id"]
    world.advance(10)
    world.sf.org.update("PricebookEntry", entry["Id"], {"UnitPrice": "123.45"})
    report = world.cycle()
    assert report.synced["product_to_item"] == 1
    assert _price(world, product) == Decimal("123.45")


def test_a_product_changed_alone_keeps_its_price(target_world: TargetWorld) -> None:
    world = target_world
    summary = seed(world.sf.org, 4, random.Random(12))
    world.cycle()
    entry = world.sf.org.get("PricebookEntry", summary.pricebook_entries[0])
    product = entry["Product2Id"]
    before = _price(world, product)
    world.advance(10)
    world.sf.org.update("Product2", product, {"Description": "now in blue"})
    report = world.cycle()
    assert report.synced["product_to_item"] == 1
    assert _price(world, product) == before


def test_no_product_checkpoint_stays_behind_when_no_price_changes(
    target_world: TargetWorld,
) -> None:
    world = target_world
    summary = seed(world.sf.org, 4, random.Random(13))
    world.cycle()
    entry = world.sf.org.get("PricebookEntry", summary.pricebook_entries[0])
    priced = entry["Product2Id"]
    others = [p for p in summary.products if p != priced]
    assert len(others) >= 2
    world.advance(60)
    world.sf.org.update("PricebookEntry", entry["Id"], {"UnitPrice": "77.00"})
    world.cycle()
    for product in others[:2]:  # products change, no price does
        world.advance(60)
        world.sf.org.update("Product2", product, {"Description": f"{product} in blue"})
        assert world.cycle().synced["product_to_item"] == 1
        world.cycle()  # reads the write-back's own change once
    checkpoints = world.store.checkpoints.for_company("demo")
    newest = max(world.sf.org.get("Product2", p)["SystemModstamp"] for p in summary.products)
    assert f"{checkpoints['salesforce:Product2']:%Y-%m-%d %H:%M:%S}" == str(newest)[:19]
    world.advance(60)
    # A quiet cycle reads only what each stream's overlap brings back: the product changed
    # last; not every product changed since that price. The price book entries' stream is
    # settled (read again since the price change, nothing newer): no overlap, nothing back.
    assert world.runner.gather("demo", ["product_to_item"]) == 1
    world.advance(60)
    assert world.runner.gather("demo", ["product_to_item"]) == 0  # both streams settled
