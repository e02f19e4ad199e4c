"""The preflight checks the fields a company's filter and map name against the org's describe:
a custom field sfqb cannot list is caught there, before a query fails on it."""

from __future__ import annotations

from sfqb.mapping import load_flows
from sfqb.mapping.flowconfig import FlowConfig
from sfqb.sync.sf_fields import Access, describe_problems, needed_fields


def test_a_filters_custom_field_must_be_visible() -> None:
    config = FlowConfig(
        "account_to_customer",
        filter="Region__c = 'EMEA' AND Parent.Type = 'Group'",
        fields={"Notes": {"source": "Industry"}},
    )
    needed = needed_fields(load_flows(company={config.flow: config}))
    assert needed["Account"]["Region__c"] is Access.READ
    assert needed["Account"]["Industry"] is Access.READ
    assert "Parent.Type" not in needed["Account"]  # a parent's field: checked by the parser
    described = {"Account": {f: (True, True) for f in needed["Account"] if f != "Region__c"}}
    assert "cannot see Account.Region__c" in describe_problems(needed, described)
