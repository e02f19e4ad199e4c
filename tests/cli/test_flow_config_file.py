"""The config file's per-company `flows:` section: read and checked when the file loads, each
mistake one line naming the file, the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from sfqb.cli.settings import SettingsError, load_config
from sfqb.mapping.soql import Compare, render

HEAD = "companies:\n  acme:\n    flows:\n"


def write(tmp_path: Path, body: str, head: str = HEAD) -> Path:
    path = tmp_path / "sfqb.yaml"
    path.write_text(head + body, encoding="utf-8")
    return path


def assert_refused(tmp_path: Path, body: str, line: int, words: str) -> None:
    """Loading a config with this `flows:` body fails in one line naming the file and line."""
    path = write(tmp_path, body)
    with pytest.raises(SettingsError) as raised:
        load_config(path)
    message = str(raised.value)
    assert message.startswith(f"{path}:{line}: companies.acme.flows."), message
    assert words in message and "\n" not in message


def test_a_good_section_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "      account_to_customer:\n"
        "        enabled: true\n"
        "        filter: \"Type = 'Customer'\"\n"
        "        map: {Notes: {source: Industry}, Fax: null}\n"
        "      opportunity_to_invoice:\n"
        "        target: Estimate\n"
        "        map: {lines: {Desc: {source: Description, max_length: 200}}}\n"
        "      product_to_item: {enabled: false}\n",
    )
    flows = load_config(path).company("acme").flows
    account = flows["account_to_customer"]
    assert account.enabled is True and account.filter == "Type = 'Customer'"
    assert account.overridden() == ("Notes", "Fax")
    assert flows["opportunity_to_invoice"].target == "Estimate"
    assert flows["opportunity_to_invoice"].overridden() == ("lines/Desc",)
    assert flows["product_to_item"].enabled is False
    assert load_config(path).company("other").flows == {}


# (the body of the flows section, the line the message names, words it holds)
BAD = [
    ("      invoice_to_nowhere: {}\n", 4, "unknown flow"),
    ("      account_to_customer:\n        enable: false\n", 5, "unknown key (allowed:"),
    ("      account_to_customer:\n        enabled: 'no'\n", 5, "must be true or false"),
    # The filter: grammar, fields and value kinds (sfqb.mapping.soql).
    ("      account_to_customer:\n        filter: \"Name = 'x') OR (1=1\"\n", 5, "column 11"),
    ("      account_to_customer:\n        filter: \"Tpye = 'Vendor'\"\n", 5, "no field 'Tpye'"),
    ('      account_to_customer:\n        filter: "Name = 1"\n', 5, "Name holds text"),
    ("      customer_to_account:\n        filter: \"Name = 'x'\"\n", 5, "Customer is not"),
    # The target kind must be one the flow can make.
    ("      opportunity_to_invoice:\n        target: Bill\n", 5, "'Bill' is not one of"),
    ("      account_to_customer:\n        target: Vendor\n", 5, "'Vendor' is not one of"),
    # An order's kind is the policy's order_target: one setting decides it.
    ("      order_to_sales_order:\n        target: SalesOrder\n", 5, "policy order_target"),
    # A map naming a target field QuickBooks does not accept (targets.yaml) ...
    (
        "      account_to_customer:\n        map:\n          Email: {source: Phone}\n"
        "          Birthday: {source: Name}\n",
        7,
        "unknown target field for Customer",
    ),
    # ... a source field Salesforce's Account does not have ...
    (
        "      account_to_customer:\n        map:\n          Notes: {source: Colour}\n",
        6,
        "unknown source field 'Colour'",
    ),
    # ... a value of the wrong type for the field it reads ...
    (
        "      account_to_customer:\n        map:\n          CreditLimit: {source: Name, "
        "type: amount}\n",
        6,
        "Name holds text: it cannot fill a field of type amount",
    ),
    (
        "      account_to_customer:\n        map:\n          Notes: {source: Name, type: money}\n",
        6,
        "unknown type 'money'",
    ),
    # ... and on a transaction's lines.
    (
        "      opportunity_to_invoice:\n        map:\n          lines:\n"
        "            Rate: {source: Description, type: price}\n",
        7,
        "Description holds text",
    ),
    (
        "      opportunity_to_invoice:\n        map:\n          lines:\n"
        "            Colour: {source: Description}\n",
        7,
        "unknown target field for Line",
    ),
    ("      account_to_customer:\n        map: [Phone]\n", 5, "must map target fields"),
]


@pytest.mark.parametrize(("body", "line", "words"), BAD)
def test_a_mistake_names_the_file_and_line(
    tmp_path: Path, body: str, line: int, words: str
) -> None:
    assert_refused(tmp_path, body, line, words)


def test_a_map_the_mapping_file_changed_is_checked_with_it(tmp_path: Path) -> None:
    """`mapping:` and `flows:` together: the section is checked over the mapping file."""
    (tmp_path / "acme-map.yaml").write_text(
        "flows:\n  account_to_customer:\n    fields:\n      Fax: null\n", encoding="utf-8"
    )
    head = "companies:\n  acme:\n    mapping: acme-map.yaml\n    flows:\n"
    path = write(
        tmp_path, "      account_to_customer:\n        map: {Notes: {source: Fax}}\n", head
    )
    assert load_config(path).company("acme").flows["account_to_customer"].fields


def test_a_mapping_file_mistake_names_its_line_too(tmp_path: Path) -> None:
    (tmp_path / "acme-map.yaml").write_text(
        "flows:\n  account_to_customer:\n    fields:\n      Notes:\n        source: Colour\n",
        encoding="utf-8",
    )
    head = "companies:\n  acme:\n    mapping: acme-map.yaml\n    flows:\n"
    path = write(tmp_path, "      product_to_item: {enabled: false}\n", head)
    with pytest.raises(SettingsError, match=r"acme-map.yaml:5: flows\.account_to_customer"):
        load_config(path)


def test_the_filter_is_sent_as_rendered_from_its_tree(tmp_path: Path) -> None:
    from sfqb.mapping import load_flows

    path = write(tmp_path, "      account_to_customer:\n        filter: \"name='O\\\\'Neil'\"\n")
    flows = load_flows(company=load_config(path).company("acme").flows)
    where = flows["account_to_customer"].where
    assert where == Compare("name", "=", "O'Neil")
    assert render(where) == "name = 'O\\'Neil'"


VENDOR_RULE = (
    "    policy:\n"
    "      vendors:\n"
    "        rule: {field: Type, op: IN, value: [Vendor, Supplier]}\n"
    "        second_name_suffix: ' - V'\n"
)


def test_the_older_vendor_rule_is_read_as_the_vendor_flows_filter(tmp_path: Path) -> None:
    path = write(tmp_path, "", head="companies:\n  acme:\n" + VENDOR_RULE)
    company = load_config(path).company("acme")
    assert company.flows["account_to_vendor"].filter == "Type IN ('Vendor', 'Supplier')"
    assert company.policy.vendors.second_name_suffix == " - V"  # the rest of the section stays
    assert "rule" not in company.policy_section["vendors"]


def test_the_older_vendor_rule_and_a_vendor_filter_together_are_refused(tmp_path: Path) -> None:
    body = "    flows:\n      account_to_vendor:\n        filter: \"Type = 'Vendor'\"\n"
    path = write(tmp_path, body, head="companies:\n  acme:\n" + VENDOR_RULE)
    with pytest.raises(SettingsError) as info:
        load_config(path)
    text = str(info.value)
    assert "sfqb.yaml:5: companies.acme.policy.vendors.rule:" in text
    assert "flows.account_to_vendor.filter (line 9) sets too" in text


def test_an_older_vendor_rule_on_an_unknown_field_names_its_line(tmp_path: Path) -> None:
    head = "companies:\n  acme:\n    policy:\n      vendors:\n"
    head += "        rule: {field: Tpye, value: V}\n"
    with pytest.raises(SettingsError, match=r"sfqb\.yaml:5: .*vendors\.rule: .*Tpye"):
        load_config(write(tmp_path, "", head=head))
