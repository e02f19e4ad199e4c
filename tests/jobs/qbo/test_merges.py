"""Merges reported by Change Data Capture: the binding follows the survivor, no customer is
re-created.

Intuit, change-data-capture page (a merged-away record comes back with status "Deleted") and
webhooks page (operation "Merge" with the survivor's id and deletedId).
"""

from __future__ import annotations

from sfqb.domain.entities import SfObject

from .conftest import Qbo


def test_merge_customers_binding_follows_the_survivor_on_the_next_change(qbo: Qbo) -> None:
    account = qbo.account("Acme Tools", Phone="(512) 555-0101")
    qbo.cycle()
    merged = qbo.qb_id(SfObject.ACCOUNT, account)
    assert merged is not None
    survivor = qbo.by_hand("Customer", {"DisplayName": "Acme Tools Inc"})["Id"]
    qbo.sandbox.merge_customers(merged, survivor)
    qbo.sandbox.webhooks.flush()  # the Merge notification reaches sfqb's inbox
    qbo.org.update("Account", account, {"Phone": "(512) 555-0199"})
    for _ in range(3):
        qbo.cycle(wait=3600)
    assert qbo.qb_id(SfObject.ACCOUNT, account) == survivor
    assert [c["Id"] for c in qbo.sandbox.records("Customer")] == [survivor]
    kept = qbo.sandbox.records("Customer")[0]
    assert kept["PrimaryPhone"]["FreeFormNumber"] == "(512) 555-0199"
    assert qbo.org.get("Account", account)["QuickBooks_ID__c"] == survivor
