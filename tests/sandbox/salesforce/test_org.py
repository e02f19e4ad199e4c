"""The in-memory org: validation, timestamps, uniqueness, cascades and line-item roll-ups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sfqb.sandbox.salesforce import ManualClock, Org, OrgError
from sfqb.sandbox.salesforce.org import MultipleMatches


@pytest.fixture
def org(clock: ManualClock) -> Org:
    return Org(clock=clock)


def error(call: object) -> OrgError:
    assert callable(call)
    with pytest.raises(OrgError) as caught:
        call()
    return caught.value


def test_ids_and_timestamps(org: Org, clock: ManualClock) -> None:
    clock.set(datetime(2026, 1, 15, 9, 0, 0, 123456, tzinfo=UTC))
    account = org.create("Account", {"Name": "Acme"})
    assert account.startswith("001") and len(account) == 18
    record = org.get("Account", account)
    assert record["SystemModstamp"] == datetime(2026, 1, 15, 9, 0, 0, 123000, tzinfo=UTC)
    assert record["CreatedDate"] == record["LastModifiedDate"] == record["SystemModstamp"]
    clock.advance(timedelta(seconds=5))
    org.update("Account", account[:15], {"Phone": "555"})
    updated = org.get("Account", account.lower())
    assert updated["SystemModstamp"] - record["SystemModstamp"] == timedelta(seconds=5)
    assert updated["CreatedDate"] == record["CreatedDate"]


@pytest.mark.parametrize(
    ("sobject", "values", "missing"),
    [
        ("Account", {"Phone": "1"}, ["Name"]),
        ("Opportunity", {"Name": "x"}, ["StageName", "CloseDate"]),
        ("Product2", {"Name": ""}, ["Name"]),
        ("Contact", {"FirstName": "Ada"}, ["LastName"]),
    ],
)
def test_required_fields(
    org: Org, sobject: str, values: dict[str, str], missing: list[str]
) -> None:
    exc = error(lambda: org.create(sobject, values))
    assert exc.error_code == "REQUIRED_FIELD_MISSING"
    assert exc.fields == missing
    assert exc.message == f"Required fields are missing: [{', '.join(missing)}]"


def test_field_errors(org: Org) -> None:
    assert error(lambda: org.create("Account", {"Name": "a", "Nope__c": 1})).error_code == (
        "INVALID_FIELD"
    )
    assert error(lambda: org.create("Account", {"Name": "x" * 256})).error_code == (
        "STRING_TOO_LONG"
    )
    exc = error(
        lambda: org.create(
            "Opportunity", {"Name": "o", "StageName": "Closed Won", "CloseDate": "soon"}
        )
    )
    assert exc.error_code == "JSON_PARSER_ERROR" and exc.fields == ["CloseDate"]
    exc = error(lambda: org.create("Account", {"Name": "a", "SystemModstamp": "2026-01-01"}))
    assert exc.error_code == "INVALID_FIELD_FOR_INSERT_UPDATE"
    exc = error(lambda: org.create("Contact", {"LastName": "x", "AccountId": "001000000000000"}))
    assert exc.error_code == "INVALID_CROSS_REFERENCE_KEY"
    exc = error(lambda: org.create("Contact", {"LastName": "x", "AccountId": "bad"}))
    assert exc.error_code == "MALFORMED_ID"
    exc = error(
        lambda: org.create(
            "Opportunity", {"Name": "o", "StageName": "Won-ish", "CloseDate": "2026-01-01"}
        )
    )
    assert exc.error_code == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"


def test_unique_external_ids(org: Org) -> None:
    first = org.create("Account", {"Name": "A", "QuickBooks_ID__c": "80000001-1"})
    exc = error(lambda: org.create("Account", {"Name": "B", "QuickBooks_ID__c": "80000001-1"}))
    assert exc.error_code == "DUPLICATE_VALUE"
    assert exc.message == (
        f"duplicate value found: QuickBooks_ID__c duplicates value on record with id: {first}"
    )
    # Different objects have separate indexes; updating a record to its own value is fine.
    org.create("Product2", {"Name": "P", "QuickBooks_ID__c": "80000001-1"})
    org.update("Account", first, {"QuickBooks_ID__c": "80000001-1"})


def test_a_unique_value_is_free_again_once_its_record_lets_go_of_it(org: Org) -> None:
    # The check reads an index of the values each record ever held; what a record no longer
    # holds (changed, deleted, or written in a transaction rolled back) is free again.
    first = org.create("Account", {"Name": "A", "QuickBooks_ID__c": "Q1"})
    second = org.create("Account", {"Name": "B", "QuickBooks_ID__c": "Q2"})
    assert error(lambda: org.update("Account", second, {"QuickBooks_ID__c": "q1"})).error_code == (
        "DUPLICATE_VALUE"
    )
    org.update("Account", first, {"QuickBooks_ID__c": "Q3"})
    org.update("Account", second, {"QuickBooks_ID__c": "Q1"})  # free once A let go of it
    with pytest.raises(RuntimeError), org.transaction():
        org.create("Account", {"Name": "C", "QuickBooks_ID__c": "Q4"})
        raise RuntimeError("rolled back")
    fourth = org.create("Account", {"Name": "D", "QuickBooks_ID__c": "Q4"})
    org.delete("Account", fourth)
    org.create("Account", {"Name": "E", "QuickBooks_ID__c": "Q4"})
    exc = error(lambda: org.create("Account", {"Name": "F", "QuickBooks_ID__c": "Q3"}))
    assert exc.message.endswith(f"id: {first}")


def test_upsert_and_several_matches(org: Org) -> None:
    record_id, created = org.upsert("Account", "QuickBooks_ID__c", "Q1", {"Name": "A"})
    assert created
    again, created = org.upsert("Account", "QuickBooks_ID__c", "q1", {"Phone": "1"})
    assert (again, created) == (record_id, False)
    org.schema.set_unique("Account", "QuickBooks_ID__c", False)
    org.create("Account", {"Name": "B", "QuickBooks_ID__c": "Q1"})
    with pytest.raises(MultipleMatches) as caught:
        org.upsert("Account", "QuickBooks_ID__c", "Q1", {"Phone": "2"})
    assert caught.value.status == 300 and len(caught.value.ids) == 2


def test_delete_cascades_and_logs(org: Org, clock: ManualClock) -> None:
    account = org.create("Account", {"Name": "A"})
    contact = org.create("Contact", {"LastName": "C", "AccountId": account})
    clock.advance(10)
    org.delete("Account", account)
    assert error(lambda: org.get("Contact", contact)).error_code == "ENTITY_IS_DELETED"
    assert error(lambda: org.update("Account", account, {"Phone": "1"})).status == 404
    log = org.deletions("Account", clock() - timedelta(minutes=1), clock() + timedelta(minutes=1))
    assert [d.id for d in log] == [account]
    assert len(org.records("Contact", include_deleted=True)) == 1
    assert org.records("Contact") == []


def test_line_items_roll_up_to_the_opportunity(org: Org, clock: ManualClock) -> None:
    product = org.create("Product2", {"Name": "Widget", "ProductCode": "W"})
    entry = org.create(
        "PricebookEntry",
        {"Pricebook2Id": org.standard_pricebook_id, "Product2Id": product, "UnitPrice": 10},
    )
    opp = org.create(
        "Opportunity", {"Name": "Deal", "StageName": "Closed Won", "CloseDate": "2026-01-10"}
    )
    before = org.get("Opportunity", opp)
    assert before["IsWon"] and before["IsClosed"] and before["Probability"] == 100.0
    clock.advance(30)
    line = org.create(
        "OpportunityLineItem",
        {"OpportunityId": opp, "PricebookEntryId": entry, "Quantity": 3, "Discount": 10},
    )
    item = org.get("OpportunityLineItem", line)
    assert (item["UnitPrice"], item["ListPrice"], item["TotalPrice"]) == (10.0, 10.0, 27.0)
    assert item["Product2Id"] == product and item["Name"] == "Deal Widget"
    after = org.get("Opportunity", opp)
    assert after["Amount"] == 27.0
    assert after["Pricebook2Id"] == org.standard_pricebook_id
    assert after["SystemModstamp"] > before["SystemModstamp"]


def test_price_book_rules(org: Org) -> None:
    product = org.create("Product2", {"Name": "Widget"})
    custom = org.create("Pricebook2", {"Name": "Wholesale", "IsActive": True})
    exc = error(
        lambda: org.create(
            "PricebookEntry", {"Pricebook2Id": custom, "Product2Id": product, "UnitPrice": 5}
        )
    )
    assert exc.error_code == "STANDARD_PRICE_NOT_DEFINED"
    standard = {"Pricebook2Id": org.standard_pricebook_id, "Product2Id": product, "UnitPrice": 9}
    org.create("PricebookEntry", standard)
    assert error(lambda: org.create("PricebookEntry", standard)).error_code == "DUPLICATE_VALUE"


def test_transaction_rolls_back(org: Org) -> None:
    org.create("Account", {"Name": "Keep"})
    with pytest.raises(RuntimeError), org.transaction():
        org.create("Account", {"Name": "Gone"})
        raise RuntimeError("boom")
    assert [r["Name"] for r in org.records("Account")] == ["Keep"]
