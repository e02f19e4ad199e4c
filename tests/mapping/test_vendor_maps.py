"""The vendor flow's maps and rules: which Accounts it takes, and a party's second name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sfqb.domain.policy import CompanyPolicy, VendorSettings
from sfqb.mapping import ONLINE_MAPS, Mapper, load_flows
from sfqb.mapping.config import FLOW_NAMES
from sfqb.mapping.flowconfig import parse_flows, rule_filter
from sfqb.mapping.mapper import FlowRead
from sfqb.mapping.marks import Marks
from sfqb.mapping.rules import NameRule, apply_name_rule
from sfqb.mapping.soql import Compare, render

DESKTOP = load_flows()
ONLINE = load_flows(maps=ONLINE_MAPS)


def _account(**fields: Any) -> dict[str, Any]:
    return {"Id": "001A", "Name": "Acme Supply", "Type": "Vendor", **fields}


def test_the_default_rule_is_the_vendor_flows_filter() -> None:
    for flows in (DESKTOP, ONLINE):
        where = flows["account_to_vendor"].where
        assert where == Compare("Type", "=", "Vendor")
        assert where is not None and render(where) == "Type = 'Vendor'"
        assert flows["account_to_customer"].where is None


def test_a_company_filter_replaces_the_default(tmp_path: Path) -> None:
    company = parse_flows(
        {"account_to_vendor": {"filter": "Industry IN ('Supply', 'Parts')"}},
        FLOW_NAMES, source="sfqb.yaml", path=("flows",), marks=Marks(),
    )  # fmt: skip
    where = load_flows(company=company)["account_to_vendor"].where
    assert where is not None and render(where) == "Industry IN ('Supply', 'Parts')"
    # The record the read brings is mapped whatever its Type: the filter chose it.
    mapped = Mapper(load_flows(company=company)).map("account_to_vendor", _account(Type=None))
    assert mapped.kind == "Vendor"


def test_the_second_name_takes_the_suffix_within_the_limit() -> None:
    mapped = Mapper(DESKTOP).map("account_to_vendor", _account(), second=True)
    assert mapped.fields["Name"] == "Acme Supply (V)"
    assert mapped.fields["CompanyName"] == "Acme Supply"  # the printed name stays the party's
    assert [c.rule for c in mapped.changes if c.field == "Name"] == ["second_name ' (V)'"]
    long = "Northwestern Industrial Fastener Supply Co"  # 42 characters
    cut = Mapper(DESKTOP).map("account_to_vendor", _account(Name=long), second=True)
    assert cut.fields["Name"] == "Northwestern Industrial Fastener Supp (V)"
    assert len(cut.fields["Name"]) == 41
    online = Mapper(ONLINE).map("account_to_vendor", _account(Name=long), second=True)
    assert online.fields["DisplayName"] == long + " (V)"  # QuickBooks Online allows 100


def test_a_company_suffix_and_a_name_taken_as_well() -> None:
    policy = CompanyPolicy(vendors=VendorSettings(second_name_suffix=" - Vendor"))
    mapper = Mapper(DESKTOP, policy)
    mapped = mapper.map(
        "account_to_vendor", _account(), taken={"acme supply - vendor"}, second=True
    )
    assert mapped.fields["Name"] == "Acme Supply - Vendor (2)"  # never a name QuickBooks holds
    assert mapper.map("account_to_customer", _account(), second=True).fields["Name"] == (
        "Acme Supply"  # the customer map has no second suffix
    )


def test_apply_name_rule_keeps_a_name_that_already_has_the_suffix() -> None:
    rule = NameRule(second_suffix=" (V)")
    assert apply_name_rule(rule, "Acme (V)", (), " (V)") == ("Acme (V)", [])
    name, changes = apply_name_rule(rule, "Acme: East", (), " (V)")
    assert name == "Acme- East (V)"
    assert [c.rule for c in changes] == ["name_no_colon", "second_name ' (V)'"]


@pytest.mark.parametrize(
    ("doc", "text"),
    [
        ({"field": "Type", "value": "Vendor"}, "Type = 'Vendor'"),
        ({"field": "Type", "op": "!=", "value": "Customer"}, "Type != 'Customer'"),
        ({"field": "Type", "op": "in", "value": ["Vendor", "O'Brien"]},
         "Type IN ('Vendor', 'O\\'Brien')"),
    ],
)  # fmt: skip
def test_an_older_vendor_rule_is_the_same_soql_filter(doc: Any, text: str) -> None:
    assert rule_filter(doc) == text


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"field": "Type", "op": "LIKE", "value": "V%"}, "op must be =, != or IN"),
        ({"field": "Type", "op": "=", "value": ["a", "b"]}, "use IN for a list"),
        ({"field": "Type; DELETE", "value": "x"}, "field must be a field's API name"),
        ({"field": "Type", "value": ""}, "value must be text"),
        ({"field": "Type", "value": True}, "value must be text"),
        ({"field": "Type", "value": "x", "where": 1}, "unknown key 'where'"),
        ("Type = 'Vendor'", "must be a mapping"),
    ],
)
def test_a_bad_older_rule_is_one_line(doc: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rule_filter(doc)


def test_vendors_are_no_new_customers_unless_the_company_says_so() -> None:
    assert Mapper(DESKTOP).kept_out("account_to_customer") == Compare("Type", "=", "Vendor")
    assert Mapper(ONLINE).kept_out("account_to_vendor") is None
    assert Mapper(DESKTOP).kept_out("product_to_item") is None
    both = CompanyPolicy(vendors=VendorSettings(also_customers=True))
    assert Mapper(DESKTOP, both).kept_out("account_to_customer") is None


def test_a_customer_flow_reads_the_vendor_rules_accounts_apart() -> None:
    reads = Mapper(DESKTOP).reads("account_to_customer")
    assert [(r.where and render(r.where), r.bound_only) for r in reads] == [
        ("NOT (Type = 'Vendor')", False),  # new customers: what the rule leaves
        ("Type = 'Vendor'", True),  # the vendor flow's own read: bound customers only
    ]
    assert Mapper(DESKTOP).reads("account_to_vendor") == (
        FlowRead(DESKTOP["account_to_vendor"].where),
    )
