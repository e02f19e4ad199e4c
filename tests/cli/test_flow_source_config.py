"""A flow's `source:` in the config file: the custom object the vendor flow reads in place of
Account. Its name is a custom object's API name (ends in __c; Salesforce Help, "Custom Object
Definition": at most 40 characters before it), its map is whole (the bundled map reads
Account's fields), and each mistake is one line naming the file, the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.cli.test_flow_config_file import assert_refused, write

from sfqb.cli.settings import load_config
from sfqb.mapping import load_flows
from sfqb.mapping.mapper import Mapper
from sfqb.mapping.mapsets import ONLINE_MAPS

SUPPLIERS = (
    "      account_to_vendor:\n"
    "        source: Supplier__c\n"
    "        filter: \"Active__c = true AND Name != 'Test'\"\n"
    "        map:\n"
    "          Name: {source: Name}\n"
    "          Phone: {source: Phone__c, transforms: [phone], max_length: 21}\n"
)


def test_a_custom_source_reads_only_what_its_map_names(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, SUPPLIERS)).company("acme").flows
    assert config["account_to_vendor"].sobject == "Supplier__c"
    flows = load_flows(company=config)
    vendor = flows["account_to_vendor"]
    assert vendor.source == "Supplier__c"
    # Account's fields (BillingCity ...) are not read from Supplier__c: the map is the company's.
    assert [(s.target, s.sources) for s in vendor.fields] == [
        ("Name", ("Name",)),
        ("Phone", ("Phone__c",)),
    ]
    assert vendor.where is not None and vendor.require == {}
    # The customer flow keeps every Account: the vendor rule is no longer on Account.
    assert Mapper(flows).kept_out("account_to_customer") is None


def test_the_same_section_is_refused_by_a_target_whose_name_field_it_leaves_out(
    tmp_path: Path,
) -> None:
    config = load_config(write(tmp_path, SUPPLIERS)).company("acme").flows
    with pytest.raises(Exception, match="must fill DisplayName"):
        load_flows(maps=ONLINE_MAPS, company=config)


# (the body of the flows section, the line the message names, words it holds)
BAD = [
    # Not a custom object's name: a standard object, a bad shape, too long.
    (
        "      account_to_vendor:\n        source: Contact\n        map: {Name: {source: Name}}\n",
        5,
        "a custom object's API name is its name",
    ),
    (
        "      account_to_vendor:\n        source: Supplier__x\n"
        "        map: {Name: {source: Name}}\n",
        5,
        "'Supplier__x'",
    ),
    (
        "      account_to_vendor:\n        source: " + "S" * 41 + "__c\n"
        "        map: {Name: {source: Name}}\n",
        5,
        "has 41 characters; a custom object's has at most 40",
    ),
    ("      account_to_vendor:\n        source: 12\n", 5, "must name a custom object"),
    # A flow that cannot read a custom object.
    (
        "      product_to_item:\n        source: Part__c\n        map: {Name: {source: Name}}\n",
        5,
        "only account_to_vendor, refund_to_credit_memo can read a custom object",
    ),
    # The map: missing, or not filling the record's name.
    ("      account_to_vendor:\n        source: Supplier__c\n", 5, "needs its own `map:`"),
    (
        "      account_to_vendor:\n        source: Supplier__c\n"
        "        map:\n          Phone: {source: Phone__c}\n",
        6,
        "must fill Name (the record's name in QuickBooks)",
    ),
    # A field a custom object never has (Account's), in the map or in the filter.
    (
        "      account_to_vendor:\n        source: Supplier__c\n"
        "        map:\n          Name: {source: Name}\n          Fax: {source: Fax}\n",
        8,
        "unknown source field 'Fax': Supplier__c has no field 'Fax'",
    ),
    (
        "      account_to_vendor:\n        source: Supplier__c\n"
        "        filter: \"Type = 'Vendor'\"\n        map: {Name: {source: Name}}\n",
        6,
        "Supplier__c has no field 'Type'",
    ),
]


@pytest.mark.parametrize(("body", "line", "words"), BAD)
def test_a_source_mistake_names_the_file_and_line(
    tmp_path: Path, body: str, line: int, words: str
) -> None:
    assert_refused(tmp_path, body, line, words)
