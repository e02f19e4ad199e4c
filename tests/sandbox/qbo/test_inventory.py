"""Inventory items and the company preference "Track inventory quantity on hand".

Intuit, "Create products, services, and inventory items"
(developer.intuit.com/app/developer/qbo/docs/workflows/manage-inventory): inventory features
are not enabled by default; Preferences.ProductAndServicesPrefs says whether they are. Intuit's
Item reference: an Inventory item needs QtyOnHand, InvStartDate, and the income, asset and
expense accounts. The refusal without the preference is the one quoted in
intuit/QuickBooks-V3-DotNET-SDK issue #10 (a business validation error, code 6000).
"""

from __future__ import annotations

from typing import Any

from tests.sandbox.qbo.conftest import Qbo, service_item

from sfqb.sandbox.qbo import QboSandbox


def _accounts(qbo: Qbo) -> dict[str, str]:
    found = qbo.query("select * from Account").json()["QueryResponse"]["Account"]
    return {a["Name"]: a["Id"] for a in found}


def _inventory(qbo: Qbo, name: str = "Bolt Kit") -> dict[str, Any]:
    ids = _accounts(qbo)
    return {
        "Name": name,
        "Type": "Inventory",
        "TrackQtyOnHand": True,
        "QtyOnHand": 0,
        "InvStartDate": "2026-01-15",
        "IncomeAccountRef": {"value": ids["Sales of Product Income"]},
        "AssetAccountRef": {"value": ids["Inventory Asset"]},
        "ExpenseAccountRef": {"value": ids["Cost of Goods Sold"]},
    }


def _track_quantity_on_hand(qbo: Qbo) -> Any:
    return qbo.get("preferences").json()["Preferences"]["ProductAndServicesPrefs"]["QuantityOnHand"]


def test_a_new_company_does_not_track_quantity_on_hand_intuit_manage_inventory(qbo: Qbo) -> None:
    assert _track_quantity_on_hand(qbo) is False


def test_6000_for_an_inventory_item_while_track_quantity_on_hand_is_off_dotnet_sdk_issue_10(
    qbo: Qbo, sandbox: QboSandbox
) -> None:
    response = qbo.post("item", _inventory(qbo))
    assert response.status_code == 400
    body = response.json()["Fault"]
    assert body["type"] == "ValidationFault"
    error = body["Error"][0]
    assert error["code"] == "6000" and error["element"] == "Type"
    assert error["Message"] == (
        "A business validation error has occurred while processing your request"
    )
    assert error["Detail"] == (
        "Business Validation Error: When you create an item, if Track quantity on hand is "
        "turned off, the item cannot be of type Inventory."
    )
    assert sandbox.records("Item") == []


def test_an_update_to_type_inventory_is_refused_too_the_stricter_reading(qbo: Qbo) -> None:
    item = service_item(qbo)
    body = {**_inventory(qbo, item["Name"]), "Id": item["Id"], "SyncToken": item["SyncToken"]}
    response = qbo.post("item", body)
    assert qbo.fault(response)["code"] == "6000"


def test_turned_on_the_preference_reads_true_and_the_inventory_item_is_taken(
    qbo: Qbo, sandbox: QboSandbox
) -> None:
    before = qbo.get("preferences").json()["Preferences"]["SyncToken"]
    sandbox.track_inventory(True)
    after = qbo.get("preferences").json()["Preferences"]
    assert after["ProductAndServicesPrefs"]["QuantityOnHand"] is True
    assert int(after["SyncToken"]) == int(before) + 1
    assert after["ProductAndServicesPrefs"]["ForSales"] is True  # the other flags kept
    created = qbo.create("Item", _inventory(qbo))
    assert created["Type"] == "Inventory" and created["TrackQtyOnHand"] is True


def test_the_preference_set_through_the_api_is_what_the_item_rule_reads(qbo: Qbo) -> None:
    token = qbo.get("preferences").json()["Preferences"]["SyncToken"]
    change = {"SyncToken": token, "sparse": True,
              "ProductAndServicesPrefs": {"QuantityOnHand": True}}  # fmt: skip
    assert qbo.post("preferences", change).status_code == 200
    assert _track_quantity_on_hand(qbo) is True
    qbo.create("Item", _inventory(qbo))


def test_an_inventory_item_still_needs_its_own_fields_once_tracked(
    qbo: Qbo, sandbox: QboSandbox
) -> None:
    sandbox.track_inventory(True)
    body = _inventory(qbo)
    del body["AssetAccountRef"]
    assert qbo.fault(qbo.post("item", body))["element"] == "Item.AssetAccountRef"
