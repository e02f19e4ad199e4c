"""Fault 2500 (Invalid Reference Id) handled as qbXML's 3140: check the parents, follow a
merged one to its survivor, and send the child after.

Intuit, error-code page (developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/
error-codes: 2500 "Invalid Reference Id"); merges: Intuit's webhooks page ("Merge" operation,
deletedId) and Change Data Capture (the merged record reported with status "Deleted").
"""

from __future__ import annotations

from sfqb.domain.entities import SfObject

from .conftest import Qbo


def test_2500_invoice_naming_a_merged_customer_follows_the_survivor(qbo: Qbo) -> None:
    account = qbo.account("Acme Tools", Phone="(512) 555-0101")
    _product, entry = qbo.product()
    qbo.cycle()
    merged = qbo.qb_id(SfObject.ACCOUNT, account)
    assert merged is not None
    survivor = qbo.by_hand("Customer", {"DisplayName": "Acme Tools Inc"})["Id"]
    qbo.sandbox.merge_customers(merged, survivor)
    qbo.sandbox.webhooks.flush()  # the Merge notification reaches sfqb's inbox
    opp = qbo.deal(account, entry)
    for _ in range(3):
        qbo.cycle(wait=3600)
    assert qbo.qb_id(SfObject.ACCOUNT, account) == survivor
    assert [c["Id"] for c in qbo.sandbox.records("Customer")] == [survivor]
    [invoice] = qbo.sandbox.records("Invoice")
    assert invoice["CustomerRef"]["value"] == survivor
    assert qbo.qb_id(SfObject.OPPORTUNITY, opp) == invoice["Id"]
