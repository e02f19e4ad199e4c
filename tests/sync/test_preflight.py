"""The preflight's data files: `when` conditions (a type, a field carried, field values), the
loader's line-numbered refusals, and what the preflight holds on each target."""

from __future__ import annotations

from typing import Any

import pytest

from sfqb.codes import load_catalog
from sfqb.domain.status import Category, System
from sfqb.mapping import Mapped
from sfqb.sync.ops import QbAction, QbOp
from sfqb.sync.preflight import (
    PreflightDataError,
    When,
    features_off,
    hold_key,
    known_problem,
    load_preflight,
    preflight,
)

CATALOG = load_catalog()
QBO = preflight("preflight_qbo.yaml")
QBD = preflight("preflight.yaml")
OFF = {"IsUsingInventory": False}


def _text(when: str) -> str:
    return f"""features:
  - preference: IsUsingInventory
    name: inventory
    when: {when}
    setting: Turn inventory on.
permissions: {{}}
"""


def _mapped(kind: str, **fields: Any) -> Mapped:
    return Mapped(kind, fields, (), (), "fingerprint")


# -- the loader -----------------------------------------------------------------------------


def test_an_unknown_key_in_when_is_refused_with_its_file_and_line() -> None:
    with pytest.raises(PreflightDataError) as raised:
        load_preflight(_text("{type: ItemInventory}"), "mine.yaml")
    message = str(raised.value)
    assert message.startswith("mine.yaml line 4: unknown key 'type' in when")
    assert "known: kind, field, fields" in message


def test_an_unknown_key_on_a_later_line_names_that_line() -> None:
    text = _text("\n      kind: Item\n      fielsd: {Type: Inventory}")
    with pytest.raises(PreflightDataError, match=r"^mine\.yaml line 6: unknown key 'fielsd'"):
        load_preflight(text, "mine.yaml")


@pytest.mark.parametrize(
    ("when", "problem"),
    [
        ("{}", "line 4: a feature needs `when:`"),
        ("Item", "line 4: a feature needs `when:`"),
        ("{kind: Item, fields: [Type]}", "line 4: when.fields must map field names to values"),
        ("{kind: Item, fields: {Type: {a: b}}}", "line 4: a field value must be a non-empty"),
        ("{kind: ''}", "line 4: when.kind must be a non-empty text"),
    ],
)
def test_a_malformed_when_is_refused_with_its_line(when: str, problem: str) -> None:
    with pytest.raises(PreflightDataError, match=problem):
        load_preflight(_text(when), "mine.yaml")


def test_a_feature_without_when_names_the_features_line() -> None:
    text = "features:\n  - preference: P\n    name: p\n    setting: s\n"
    with pytest.raises(PreflightDataError, match=r"^mine\.yaml line 2: a feature needs"):
        load_preflight(text, "mine.yaml")


def test_a_well_formed_when_loads_as_its_conditions() -> None:
    facts = load_preflight(_text("{kind: Item, fields: {Type: Inventory}}"), "mine.yaml")
    assert facts["features"][0]["when"] == When(kind="Item", fields={"Type": "Inventory"})
    assert facts["features"][0]["setting"] == "Turn inventory on."
    assert facts["permissions"] == {}


def test_both_bundled_files_load() -> None:
    assert QBD["features"][0]["when"] == When(kind="ItemInventory")
    assert QBD["features"][1]["when"] == When(field="CurrencyRef")
    assert QBO["features"][0]["when"] == When(kind="Item", fields={"Type": "Inventory"})


# -- the conditions -------------------------------------------------------------------------


def test_field_values_match_only_a_record_with_them() -> None:
    when = When(kind="Item", fields={"Type": "Inventory"})
    assert when.matches("Item", {"Type": "Inventory", "Name": "Bolts"})
    assert not when.matches("Item", {"Type": "Service"})
    assert not when.matches("Item", {"Name": "Bolts"})
    assert not when.matches("Customer", {"Type": "Inventory"})


def test_nested_field_values_and_non_text_values() -> None:
    when = When(fields={"SalesOrPurchase/Price": "5", "IsActive": "true"})
    assert when.matches("ItemService", {"SalesOrPurchase": {"Price": 5}, "IsActive": True})
    assert not when.matches("ItemService", {"SalesOrPurchase": {"Price": 6}, "IsActive": True})


def test_an_empty_condition_matches_nothing() -> None:
    assert not When().matches("Item", {"Type": "Inventory"})


def test_a_hold_on_inventory_items_is_keyed_apart_from_other_items() -> None:
    assert hold_key("Item", "add", {"Type": "Inventory"}, QBO) == "Item[Type=Inventory]:add"
    assert hold_key("Item", "add", {"Type": "Service"}, QBO) == "Item:add"
    # QuickBooks Desktop's keys stay what they were: its conditions name no field values.
    assert hold_key("ItemInventory", "add", {}, QBD) == "ItemInventory:add"


# -- what the preflight holds ---------------------------------------------------------------


def test_qbo_inventory_item_is_held_when_track_quantity_on_hand_is_off() -> None:
    found = known_problem(CATALOG, _mapped("Item", Type="Inventory"), True, OFF, None, facts=QBO)
    assert found is not None
    status, message = found
    assert (status.system, status.code) == (System.TRANSPORT, "FEATURE_OFF")
    assert status.category is Category.FEATURE_OFF
    assert message.startswith("Inventory tracking is off in this QuickBooks Online company.")
    assert '"Track inventory quantity on hand"' in message


def test_qbo_service_item_and_inventory_with_the_preference_on_are_not_held() -> None:
    service = _mapped("Item", Type="Service")
    assert known_problem(CATALOG, service, True, OFF, None, facts=QBO) is None
    stocked = _mapped("Item", Type="Inventory")
    on = {"IsUsingInventory": True}
    assert known_problem(CATALOG, stocked, True, on, None, facts=QBO) is None
    assert known_problem(CATALOG, stocked, True, {}, None, facts=QBO) is None  # not read


def test_desktop_inventory_items_are_still_held_by_their_type() -> None:
    found = known_problem(CATALOG, _mapped("ItemInventory"), True, OFF, None, facts=QBD)
    assert found is not None and found[1].startswith("Inventory is off in this QuickBooks")
    assert known_problem(CATALOG, _mapped("ItemService"), True, OFF, None, facts=QBD) is None


def test_a_refused_qbo_inventory_item_names_the_inventory_setting_among_two_off() -> None:
    op = QbOp("1", QbAction.ADD, "Item", fields={"Type": "Inventory"})
    both_off = {"IsUsingInventory": False, "IsMultiCurrencyOn": False}
    (feature,) = features_off(op, both_off, QBO)
    assert feature["preference"] == "IsUsingInventory"
