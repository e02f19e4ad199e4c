"""Salesforce records through the QuickBooks Online map set (mapping/data/qbo/)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from sfqb.domain.policy import AccountSettings, CompanyPolicy, SalesTaxSettings
from sfqb.mapping import ONLINE_MAPS, Mapper, MappingConfigError, load_flows


@pytest.fixture(scope="module")
def mapper() -> Mapper:
    policy = CompanyPolicy(
        accounts=AccountSettings(income_account="Services"),
        sales_tax=SalesTaxSettings(taxable_by_default=True),
    )
    return Mapper(load_flows(maps=ONLINE_MAPS), policy)


def test_the_default_map_set_is_still_quickbooks_desktops() -> None:
    flows = load_flows()
    assert flows["account_to_customer"].kind == "Customer"
    assert flows["product_to_item"].kinds == ("ItemService", "ItemNonInventory")
    assert flows["account_to_customer"].name_rule.limit == 41  # type: ignore[union-attr]


def test_an_account_becomes_a_customer_with_qbo_names(mapper: Mapper) -> None:
    mapped = mapper.map("account_to_customer", {
        "Id": "001", "Name": "Acme: North\tWest", "Phone": " 555  1212 ",
        "BillingStreet": "1 Main St\nSuite 4", "BillingCity": "Reno", "BillingState": "NV",
        "BillingPostalCode": "89501", "BillingCountry": "US",
    })  # fmt: skip
    fields = mapped.fields
    assert fields["DisplayName"] == "Acme- North West"  # colon and tab refused (Intuit)
    assert fields["PrimaryPhone"] == {"FreeFormNumber": "555 1212"}
    assert dict(fields["BillAddr"]) == {
        "Line1": "1 Main St", "Line2": "Suite 4", "City": "Reno",
        "CountrySubDivisionCode": "NV", "PostalCode": "89501", "Country": "US",
    }  # fmt: skip
    rules = [c.rule for c in mapped.changes if c.field == "DisplayName"]
    assert rules == ["name_no_colon", "name_refused_characters"]


def test_display_names_are_unique_and_at_most_100_characters(mapper: Mapper) -> None:
    long = "A" * 120
    first = mapper.map("account_to_customer", {"Id": "1", "Name": long})
    assert len(first.fields["DisplayName"]) == 100  # type: ignore[arg-type]
    again = mapper.map("account_to_customer", {"Id": "2", "Name": "Acme"}, taken={"ACME"})
    assert again.fields["DisplayName"] == "Acme (2)"


def test_a_product_becomes_a_service_item_with_the_policys_income_account(
    mapper: Mapper,
) -> None:
    mapped = mapper.map("product_to_item", {
        "Id": "01t", "Name": "Widget", "IsActive": True, "ProductCode": "W-1",
        "Description": "A widget", "PricebookEntry": {"UnitPrice": 12.5},
    })  # fmt: skip
    assert mapped.kind == "Item"
    assert mapped.fields["Type"] == "Service"
    assert mapped.fields["IncomeAccountRef"] == {"FullName": "Services"}
    assert mapped.fields["UnitPrice"] == Decimal("12.5")
    assert (mapped.fields["Sku"], mapped.fields["Active"]) == ("W-1", True)


def test_an_opportunity_becomes_an_invoice_with_sales_item_lines(mapper: Mapper) -> None:
    mapped = mapper.map("opportunity_to_invoice", {
        "Id": "006", "Name": "Big deal", "IsWon": True, "AccountId": "001", "CloseDate":
        "2025-05-01", "OpportunityLineItems": {"records": [
            {"Product2Id": "01t", "Quantity": 3, "UnitPrice": 12.345, "Description": "x"}]},
    }, kind="SalesReceipt")  # fmt: skip
    assert mapped.kind == "SalesReceipt"
    assert mapped.fields["CustomerRef"] == {"ref": "Account", "sf_id": "001"}
    [line] = mapped.fields["Line"]  # type: ignore[misc]
    assert line["DetailType"] == "SalesItemLineDetail"
    assert line["Amount"] == Decimal("37.04")  # Qty x UnitPrice, to the cent
    detail = line["SalesItemLineDetail"]
    assert detail["ItemRef"] == {"ref": "Product2", "sf_id": "01t"}
    assert (detail["Qty"], detail["UnitPrice"]) == (Decimal(3), Decimal("12.345"))
    assert detail["TaxCodeRef"] == {"FullName": "Tax"}


def test_a_qbo_customer_and_invoice_map_back_to_salesforce(mapper: Mapper) -> None:
    account = mapper.map("customer_to_account", {
        "Id": "58", "DisplayName": "Acme", "PrimaryPhone": {"FreeFormNumber": "555"},
        "BillAddr": {"Line1": "1 Main", "City": "Reno", "CountrySubDivisionCode": "NV"},
    })  # fmt: skip
    assert dict(account.fields) == {
        "Name": "Acme", "Phone": "555", "BillingStreet": "1 Main", "BillingCity": "Reno",
        "BillingState": "NV",
    }  # fmt: skip
    paid = mapper.map("payment_to_opportunity", {
        "Id": "130", "TotalAmt": 100.0, "Balance": 40.0,
        "ReceivePayments": [{"TxnDate": "2025-05-02"}, {"TxnDate": "2025-05-09"}],
    })  # fmt: skip
    assert paid.fields["QuickBooks_Amount_Paid__c"] == Decimal("60.00")
    assert paid.fields["QuickBooks_Balance__c"] == Decimal("40.00")
    assert paid.fields["QuickBooks_Payment_Status__c"] == "Partially Paid"
    assert str(paid.fields["QuickBooks_Last_Payment_Date__c"]) == "2025-05-09"
    unpaid = mapper.map("payment_to_opportunity", {"Id": "1", "TotalAmt": 5, "Balance": 5})
    assert unpaid.fields["QuickBooks_Payment_Status__c"] == "Unpaid"


def _product(family: str | None) -> dict[str, object]:
    from datetime import UTC, datetime

    return {
        "Id": "01t", "Name": "Bolt Kit", "IsActive": True, "ProductCode": "BK", "Family": family,
        "SystemModstamp": datetime(2026, 3, 2, 9, tzinfo=UTC),
        "PricebookEntry": {"UnitPrice": 9.5},
    }  # fmt: skip


def test_an_inventory_product_becomes_an_inventory_item_with_what_intuit_requires(
    mapper: Mapper,
) -> None:
    """Intuit's Item reference: an Inventory item needs TrackQtyOnHand, QtyOnHand,
    InvStartDate and the income, asset and expense (cost of goods sold) accounts."""
    from datetime import date

    fields = mapper.map("product_to_item", _product("Inventory")).fields
    assert fields["Type"] == "Inventory"
    assert (fields["TrackQtyOnHand"], fields["QtyOnHand"]) == (True, 0)
    assert fields["InvStartDate"] == date(2026, 3, 2)
    assert fields["IncomeAccountRef"] == {"FullName": "Services"}
    assert fields["AssetAccountRef"] == {"FullName": "Inventory Asset"}
    assert fields["ExpenseAccountRef"] == {"FullName": "Cost of Goods Sold"}


@pytest.mark.parametrize("family", ["Hardware", None, ""])
def test_other_products_stay_service_items_without_inventory_fields(
    mapper: Mapper, family: str | None
) -> None:
    fields = mapper.map("product_to_item", _product(family)).fields
    assert fields["Type"] == "Service"
    for name in ("TrackQtyOnHand", "QtyOnHand", "InvStartDate", "AssetAccountRef"):
        assert name not in fields


def test_the_inventory_accounts_are_company_settings() -> None:
    from sfqb.domain.policy import AccountSettings

    accounts = AccountSettings(inventory_asset_account="Stock", cogs_account="COGS")
    mapper = Mapper(load_flows(maps=ONLINE_MAPS), CompanyPolicy(accounts=accounts))
    fields = mapper.map("product_to_item", _product("Inventory")).fields
    assert fields["AssetAccountRef"] == {"FullName": "Stock"}
    assert fields["ExpenseAccountRef"] == {"FullName": "COGS"}


def test_a_field_sent_only_when_an_earlier_field_has_a_value(tmp_path: Path) -> None:
    override = tmp_path / "company.yaml"
    override.write_text(
        "flows: {product_to_item: {fields: {Sku: {source: ProductCode, when: {Type: Service}}}}}",
        encoding="utf-8",
    )
    mapper = Mapper(load_flows(override, maps=ONLINE_MAPS))
    assert mapper.map("product_to_item", _product(None)).fields["Sku"] == "BK"
    assert "Sku" not in mapper.map("product_to_item", _product("Inventory")).fields


@pytest.mark.parametrize(
    ("spec", "key", "problem"),
    [
        ("{source: ProductCode, when: {Nope: X}}", "fields.Sku.when.Nope", "mapped before it"),
        ("{source: ProductCode, when: {Description: X}}", "when.Description", "mapped before"),
        ("{source: ProductCode, when: []}", "fields.Sku.when", "must map target fields"),
        ("{source: ProductCode, when: {Type: [a]}}", "when.Type", "a text or a number"),
        ("{source: ProductCode, transforms: [{choose: []}]}", "transforms[0]", "choose needs"),
    ],
)
def test_a_bad_when_or_choose_names_its_key(
    tmp_path: Path, spec: str, key: str, problem: str
) -> None:
    override = tmp_path / "company.yaml"
    override.write_text(f"flows: {{product_to_item: {{fields: {{Sku: {spec}}}}}}}", "utf-8")
    with pytest.raises(MappingConfigError) as raised:
        load_flows(override, maps=ONLINE_MAPS)
    assert raised.value.key.endswith(key) and problem in raised.value.problem
