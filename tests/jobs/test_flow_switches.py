"""A flow switched off for a company is not synced, in either direction, until switched on again
(the switch is `Store.flow_settings`, set from the console or the service layer)."""

from __future__ import annotations

import random

from sfqb.domain.entities import SfObject, SfRef
from sfqb.sandbox.salesforce import seed

from .worlds import TargetWorld


def test_an_outbound_flow_switched_off_is_not_synced_until_switched_on(
    target_world: TargetWorld,
) -> None:
    world = target_world
    summary = seed(world.sf.org, 4, random.Random(11))
    world.store.flow_settings.set("demo", "opportunity_to_invoice", False, by="ops")
    report = world.cycle()
    assert report.synced["account_to_customer"] == len(summary.accounts)
    assert report.synced["product_to_item"] == len(summary.products)
    assert report.synced["opportunity_to_invoice"] == 0
    assert world.qb_count("invoice") == 0
    world.store.flow_settings.set("demo", "opportunity_to_invoice", True, by="ops")
    again = world.cycle()
    assert again.synced["opportunity_to_invoice"] == len(summary.opportunities)
    assert world.qb_count("invoice") == len(summary.opportunities)


def test_an_inbound_flow_switched_off_holds_quickbooks_changes_back(
    target_world: TargetWorld,
) -> None:
    world = target_world
    summary = seed(world.sf.org, 4, random.Random(12))
    world.cycle()
    account = summary.accounts[0]
    binding = world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, account))
    assert binding is not None
    before = world.sf.org.get("Account", account)["Phone"]
    world.store.flow_settings.set("demo", "customer_to_account", False)
    world.advance(10)
    world.qb_modify_as_user(binding.qb, phone="(737) 555-0177")
    report = world.cycle()
    assert report.synced["customer_to_account"] == 0
    assert world.sf.org.get("Account", account)["Phone"] == before
    world.store.flow_settings.set("demo", "customer_to_account", True)
    report = world.cycle()  # the held-back change is read again, not lost
    assert report.synced["customer_to_account"] == 1
    assert world.sf.org.get("Account", account)["Phone"] == "(737) 555-0177"
