"""QuickBooks Desktop's 3250 on QuickBooks Online: an inventory item in a company that does not
track inventory quantity on hand.

Intuit, "Create products, services, and inventory items"
(developer.intuit.com/app/developer/qbo/docs/workflows/manage-inventory): check
Preferences.ProductAndServicesPrefs before adding inventory items; inventory is not on by
default. The refusal QuickBooks Online answers otherwise (6000, "Business Validation Error:
When you create an item, if Track quantity on hand is turned off, the item cannot be of type
Inventory") is quoted in intuit/QuickBooks-V3-DotNET-SDK issue #10.
"""

from __future__ import annotations

from typing import Any

from sfqb.domain.entities import SfObject
from sfqb.store import ReviewStatus

from .conftest import Qbo


def _product(qbo: Qbo, name: str, family: str) -> str:
    product = qbo.org.create(
        "Product2", {"Name": name, "ProductCode": name[:3], "Family": family, "IsActive": True}
    )
    qbo.org.create(
        "PricebookEntry",
        {"Pricebook2Id": qbo.org.standard_pricebook_id, "Product2Id": product,
         "UnitPrice": 9.5, "IsActive": True},
    )  # fmt: skip
    return str(product)


def _company_holds(qbo: Qbo, status: ReviewStatus | None = ReviewStatus.OPEN) -> list[Any]:
    items = qbo.world.store.review.items("demo", status=status)
    return [i for i in items if i.source_type == "company"]


def test_the_preflight_holds_inventory_items_names_the_setting_and_sends_them_once_it_is_on(
    qbo: Qbo,
) -> None:
    stocked = _product(qbo, "Bolt Kit", "Inventory")
    service = _product(qbo, "Installation", "Hardware")
    books = qbo.sandbox.api.books
    create, sent = books.create, []

    def recorded(entity: str, body: dict[str, Any]) -> Any:
        sent.append((entity, body.get("Type")))
        return create(entity, body)

    books.create = recorded  # type: ignore[method-assign]
    qbo.cycle()
    # The service item went; the inventory item was not sent at all.
    items = qbo.sandbox.records("Item")
    assert [(i["Name"], i["Type"]) for i in items] == [("Installation", "Service")]
    assert qbo.qb_id(SfObject.PRODUCT2, service) is not None
    assert qbo.qb_id(SfObject.PRODUCT2, stocked) is None
    assert ("Item", "Inventory") not in sent
    (hold,) = _company_holds(qbo)
    assert (str(hold.system), hold.code) == ("transport", "FEATURE_OFF")
    assert hold.source_id == "Item[Type=Inventory]:add"
    assert '"Track inventory quantity on hand"' in hold.reason
    (line,) = [e for e in qbo.log() if e.code == "FEATURE_OFF"]
    assert line.action_taken.startswith("reported once for the company; held: Inventory")

    qbo.cycle()  # still off: held again, reported no second time
    assert qbo.qb_id(SfObject.PRODUCT2, stocked) is None
    assert len([e for e in qbo.log() if e.code == "FEATURE_OFF"]) == 1

    assert ("Item", "Inventory") not in sent
    qbo.sandbox.track_inventory(True)  # the admin turns it on in QuickBooks Online
    qbo.cycle()
    ident = qbo.qb_id(SfObject.PRODUCT2, stocked)
    assert ident is not None
    item = qbo.sandbox.company.get("Item", ident)
    assert item["Type"] == "Inventory" and item["TrackQtyOnHand"] is True
    assert item["QtyOnHand"] == 0 and item["InvStartDate"]
    accounts = {a["Id"]: a["Name"] for a in qbo.sandbox.records("Account")}
    assert accounts[item["AssetAccountRef"]["value"]] == "Inventory Asset"
    assert accounts[item["ExpenseAccountRef"]["value"]] == "Cost of Goods Sold"
    assert not _company_holds(qbo)
    (done,) = _company_holds(qbo, status=None)
    assert done.status is ReviewStatus.RESOLVED


def test_quickbooks_onlines_own_refusal_is_read_as_a_feature_off_and_held_for_the_company(
    qbo: Qbo,
) -> None:
    # A company whose Preferences do not say (the preflight cannot know): QuickBooks Online
    # itself refuses the item, and its 6000 takes the path of QuickBooks Desktop's 3250.
    del qbo.sandbox.company.preferences["ProductAndServicesPrefs"]["QuantityOnHand"]
    first = _product(qbo, "Bolt Kit", "Inventory")
    second = _product(qbo, "Nut Kit", "Inventory")
    qbo.cycle()
    refused = [e for e in qbo.log() if e.code == "6000"]
    assert refused and all(str(e.system) == "qbo" for e in refused)
    assert "Track quantity on hand is turned off" in refused[0].message
    assert refused[0].title == "Inventory tracking turned off"
    (hold,) = _company_holds(qbo)
    assert hold.code == "6000" and hold.source_id == "Item[Type=Inventory]:add"
    assert not [r for r in qbo.reviews() if r.source_type != "company"]  # no per-record review
    assert qbo.sandbox.records("Item") == []
    qbo.cycle()  # still off: the probe is refused again, nothing else sent, nothing reviewed
    assert qbo.sandbox.records("Item") == []
    assert len(_company_holds(qbo)) == 1
    assert not [r for r in qbo.reviews() if r.source_type != "company"]

    qbo.sandbox.track_inventory(True)
    qbo.cycle()
    qbo.cycle()
    assert qbo.qb_id(SfObject.PRODUCT2, first) is not None
    assert qbo.qb_id(SfObject.PRODUCT2, second) is not None
    assert not _company_holds(qbo)
