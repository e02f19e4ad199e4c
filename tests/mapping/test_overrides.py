"""Values a person set for one record (the review list's corrections): sent in place of the
mapped ones, even where the Salesforce value cannot be converted, and reported as changes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sfqb.mapping import Mapper, MappingInputError, load_flows

ACCOUNT = {"Id": "001000000000001AAA", "Name": "Acme", "Phone": "555 0101 #44"}
PRODUCT = {"Id": "01t000000000001AAA", "Name": "Bolt", "PricebookEntry": {"UnitPrice": "lots"}}


@pytest.fixture
def mapper() -> Mapper:
    return Mapper(load_flows())


def test_an_override_replaces_the_mapped_value_and_changes_the_fingerprint(mapper: Mapper) -> None:
    plain = mapper.map("account_to_customer", ACCOUNT)
    fixed = mapper.map("account_to_customer", ACCOUNT, overrides={"Phone": "(512) 555-0101"})
    assert plain.fields["Phone"] == "555 0101 #44"
    assert fixed.fields["Phone"] == "(512) 555-0101"
    assert fixed.fields["Name"] == plain.fields["Name"]
    assert fixed.fingerprint != plain.fingerprint
    (change,) = [c for c in fixed.changes if c.field == "Phone"]
    assert (change.original, change.sent, change.rule) == (
        "555 0101 #44", "(512) 555-0101", "set by a person",
    )  # fmt: skip


def test_an_override_stands_in_for_a_value_that_cannot_be_converted(mapper: Mapper) -> None:
    with pytest.raises(MappingInputError):
        mapper.map("product_to_item", PRODUCT, kind="ItemService")
    fixed = mapper.map(
        "product_to_item", PRODUCT, kind="ItemService",
        overrides={"SalesOrPurchase/Price": Decimal("12.5")},
    )  # fmt: skip
    assert fixed.fields["SalesOrPurchase"]["Price"] == Decimal("12.5")  # type: ignore[index]


def test_the_flow_s_writable_fields_are_listed(mapper: Mapper) -> None:
    targets = mapper.targets("account_to_customer")
    assert "Phone" in targets and "Name" in targets
    assert len(targets) == len(set(targets))
