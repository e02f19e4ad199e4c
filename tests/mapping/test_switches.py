"""`enabled_by`: a field sent only under a company switch (multicurrency, credit_memos), and
what the Salesforce preflight then needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from sfqb.domain.policy import CompanyPolicy, CreditMemoSettings
from sfqb.mapping import ONLINE_MAPS, Mapper, MappingConfigError, load_flows
from sfqb.sync.sf_fields import needed_fields

ACCOUNT = {"Id": "001x", "Name": "Acme", "CurrencyIsoCode": "eur"}


def test_the_currency_is_sent_only_with_multicurrency_on() -> None:
    flows = load_flows(maps=ONLINE_MAPS)
    off = Mapper(flows).map("account_to_customer", ACCOUNT)
    on = Mapper(flows, CompanyPolicy(multicurrency=True)).map("account_to_customer", ACCOUNT)
    assert "CurrencyRef" not in off.fields and on.fields["CurrencyRef"] == {"value": "EUR"}


def test_desktop_names_the_currency_from_its_currency_list() -> None:
    mapper = Mapper(load_flows(), CompanyPolicy(multicurrency=True))
    assert mapper.field_value("account_to_customer", "CurrencyRef", {"CurrencyIsoCode": "GBP"}) == {
        "FullName": "British Pound Sterling"
    }


def test_an_unknown_switch_is_refused(tmp_path: Path) -> None:
    override = tmp_path / "maps.yaml"
    override.write_text(
        "flows:\n  account_to_customer:\n    fields:\n"
        "      Notes: {source: Description, enabled_by: moonphase}\n"
    )
    with pytest.raises(MappingConfigError, match=r"Notes\.enabled_by"):
        load_flows(override)


def test_the_preflight_needs_switched_fields_only_when_on() -> None:
    flows = load_flows()
    off = needed_fields(flows, CompanyPolicy().flag)
    assert "CurrencyIsoCode" not in off["Account"]
    assert "QuickBooks_Credit_Total__c" not in off["Opportunity"]
    policy = CompanyPolicy(multicurrency=True, credit_memos=CreditMemoSettings("Credit"))
    on = needed_fields(flows, policy.flag)
    assert "CurrencyIsoCode" in on["Account"] and "QuickBooks_Credit_Total__c" in on["Opportunity"]
