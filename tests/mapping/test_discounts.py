"""mapping.discounts and the lines' `discount:` section: net prices that keep Salesforce's
TotalPrice, discount lines per line or per document, and the map checks."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sfqb.domain.policy import CompanyPolicy, DiscountMode, DiscountSettings
from sfqb.mapping import ONLINE_MAPS, Mapper, MappingConfigError, MappingInputError, load_flows
from sfqb.mapping.discounts import price_line

NAMES = ("Discount", "Quantity", "UnitPrice")


def _line(qty: str, price: str, pct: str | None) -> dict[str, Any]:
    line: dict[str, Any] = {"Quantity": Decimal(qty), "UnitPrice": Decimal(price)}
    if pct is not None:
        line["Discount"] = Decimal(pct)
    return line


@pytest.mark.parametrize(
    ("qty", "price", "pct", "net"),
    [
        ("3", "33.33", "15", "28.33"),  # 84.99 / 3 is exact: Qty x price is the total itself
        ("1", "100", "12.5", "87.5"),
        ("7", "19.99", "2.99", "19.39230"),  # no exact price: UnitPrice less 2.99%, five places
        ("2", "10", "100", "0"),
    ],
)
def test_net_price_keeps_salesforce_total(qty: str, price: str, pct: str, net: str) -> None:
    priced = price_line(_line(qty, price, pct), NAMES, net=True)
    assert priced.net and priced.price == Decimal(net) and priced.discount == 0
    total = (Decimal(qty) * Decimal(price) * (100 - Decimal(pct)) / 100).quantize(Decimal("0.01"))
    assert (Decimal(qty) * Decimal(net)).quantize(Decimal("0.01")) == total


def test_discount_line_takes_off_the_difference_to_the_cent() -> None:
    priced = price_line(_line("7", "19.99", "3"), NAMES, net=False)  # 139.93 less 3%: 135.73
    assert priced.price == Decimal("19.99") and not priced.net
    assert priced.discount == Decimal("139.93") - Decimal("135.73")


def test_no_discount_leaves_the_line_alone() -> None:
    for pct in (None, "0"):
        priced = price_line(_line("2", "12.5", pct), NAMES, net=True)
        assert (priced.price, priced.net, priced.discount) == (Decimal("12.5"), False, 0)


@pytest.mark.parametrize("pct", ["-1", "100.5"])
def test_a_percent_outside_0_to_100_is_refused(pct: str) -> None:
    with pytest.raises(ValueError, match="percent from 0 to 100"):
        price_line(_line("1", "10", pct), NAMES, net=True)


def _opportunity(*lines: dict[str, Any]) -> dict[str, Any]:
    children = [{"Product2Id": f"01t{i}", **line} for i, line in enumerate(lines)]
    return {"Id": "006x", "AccountId": "001x", "IsWon": True, "CloseDate": "2026-01-02",
            "Name": "Deal", "OpportunityLineItems": {"records": children}}  # fmt: skip


def _mapper(mode: DiscountMode, online: bool = False) -> Mapper:
    flows = load_flows(maps=ONLINE_MAPS) if online else load_flows()
    return Mapper(flows, CompanyPolicy(discounts=DiscountSettings(mode=mode, item="Disc")))


def test_desktop_discount_lines_follow_each_discounted_line() -> None:
    opp = _opportunity(_line("1", "50", "10"), _line("1", "20", None), _line("2", "5", "50"))
    lines = _mapper(DiscountMode.DISCOUNT_LINE).map("opportunity_to_invoice", opp).fields["Lines"]
    assert [line.get("Amount") for line in lines] == [None, Decimal("-5.00"), None, None,
                                                       Decimal("-5.00")]  # fmt: skip
    assert lines[1]["ItemRef"] == {"FullName": "Disc"} and "Quantity" not in lines[1]


def test_online_discounts_become_one_discount_line() -> None:
    opp = _opportunity(_line("1", "50", "10"), _line("2", "5", "50"))
    mapped = _mapper(DiscountMode.DISCOUNT_LINE, online=True).map("opportunity_to_invoice", opp)
    lines = mapped.fields["Line"]
    assert [line["DetailType"] for line in lines] == ["SalesItemLineDetail"] * 2 + [
        "DiscountLineDetail"
    ]
    assert lines[2]["Amount"] == Decimal("10.00")
    assert lines[2]["DiscountLineDetail"] == {"PercentBased": False}


def test_online_net_price_amount_is_quantity_times_price() -> None:
    opp = _opportunity(_line("3", "33.33", "15"))
    line = _mapper(DiscountMode.NET_PRICE, online=True).map("opportunity_to_invoice", opp)
    sent = line.fields["Line"][0]
    detail = sent["SalesItemLineDetail"]
    assert sent["Amount"] == detail["Qty"] * detail["UnitPrice"] == Decimal("84.99")


def test_a_bad_discount_is_a_mapping_input_error() -> None:
    opp = _opportunity(_line("1", "10", "120"))
    with pytest.raises(MappingInputError, match="Discount"):
        _mapper(DiscountMode.NET_PRICE).map("opportunity_to_invoice", opp)


def test_a_discount_section_with_an_unknown_per_is_refused(tmp_path: Path) -> None:
    override = tmp_path / "maps.yaml"
    override.write_text(
        "flows:\n  opportunity_to_invoice:\n    lines:\n      discount:\n        per: order\n"
    )
    with pytest.raises(MappingConfigError, match=r"lines\.discount\.per"):
        load_flows(override)
