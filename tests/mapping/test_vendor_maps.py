"""The vendor flow's maps and rules: which Accounts it takes, and a party's second name."""

from __future__ import annotations

from typing import Any

import pytest

from sfqb.domain.policy import CompanyPolicy, VendorSettings
from sfqb.domain.selection import FieldCondition, Operator, SelectionError
from sfqb.mapping import ONLINE_MAPS, Mapper, RecordNotEligible, load_flows
from sfqb.mapping.rules import NameRule, apply_name_rule

DESKTOP = load_flows()
ONLINE = load_flows(maps=ONLINE_MAPS)


def _account(**fields: Any) -> dict[str, Any]:
    return {"Id": "001A", "Name": "Acme Supply", "Type": "Vendor", **fields}


def test_the_default_rule_is_type_vendor_as_data() -> None:
    for flows in (DESKTOP, ONLINE):
        rule = Mapper(flows).selection("account_to_vendor")
        assert rule == FieldCondition("Type", Operator.EQ, ("Vendor",))
        assert str(rule) == "Type = 'Vendor'"
        assert Mapper(flows).selection("account_to_customer") is None


def test_an_account_the_rule_does_not_pick_is_not_eligible() -> None:
    with pytest.raises(RecordNotEligible, match="needs Type = 'Vendor'"):
        Mapper(DESKTOP).map("account_to_vendor", _account(Type="Customer - Direct"))
    mapped = Mapper(DESKTOP).map("account_to_vendor", _account(Type="vendor"))  # any case
    assert mapped.kind == "Vendor" and mapped.fields["Name"] == "Acme Supply"


def test_a_company_rule_replaces_the_default() -> None:
    rule = FieldCondition.parse({"field": "Industry", "op": "IN", "value": ["Supply", "Parts"]})
    mapper = Mapper(DESKTOP, CompanyPolicy(vendors=VendorSettings(rule=rule)))
    assert mapper.selection("account_to_vendor") is rule
    assert mapper.map("account_to_vendor", _account(Type=None, Industry="Parts")).kind == "Vendor"
    with pytest.raises(RecordNotEligible):
        mapper.map("account_to_vendor", _account(Industry="Retail"))


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
    ("doc", "message"),
    [
        ({"field": "Type", "op": "LIKE", "value": "V%"}, "op must be =, != or IN"),
        ({"field": "Type", "op": "=", "value": ["a", "b"]}, "use IN for a list"),
        ({"field": "Type; DELETE", "value": "x"}, "field must be a field's API name"),
        ({"field": "Type", "value": ""}, "must not be empty"),
        ({"field": "Type", "value": True}, "value must be text"),
        ({"field": "Type", "value": "x", "where": 1}, "unknown key 'where'"),
        ("Type = 'Vendor'", "must be a mapping"),
    ],
)
def test_a_bad_condition_is_one_line(doc: Any, message: str) -> None:
    with pytest.raises(SelectionError, match=message):
        FieldCondition.parse(doc)


def test_conditions_compare_as_soql_does() -> None:
    ne = FieldCondition.parse({"field": "Type", "op": "!=", "value": "Vendor"})
    assert ne.matches({"Type": None}) and ne.matches({}) and not ne.matches({"Type": "VENDOR"})
    within = FieldCondition.parse({"field": "Type", "op": "in", "value": ["Vendor", "Supplier"]})
    assert within.matches({"Type": "supplier"}) and not within.matches({"Type": None})
    assert str(within) == "Type IN ('Vendor', 'Supplier')"
    with pytest.raises(SelectionError, match="not one sfqb reads"):
        FieldCondition.parse({"field": "Rating", "value": "Hot"}, ("Name", "Type"))


def test_vendors_are_no_new_customers_unless_the_company_says_so() -> None:
    assert Mapper(DESKTOP).kept_out("account_to_customer") == FieldCondition(
        "Type", Operator.EQ, ("Vendor",)
    )
    assert Mapper(ONLINE).kept_out("account_to_vendor") is None
    assert Mapper(DESKTOP).kept_out("product_to_item") is None
    both = CompanyPolicy(vendors=VendorSettings(also_customers=True))
    assert Mapper(DESKTOP, both).kept_out("account_to_customer") is None
