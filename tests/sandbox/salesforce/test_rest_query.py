"""SOQL over HTTPS: incremental filters, subqueries, nextRecordsUrl paging, queryAll."""

from __future__ import annotations

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sfqb.sandbox.salesforce import ManualClock, SalesforceSandbox


def test_system_modstamp_filter_returns_only_later_changes(
    sandbox: SalesforceSandbox, sf: Salesforce, clock: ManualClock
) -> None:
    old = sandbox.org.create("Account", {"Name": "Old"})
    clock.advance(60)
    checkpoint = "2026-01-15T09:00:30Z"
    new = sf.Account.create({"Name": "New"})["id"]
    clock.advance(60)
    soql = (
        "SELECT Id, Name, SystemModstamp FROM Account "
        f"WHERE SystemModstamp > {checkpoint} ORDER BY SystemModstamp, Id"
    )
    assert [r["Id"] for r in sf.query_all(soql)["records"]] == [new]
    sf.Account.update(old, {"Phone": "2"})
    rows = sf.query_all(soql)["records"]
    assert [r["Id"] for r in rows] == [new, old]
    assert rows[1]["SystemModstamp"] == "2026-01-15T09:02:00.000+0000"


def test_paging_through_next_records_url(sandbox: SalesforceSandbox, sf: Salesforce) -> None:
    ids = [sandbox.org.create("Account", {"Name": f"Account {n:02d}"}) for n in range(12)]
    first = sf.query("SELECT Id, Name FROM Account ORDER BY Name")
    assert first["totalSize"] == 12 and not first["done"] and len(first["records"]) == 5
    assert first["nextRecordsUrl"].startswith("/services/data/v59.0/query/01g")
    assert first["nextRecordsUrl"].endswith("-5")
    second = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert [r["Name"] for r in second["records"]] == [f"Account {n:02d}" for n in range(5, 10)]
    everything = sf.query_all("SELECT Id FROM Account ORDER BY Name")
    assert [r["Id"] for r in everything["records"]] == ids


def test_batch_size_option_sets_the_page(sandbox: SalesforceSandbox, sf: Salesforce) -> None:
    """Sforce-Query-Options: batchSize=N pages by N (200 at least), as Salesforce does: sfqb
    asks for pages of 500 so a read holds 500 records at a time, not the org's 2000."""
    sandbox.api.page_size = 2000
    for n in range(450):
        sandbox.org.create("Account", {"Name": f"Account {n:03d}"})
    soql = "SELECT Id, Name FROM Account ORDER BY Name"
    headers = {"Sforce-Query-Options": "batchSize=200"}
    first = sf.query(soql, headers=headers)
    assert len(first["records"]) == 200 and first["nextRecordsUrl"].endswith("-200")
    second = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True, headers=headers)
    assert [r["Name"] for r in second["records"]] == [f"Account {n:03d}" for n in range(200, 400)]
    tiny = sf.query(soql, headers={"Sforce-Query-Options": "batchSize=10"})  # 200 at least
    assert len(tiny["records"]) == 200
    assert sf.query(soql)["done"]  # no option: the org's page size
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query_more("/services/data/v59.0/query/01gNOPE-5", identifier_is_url=True)
    assert caught.value.content[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


def test_parent_child_subquery(sandbox: SalesforceSandbox, sf: Salesforce) -> None:
    org = sandbox.org
    product = org.create("Product2", {"Name": "Widget"})
    entry = org.create(
        "PricebookEntry",
        {"Pricebook2Id": org.standard_pricebook_id, "Product2Id": product, "UnitPrice": 2.5},
    )
    won = org.create(
        "Opportunity", {"Name": "Won", "StageName": "Closed Won", "CloseDate": "2026-01-14"}
    )
    org.create(
        "Opportunity", {"Name": "Open", "StageName": "Prospecting", "CloseDate": "2026-02-01"}
    )
    for quantity in (4, 2):
        org.create(
            "OpportunityLineItem",
            {"OpportunityId": won, "PricebookEntryId": entry, "Quantity": quantity},
        )
    result = sf.query_all(
        "SELECT Id, Name, Amount, (SELECT Id, Quantity, UnitPrice, Product2Id FROM "
        "OpportunityLineItems ORDER BY Quantity) FROM Opportunity ORDER BY Name DESC"
    )
    won_row, open_row = result["records"]
    assert won_row["Amount"] == 15.0
    lines = won_row["OpportunityLineItems"]
    assert (lines["totalSize"], lines["done"]) == (2, True)
    assert [(r["Quantity"], r["UnitPrice"], r["Product2Id"]) for r in lines["records"]] == [
        (2.0, 2.5, product),
        (4.0, 2.5, product),
    ]
    assert lines["records"][0]["attributes"]["type"] == "OpportunityLineItem"
    assert open_row["OpportunityLineItems"] is None  # Salesforce sends null, not an empty list
    closed = sf.query("SELECT Id FROM Opportunity WHERE IsWon = true AND StageName = 'Closed Won'")
    assert [r["Id"] for r in closed["records"]] == [won]


def test_query_all_includes_deleted_records(sandbox: SalesforceSandbox, sf: Salesforce) -> None:
    gone = sf.Account.create({"Name": "Gone"})["id"]
    sf.Account.delete(gone)
    assert sf.query("SELECT Id FROM Account")["totalSize"] == 0
    rows = sf.query_all("SELECT Id, IsDeleted FROM Account", include_deleted=True)["records"]
    assert [(r["Id"], r["IsDeleted"]) for r in rows] == [(gone, True)]


@pytest.mark.parametrize(
    ("soql", "code"),
    [
        ("SELEKT Id FROM Account", "MALFORMED_QUERY"),
        ("SELECT Id FROM Account WHERE Name = ", "MALFORMED_QUERY"),
        ("SELECT Id FROM Account WHERE Amount > 'x'", "INVALID_FIELD"),
        ("SELECT Id FROM Widget__c", "INVALID_TYPE"),
    ],
)
def test_bad_soql_is_a_400(sf: Salesforce, soql: str, code: str) -> None:
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query(soql)
    assert caught.value.status == 400
    assert caught.value.content[0]["errorCode"] == code
