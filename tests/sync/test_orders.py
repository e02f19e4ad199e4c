"""The order flow's checks: when a read QuickBooks document counts as closed (each target's
preflight `closed` rules, qbxml120.xsd and Intuit's Invoice/Estimate references), and the
maps an Order goes through on each target."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from sfqb.domain.policy import CompanyPolicy, OrderTarget
from sfqb.mapping import ONLINE_MAPS, Mapper, MappingInputError, RecordNotEligible, load_flows
from sfqb.sync.ops import QbRecord
from sfqb.sync.orders import closed_reason
from sfqb.sync.preflight import preflight

FLOW = "order_to_sales_order"
ORDER: dict[str, Any] = {
    "Id": "801000000000001AAA",
    "AccountId": "001000000000001AAA",
    "EffectiveDate": "2026-01-15",
    "OrderNumber": "00000100",
    "PoNumber": "PO-7",
    "Description": "Spring order",
    "IsReductionOrder": False,
    "OrderItems": [
        {"Product2Id": "01t000000000001AAA", "Quantity": 5.0, "AvailableQuantity": 3.0,
         "UnitPrice": 40.0, "Description": "Installation"},
    ],
}  # fmt: skip


def _rules(name: str, kind: str) -> list[dict[str, Any]]:
    return [r for r in preflight(name)["closed"] if r["kind"] == kind]


@pytest.mark.parametrize(
    ("kind", "fields", "reason"),
    [
        ("SalesOrder", {"IsFullyInvoiced": True, "IsManuallyClosed": False}, "fully invoiced"),
        ("SalesOrder", {"IsFullyInvoiced": False, "IsManuallyClosed": True}, "closed by hand"),
        ("SalesOrder", {"IsFullyInvoiced": False, "LinkedTxn": ("1A-1",)}, "invoice was made"),
        ("SalesOrder", {"IsFullyInvoiced": False, "IsManuallyClosed": False}, None),
        ("Estimate", {"LinkedTxn": ("2A-1",)}, "turned into an invoice"),
        ("Estimate", {}, None),
        ("Invoice", {"AppliedAmount": Decimal("-10.00")}, "payment was applied"),
        ("Invoice", {"AppliedAmount": Decimal("0.00")}, None),
    ],
)
def test_desktop_closed_rules_xsd_salesorderret(
    kind: str, fields: dict[str, Any], reason: str | None
) -> None:
    found = closed_reason(QbRecord(kind, "1", fields=fields), _rules("preflight.yaml", kind))
    assert (found is None) if reason is None else (found is not None and reason in found)


@pytest.mark.parametrize(
    ("kind", "fields", "closed"),
    [
        ("Invoice", {"Balance": 80.0, "TotalAmt": 120.0}, True),
        ("Invoice", {"Balance": 120.0, "TotalAmt": 120.0}, False),
        ("Estimate", {"TxnStatus": "Closed"}, True),
        ("Estimate", {"TxnStatus": "Pending"}, False),
        ("Estimate", {"TxnStatus": "Accepted", "LinkedTxn": [{"TxnId": "9"}]}, True),
    ],
)
def test_online_closed_rules_intuit_invoice_and_estimate(
    kind: str, fields: dict[str, Any], closed: bool
) -> None:
    found = closed_reason(QbRecord(kind, "1", fields=fields), _rules("preflight_qbo.yaml", kind))
    assert (found is not None) is closed


def test_online_refuses_sales_orders_with_one_message() -> None:
    kinds = preflight("preflight_qbo.yaml")["kinds"]
    assert "order_target" in kinds["SalesOrder"]["refused"]
    assert "SalesOrder" not in load_flows(maps=ONLINE_MAPS)[FLOW].kinds


def test_an_order_maps_to_a_desktop_sales_order_with_what_reductions_left() -> None:
    mapper = Mapper(load_flows(), CompanyPolicy(order_target=OrderTarget.SALES_ORDER))
    mapped = mapper.map(FLOW, ORDER, kind="SalesOrder")
    assert mapped.kind == "SalesOrder"
    fields = mapped.fields
    assert fields["RefNumber"] == "00000100" and fields["PONumber"] == "PO-7"
    (line,) = fields["Lines"]
    assert line["Quantity"] == Decimal(3) and line["Rate"] == Decimal(40)
    assert mapper.map(FLOW, ORDER).kind == "Invoice"  # the map's default


def test_an_order_maps_to_an_online_invoice_whose_amount_is_qty_times_price() -> None:
    mapped = Mapper(load_flows(maps=ONLINE_MAPS)).map(FLOW, ORDER, kind="Invoice")
    (line,) = mapped.fields["Line"]
    assert line["Amount"] == Decimal("120.00")
    assert line["SalesItemLineDetail"]["Qty"] == Decimal(3)
    with pytest.raises(MappingInputError):
        Mapper(load_flows(maps=ONLINE_MAPS)).map(FLOW, ORDER, kind="SalesOrder")


def test_a_reduction_order_is_never_a_document_of_its_own() -> None:
    with pytest.raises(RecordNotEligible):
        Mapper(load_flows()).map(FLOW, {**ORDER, "IsReductionOrder": True})
