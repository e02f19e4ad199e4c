"""QuickBooks Online's TargetProfile: its vocabulary and Intuit's limits."""

from __future__ import annotations

from datetime import timedelta

from sfqb.connectors.qbo.profile import QBO_PROFILE
from sfqb.domain.entities import QbKind
from sfqb.domain.status import System
from sfqb.mapping import load_flows
from sfqb.sync.target import MarkerKind


def test_the_profile_speaks_quickbooks_online() -> None:
    assert QBO_PROFILE.system is System.QBO
    assert QBO_PROFILE.kind_of("Item") is QbKind.ITEM and not QBO_PROFILE.binds("ItemService")
    assert QBO_PROFILE.change_feeds("Invoice") == (
        "Customer",
        "Vendor",
        "Item",
        "Invoice",
        "Payment",
    )
    assert (QBO_PROFILE.max_batch, QBO_PROFILE.lookback) == (30, timedelta(days=30))
    assert (QBO_PROFILE.marker, QBO_PROFILE.stream) == (MarkerKind.NONE, "qbo:changes")


def test_the_name_limit_is_the_map_sets() -> None:
    flows = load_flows(maps=QBO_PROFILE.maps)
    for flow in ("account_to_customer", "product_to_item"):
        rule = flows[flow].name_rule
        assert rule is not None and rule.limit == QBO_PROFILE.name_limit
    assert set(flows["opportunity_to_invoice"].kinds) <= set(QBO_PROFILE.kinds)
