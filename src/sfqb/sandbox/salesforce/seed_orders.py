"""Seeds Salesforce Orders on an org that already has accounts and priced products (`seed`):
a few activated orders with their products, and one reduction order against the first."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from sfqb.sandbox.salesforce.org import Org


@dataclass(frozen=True)
class OrderSeed:
    """Ids of what `seed_orders` created."""

    orders: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    reductions: list[str] = field(default_factory=list)


def seed_orders(
    org: Org, count: int, rng: random.Random, *, reduce_first: bool = True
) -> OrderSeed:
    """Create `count` activated orders (1-3 products each) on the org's accounts; with
    `reduce_first`, an activated reduction order takes one unit off the first order's first
    product (still open in QuickBooks when it is sent, so its document shows the reduction)."""
    accounts = [a["Id"] for a in org.records("Account")]
    entries = [
        e["Id"]
        for e in org.records("PricebookEntry")
        if e["Pricebook2Id"] == org.standard_pricebook_id and e["IsActive"] is not False
    ]
    if count < 1:
        return OrderSeed()
    if not accounts or not entries:
        raise ValueError("seed_orders needs accounts and priced products: seed the org first")
    seeded = OrderSeed()
    today = org.now().date()
    for n in range(count):
        order = org.create(
            "Order",
            {
                "AccountId": accounts[n % len(accounts)],
                "EffectiveDate": (today - timedelta(days=rng.randint(0, 30))).isoformat(),
                "Status": "Draft",
                "Pricebook2Id": org.standard_pricebook_id,
                "PoNumber": f"PO-{4100 + n}",
                "Description": f"Order {n + 1} from the sfqb demo",
            },
        )
        for entry in rng.sample(entries, k=min(len(entries), rng.randint(1, 3))):
            seeded.items.append(
                org.create(
                    "OrderItem",
                    {"OrderId": order, "PricebookEntryId": entry, "Quantity": 2.0 + n},
                )
            )
        org.update("Order", order, {"Status": "Activated"})
        seeded.orders.append(order)
    if reduce_first:
        seeded.reductions.append(reduce_order(org, seeded.orders[0], 1.0))
    return seeded


def reduce_order(org: Org, order_id: str, quantity: float, item_id: str | None = None) -> str:
    """An activated reduction order taking `quantity` off one product of `order_id` (its first
    product unless `item_id` names one)."""
    original = org.get("Order", order_id)
    item = item_id or next(i["Id"] for i in org.records("OrderItem") if i["OrderId"] == order_id)
    reduction = org.create(
        "Order",
        {
            "AccountId": original["AccountId"],
            "EffectiveDate": org.now().date().isoformat(),
            "Status": "Draft",
            "IsReductionOrder": True,
            "OriginalOrderId": order_id,
        },
    )
    org.create(
        "OrderItem", {"OrderId": reduction, "OriginalOrderItemId": item, "Quantity": -quantity}
    )
    org.update("Order", reduction, {"Status": "Activated"})
    return reduction
