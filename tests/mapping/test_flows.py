"""Each bundled flow maps a realistic record; every change is reported."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from sfqb.mapping import Mapper, Owner, RecordNotEligible, Reference, load_flows


@pytest.fixture(scope="module")
def mapper() -> Mapper:
    return Mapper(load_flows())


def rules(mapped, field):  # type: ignore[no-untyped-def]
    return [c.rule for c in mapped.changes if c.field == field]


def test_account_to_customer(mapper: Mapper) -> None:
    name = "  Ben & Jerry's: Crème Brûlée Dessert Distribution Company Ltd "
    account = {
        "attributes": {"type": "Account"},
        "Id": "001000000000001AAA",
        "Name": name,
        "Phone": " +1 (802)  555-0100 ",
        "BillingStreet": "30 Community Dr\nSuite 5",
        "BillingCity": "South Burlington",
        "BillingState": "VT",
        "BillingPostalCode": "05403",
        "BillingCountry": "USA",
        "ShippingStreet": None,
    }
    mapped = mapper.map("account_to_customer", account, taken={"Other Customer"})
    assert mapped.kind == "Customer"
    sent = mapped.fields["Name"]
    assert isinstance(sent, str)
    assert sent == "Ben & Jerry's- Crème Brûlée Dessert Distr"
    assert len(sent) == 41
    assert rules(mapped, "Name") == ["name_trim", "name_no_colon", "name_max_length"]
    assert mapped.fields["CompanyName"] == name.strip()[:41].rstrip()
    assert rules(mapped, "CompanyName") == ["trim", "max_length"]
    assert mapped.fields["Phone"] == "+1 (802) 555-0100"
    assert dict(mapped.fields["BillAddress"]) == {  # type: ignore[call-overload]
        "Addr1": "30 Community Dr",
        "Addr2": "Suite 5",
        "City": "South Burlington",
        "State": "VT",
        "PostalCode": "05403",
        "Country": "USA",
    }
    assert "ShipAddress" not in mapped.fields
    assert mapped.refs == ()
    flow = load_flows()["account_to_customer"]
    assert flow.owner_of("Name") is Owner.NEWEST
    assert flow.owner_of("CompanyName") is Owner.SALESFORCE


def test_account_name_made_unique(mapper: Mapper) -> None:
    account = {"Id": "001A", "Name": "Acme: West"}
    mapped = mapper.map("account_to_customer", account, taken={"ACME- WEST", "acme- west (2)"})
    assert mapped.fields["Name"] == "Acme- West (3)"
    assert rules(mapped, "Name")[-1] == "name_unique"


@pytest.mark.parametrize("kind", ["ItemService", "ItemNonInventory"])
def test_product_to_item(mapper: Mapper, kind: str) -> None:
    product = {
        "Id": "01t000000000001AAA",
        "Name": "Consulting: Senior Architect (per hour, on-site)",
        "ProductCode": "CONS-SR-001",
        "Description": "Senior architecture & design",
        "IsActive": True,
        "PricebookEntry": {"UnitPrice": 187.1234567},
    }
    mapped = mapper.map("product_to_item", product, kind=kind)
    assert mapped.kind == kind
    name = mapped.fields["Name"]
    assert isinstance(name, str)
    assert len(name) <= 31
    assert ":" not in name
    sop = mapped.fields["SalesOrPurchase"]
    assert sop["Price"] == Decimal("187.12346")  # type: ignore[index]
    assert sop["AccountRef"] == {"FullName": "Sales"}  # type: ignore[index]
    assert "price_five_decimals" in rules(mapped, "SalesOrPurchase/Price")
    assert mapped.fields["IsActive"] is True
    assert ("ManufacturerPartNumber" in mapped.fields) == (kind == "ItemNonInventory")


def test_price_with_few_decimals_is_unchanged(mapper: Mapper) -> None:
    mapped = mapper.map(
        "product_to_item", {"Id": "01tB", "Name": "Widget", "PricebookEntry": {"UnitPrice": "12.5"}}
    )
    assert mapped.fields["SalesOrPurchase"]["Price"] == Decimal("12.5")  # type: ignore[index]
    assert not rules(mapped, "SalesOrPurchase/Price")


def opportunity(**extra: object) -> dict[str, object]:
    base: dict[str, object] = {
        "Id": "006000000000001AAA",
        "Name": "Renewal 2024 — Müller & Söhne",
        "AccountId": "001000000000001AAA",
        "StageName": "Closed Won",
        "IsWon": True,
        "CloseDate": "2024-03-15",
        "OpportunityLineItems": {
            "totalSize": 2,
            "done": True,
            "records": [
                {
                    "Id": "00k1",
                    "Product2Id": "01tA",
                    "Quantity": 3,
                    "UnitPrice": "99.999999",
                    "Description": " Licences ",
                },
                {"Id": "00k2", "Product2Id": "01tB", "Quantity": "1.5", "UnitPrice": 1200},
            ],
        },
    }
    base.update(extra)
    return base


@pytest.mark.parametrize("kind", ["Invoice", "SalesReceipt", "Estimate"])
def test_opportunity_to_transaction(mapper: Mapper, kind: str) -> None:
    mapped = mapper.map("opportunity_to_invoice", opportunity(), kind=kind)
    assert mapped.kind == kind
    assert mapped.fields["CustomerRef"] == {"ref": "Account", "sf_id": "001000000000001AAA"}
    assert mapped.fields["TxnDate"] == date(2024, 3, 15)
    lines = mapped.fields["Lines"]
    assert isinstance(lines, tuple)
    assert len(lines) == 2
    assert lines[0]["ItemRef"] == {"ref": "Product2", "sf_id": "01tA"}
    assert lines[0]["Rate"] == Decimal("100.00000")
    assert lines[0]["Desc"] == "Licences"
    assert lines[1]["Quantity"] == Decimal("1.5")
    assert mapped.refs == (
        Reference("Account", "001000000000001AAA", "CustomerRef"),
        Reference("Product2", "01tA", "Lines[0]/ItemRef"),
        Reference("Product2", "01tB", "Lines[1]/ItemRef"),
    )
    assert rules(mapped, "Lines[0]/Rate") == ["price_five_decimals"]


def test_open_opportunity_is_not_eligible(mapper: Mapper) -> None:
    with pytest.raises(RecordNotEligible, match="IsWon"):
        mapper.map("opportunity_to_invoice", opportunity(IsWon=False, StageName="Prospecting"))


def test_unknown_kind_refused(mapper: Mapper) -> None:
    from sfqb.mapping import MappingInputError

    with pytest.raises(MappingInputError, match="kind"):
        mapper.map("opportunity_to_invoice", opportunity(), kind="Bill")


@pytest.mark.parametrize(
    ("balance", "applied", "status"),
    [
        ("1000.00", "0.00", "Unpaid"),
        ("400.005", "-600.004", "Partially Paid"),
        ("0", "-1000", "Paid"),
    ],
)
def test_payment_to_opportunity(mapper: Mapper, balance: str, applied: str, status: str) -> None:
    invoice = {
        "TxnID": "1A2B-1700000000",
        "BalanceRemaining": balance,
        "AppliedAmount": applied,
        "ReceivePayments": [{"TxnDate": "2024-04-01"}, {"TxnDate": "2024-05-02"}],
    }
    mapped = mapper.map("payment_to_opportunity", invoice)
    assert mapped.kind == "Opportunity"
    assert mapped.fields["QuickBooks_Payment_Status__c"] == status
    assert mapped.fields["QuickBooks_Balance__c"] == Decimal(balance).quantize(
        Decimal("0.01"), "ROUND_HALF_UP"
    )
    assert mapped.fields["QuickBooks_Amount_Paid__c"] == abs(Decimal(applied)).quantize(
        Decimal("0.01"), "ROUND_HALF_UP"
    )
    assert mapped.fields["QuickBooks_Last_Payment_Date__c"] == date(2024, 5, 2)
    if status == "Partially Paid":
        assert mapped.fields["QuickBooks_Balance__c"] == Decimal("400.01")
        assert rules(mapped, "QuickBooks_Balance__c") == ["amount_two_decimals"]
        assert mapped.fields["QuickBooks_Amount_Paid__c"] == Decimal("600.00")


def test_customer_to_account(mapper: Mapper) -> None:
    customer = {
        "ListID": "80000001-1700000000",
        "Name": "Dupont-Aignan",
        "CompanyName": "Société Dupont & Fils",
        "Phone": "01 42 68 53 00",
        "BillAddress": {
            "Addr1": "12 rue de Rivoli",
            "Addr2": "Bâtiment B",
            "City": "Paris",
            "Country": "France",
        },
    }
    mapped = mapper.map("customer_to_account", customer)
    assert mapped.kind == "Account"
    assert mapped.fields["Name"] == "Société Dupont & Fils"
    assert mapped.fields["BillingStreet"] == "12 rue de Rivoli\nBâtiment B"
    assert mapped.fields["BillingCity"] == "Paris"
    assert mapped.fields["Phone"] == "01 42 68 53 00"
    no_company = mapper.map("customer_to_account", {"ListID": "1", "Name": "Solo"})
    assert no_company.fields["Name"] == "Solo"


def test_bad_value_is_a_typed_error(mapper: Mapper) -> None:
    from sfqb.mapping import MappingInputError

    with pytest.raises(MappingInputError, match=r"Lines\[0\]/Quantity: not a number"):
        bad = opportunity()
        bad["OpportunityLineItems"] = [{"Product2Id": "01tA", "Quantity": "three"}]
        mapper.map("opportunity_to_invoice", bad)


def test_mapped_is_read_only(mapper: Mapper) -> None:
    mapped = mapper.map("account_to_customer", {"Id": "1", "Name": "X", "BillingCity": "Y"})
    with pytest.raises(TypeError):
        mapped.fields["Name"] = "Z"  # type: ignore[index]
