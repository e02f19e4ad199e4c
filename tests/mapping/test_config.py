"""Loader validation and per-company overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from sfqb.mapping import Mapper, MappingConfigError, Owner, load_flows, merge


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "company.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_load_every_flow() -> None:
    flows = load_flows()
    for name in (
        "account_to_customer",
        "product_to_item",
        "opportunity_to_invoice",
        "payment_to_opportunity",
        "customer_to_account",
    ):
        assert flows[name].name == name
    assert flows["product_to_item"].name_rule is not None
    assert flows["product_to_item"].name_rule.limit == 31
    assert flows["opportunity_to_invoice"].owner_of("Lines/Rate") is Owner.SALESFORCE
    assert flows["payment_to_opportunity"].owner_of("QuickBooks_Balance__c") is Owner.QUICKBOOKS


def test_merge_semantics() -> None:
    base = {"a": {"x": 1, "y": 2}, "b": [1], "c": 3}
    assert merge(base, {"a": {"y": 5}, "b": [2], "c": None}) == {"a": {"x": 1, "y": 5}, "b": [2]}
    assert base == {"a": {"x": 1, "y": 2}, "b": [1], "c": 3}


def test_override_merges_over_defaults(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
flows:
  account_to_customer:
    name_rule: {colon_replacement: " ", unique_format: " #{n}"}
    fields:
      Phone: {owner: quickbooks}
      Fax: null
      Email: {source: Email__c, transforms: [trim, lower], max_length: 1023}
      Notes: {source: Description, transforms: [{first_n: 10}]}
  product_to_item:
    kind: ItemNonInventory
""",
    )
    flows = load_flows(path)
    customer = flows["account_to_customer"]
    assert customer.owner_of("Phone") is Owner.QUICKBOOKS
    assert customer.owner_of("Name") is Owner.NEWEST  # untouched default
    targets = [f.target for f in customer.fields]
    assert "Fax" not in targets
    assert "BillAddress/City" in targets
    assert customer.name_rule is not None
    assert customer.name_rule.limit == 41  # kept from the default
    mapper = Mapper(flows)
    mapped = mapper.map(
        "account_to_customer",
        {
            "Id": "1",
            "Name": "A:B",
            "Email__c": " X@Example.COM ",
            "Fax": "1",
            "Description": "0123456789abc",
        },
        taken={"A B"},
    )
    assert mapped.fields["Name"] == "A B #2"
    assert mapped.fields["Email"] == "x@example.com"
    assert mapped.fields["Notes"] == "0123456789"
    assert "Fax" not in mapped.fields
    assert mapper.map("product_to_item", {"Id": "2", "Name": "P"}).kind == "ItemNonInventory"
    # Flows without an override are the defaults.
    assert flows["customer_to_account"] == load_flows()["customer_to_account"]


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        (
            "flows: {account_to_customer: {fields: {Phone: {transforms: [shout]}}}}",
            "flows.account_to_customer.fields.Phone.transforms[0]",
            "unknown transform 'shout'",
        ),
        (
            "flows: {account_to_customer: {fields: {Phon: {source: Phone}}}}",
            "flows.account_to_customer.fields.Phon",
            "unknown target field",
        ),
        (
            "flows: {account_to_customer: {fields: {Phone: {sauce: Phone}}}}",
            "flows.account_to_customer.fields.Phone.sauce",
            "unknown key",
        ),
        (
            "flows: {account_to_customer: {fields: {Phone: {owner: boss}}}}",
            "flows.account_to_customer.fields.Phone.owner",
            "unknown owner 'boss'",
        ),
        (
            "flows: {account_to_customer: {fields: "
            "{Notes: {source: D, transforms: [{first_n: x}]}}}}",
            "flows.account_to_customer.fields.Notes.transforms[0]",
            "bad argument for first_n",
        ),
        (
            "flows: {account_to_customer: {fields: {Phone: {const: '1'}}}}",
            "flows.account_to_customer.fields.Phone",
            "exactly one of source and const",
        ),
        (
            "flows: {account_to_customer: {name_rule: {colon_replacement: ':'}}}",
            "flows.account_to_customer.name_rule.colon_replacement",
            "colon",
        ),
        (
            "flows: {account_to_customer: {name_rule: {unique_format: ' (x)'}}}",
            "flows.account_to_customer.name_rule.unique_format",
            "{n}",
        ),
        (
            "flows: {opportunity_to_invoice: {kind: Bill}}",
            "flows.opportunity_to_invoice.kind",
            "not one of",
        ),
        ("flows: {invoice_to_anything: {}}", "flows.invoice_to_anything", "unknown key"),
        ("flows: [1, 2]", "flows", "must be a mapping"),
        ("flows: {a: [unclosed", "(document)", "not valid YAML"),
    ],
)
def test_bad_override_names_file_and_key(tmp_path: Path, text: str, key: str, problem: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(MappingConfigError) as info:
        load_flows(path)
    err = info.value
    assert err.source == str(path)
    assert err.key == key
    assert problem in err.problem
    assert "\n" not in str(err)
    where = f"{path}:{err.line}" if err.line is not None else str(path)
    assert str(err).startswith(f"{where}: {key}: ")
    assert err.line == 1 or key == "(document)"  # every override here is one line long


def test_missing_override_file(tmp_path: Path) -> None:
    with pytest.raises(MappingConfigError, match="cannot read"):
        load_flows(tmp_path / "absent.yaml")
