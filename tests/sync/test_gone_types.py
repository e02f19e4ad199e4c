"""Which transaction types a cycle reads the deletions of (sync/gone.py): every one the flows can
make and the target binds, each a TxnDelType of Intuit's qbXML 12.0 schema on QuickBooks
Desktop."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from sfqb.connectors.qbd.profile import QBD_PROFILE
from sfqb.connectors.qbd.qbxml import TxnDelType
from sfqb.connectors.qbo.profile import QBO_PROFILE
from sfqb.mapping import DESKTOP_MAPS, ONLINE_MAPS, MapSet, load_flows
from sfqb.sync.gone import bound_types

XSD = "{http://www.w3.org/2001/XMLSchema}"


def _made(maps: MapSet) -> list[str]:
    """Every kind the flows of `maps` can make."""
    flows = load_flows(maps=maps)
    return [kind for flow in flows.flows.values() for kind in flow.kinds]


def test_desktop_reads_the_deletions_of_every_sales_transaction_it_makes() -> None:
    types = bound_types(QBD_PROFILE, ["Invoice", *_made(DESKTOP_MAPS)])
    assert types == ("Invoice", "SalesReceipt", "Estimate", "CreditMemo", "SalesOrder")


def test_online_reads_no_sales_orders_it_cannot_make() -> None:
    types = bound_types(QBO_PROFILE, ["Invoice", *_made(ONLINE_MAPS)])
    assert types == ("Invoice", "SalesReceipt", "Estimate", "CreditMemo")


def test_names_and_items_are_no_transactions() -> None:
    assert bound_types(QBD_PROFILE, ["Customer", "ItemService", "Vendor", "Opportunity"]) == ()


def test_each_desktop_type_is_a_txn_del_type_of_the_qbxml_schema(specs: Path) -> None:
    # qbxml120.xsd, element TxnDelType: the enumeration TxnDeletedQueryRq takes.
    tree = etree.parse(str(specs / "qbxml120.xsd"))
    found = tree.find(f"{XSD}element[@name='TxnDelType']")
    assert found is not None
    allowed = {e.get("value") for e in found.iter(f"{XSD}enumeration")}
    types = bound_types(QBD_PROFILE, ["Invoice", *_made(DESKTOP_MAPS)])
    assert set(types) <= allowed
    assert set(types) <= {t.value for t in TxnDelType}  # the connector can ask for each
