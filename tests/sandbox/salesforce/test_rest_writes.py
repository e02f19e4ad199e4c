"""sObject Collections, upsert by external ID (201/200/300), getDeleted and getUpdated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceMoreThanOneRecord

from sfqb.sandbox.salesforce import ManualClock, SalesforceSandbox

OPTIONS = {"Sforce-Call-Options": "client=sfqb"}


def account(name: str | None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"attributes": {"type": "Account"}, **extra}
    if name is not None:
        body["Name"] = name
    return body


def test_collection_create_with_partial_failures(
    sandbox: SalesforceSandbox, sf: Salesforce
) -> None:
    sandbox.org.create("Account", {"Name": "Taken", "QuickBooks_ID__c": "Q9"})
    body = {
        "allOrNone": False,
        "records": [
            account("One"),
            account(None, Phone="1"),
            account("Dup", QuickBooks_ID__c="q9"),
            account("Four"),
        ],
    }
    results = sf.restful("composite/sobjects", method="POST", json=body, headers=OPTIONS)
    assert [r["success"] for r in results] == [True, False, False, True]
    assert "id" not in results[1]
    assert results[1]["errors"] == [
        {
            "statusCode": "REQUIRED_FIELD_MISSING",
            "message": "Required fields are missing: [Name]",
            "fields": ["Name"],
        }
    ]
    assert results[2]["errors"][0]["statusCode"] == "DUPLICATE_VALUE"
    assert sandbox.org.get("Account", results[3]["id"])["Name"] == "Four"
    assert sandbox.last_write_headers["sforce-call-options"] == "client=sfqb"


def test_collection_all_or_none_rolls_back(sandbox: SalesforceSandbox, sf: Salesforce) -> None:
    body = {"allOrNone": True, "records": [account("One"), account(None), account("Three")]}
    results = sf.restful("composite/sobjects", method="POST", json=body)
    assert [r["success"] for r in results] == [False, False, False]
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert results[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert sandbox.org.records("Account") == []


def test_collection_update_and_delete(sandbox: SalesforceSandbox, sf: Salesforce) -> None:
    ids = [sandbox.org.create("Account", {"Name": f"A{n}"}) for n in range(3)]
    sandbox.org.delete("Account", ids[2])
    body = {
        "records": [
            account(None, Id=ids[0], QuickBooks_Sync_Status__c="Synced"),
            account(None, Id="001000000000000AAA"),
            account(None, Id=ids[2], Phone="1"),
            account(None, Phone="1"),
        ]
    }
    results = sf.restful("composite/sobjects", method="PATCH", json=body)
    assert results[0] == {"id": ids[0], "success": True, "errors": []}
    codes = [r["errors"][0]["statusCode"] for r in results[1:]]
    assert codes == ["INVALID_CROSS_REFERENCE_KEY", "ENTITY_IS_DELETED", "MISSING_ARGUMENT"]
    assert sandbox.org.get("Account", ids[0])["QuickBooks_Sync_Status__c"] == "Synced"
    results = sf.restful(
        "composite/sobjects", method="DELETE", params={"ids": f"{ids[0]},{ids[1]},bad"}
    )
    assert [r["success"] for r in results] == [True, True, False]
    assert results[2]["errors"][0]["statusCode"] == "MALFORMED_ID"


def test_collections_are_limited_to_200(sandbox: SalesforceSandbox, sf: Salesforce) -> None:
    body = {"records": [account(f"A{n}") for n in range(201)]}
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.restful("composite/sobjects", method="POST", json=body)
    assert caught.value.content[0]["errorCode"] == "EXCEEDED_ID_LIMIT"
    body = {"records": [account(f"A{n}") for n in range(200)]}
    assert all(r["success"] for r in sf.restful("composite/sobjects", method="POST", json=body))
    assert len(sandbox.org.records("Account")) == 200


def test_lock_faults_hit_single_records_in_a_collection(
    sandbox: SalesforceSandbox, sf: Salesforce
) -> None:
    ids = [sandbox.org.create("Account", {"Name": f"A{n}"}) for n in range(3)]
    sandbox.faults.lock_records(ids[1])
    body = {"records": [account(None, Id=i, Phone="1") for i in ids]}
    results = sf.restful("composite/sobjects", method="PATCH", json=body)
    assert [r["success"] for r in results] == [True, False, True]
    assert results[1]["errors"] == [
        {
            "statusCode": "UNABLE_TO_LOCK_ROW",
            "message": f"unable to obtain exclusive access to this record or 1 records: {ids[1]}",
            "fields": [],
        }
    ]
    sandbox.faults.clear()
    sandbox.faults.lock_next(1)
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Account.update(ids[0], {"Phone": "2"})
    assert caught.value.content[0]["errorCode"] == "UNABLE_TO_LOCK_ROW"
    assert sf.Account.update(ids[0], {"Phone": "3"}) == 204


def test_single_upsert_201_200_300(sandbox: SalesforceSandbox, sf: Salesforce) -> None:
    created = sf.Account.upsert("QuickBooks_ID__c/80000001-1", {"Name": "New"}, raw_response=True)
    assert created.status_code == 201 and created.json()["created"] is True
    updated = sf.Account.upsert("QuickBooks_ID__c/80000001-1", {"Phone": "1"}, raw_response=True)
    assert updated.status_code == 200 and updated.json()["created"] is False
    assert updated.json()["id"] == created.json()["id"]
    sandbox.org.schema.set_unique("Account", "QuickBooks_ID__c", False)
    sandbox.org.create("Account", {"Name": "Twin", "QuickBooks_ID__c": "80000001-1"})
    with pytest.raises(SalesforceMoreThanOneRecord) as caught:
        sf.Account.upsert("QuickBooks_ID__c/80000001-1", {"Phone": "2"})
    assert caught.value.status == 300
    assert len(caught.value.content) == 2
    assert all(
        u.startswith("/services/data/v59.0/sobjects/Account/001") for u in caught.value.content
    )


def test_collection_upsert(sandbox: SalesforceSandbox, sf: Salesforce) -> None:
    existing = sandbox.org.create("Product2", {"Name": "Old", "QuickBooks_ID__c": "I-1"})

    def product(qb_id: str | None, name: str) -> dict[str, Any]:
        return {"attributes": {"type": "Product2"}, "QuickBooks_ID__c": qb_id, "Name": name}

    body = {
        "allOrNone": False,
        "records": [
            product("I-1", "Renamed"),
            product("I-2", "New"),
            product(None, "No id"),
            product("I-3", "Twice"),
            product("i-3", "Twice again"),
        ],
    }
    results = sf.restful("composite/sobjects/Product2/QuickBooks_ID__c", method="PATCH", json=body)
    assert results[0] == {"id": existing, "success": True, "errors": [], "created": False}
    assert results[1]["created"] is True and results[1]["success"]
    codes = [r["errors"][0]["statusCode"] for r in results[2:]]
    assert codes == ["MISSING_ARGUMENT", "DUPLICATE_EXTERNAL_ID", "DUPLICATE_EXTERNAL_ID"]
    assert sandbox.org.get("Product2", existing)["Name"] == "Renamed"


def test_get_deleted_and_get_updated(
    sandbox: SalesforceSandbox, sf: Salesforce, clock: ManualClock
) -> None:
    keep = sf.Account.create({"Name": "Keep"})["id"]
    gone = sf.Account.create({"Name": "Gone"})["id"]
    clock.advance(120)
    sf.Account.delete(gone)
    clock.advance(120)
    start = datetime(2026, 1, 15, 8, 0, tzinfo=UTC)
    end = clock() + timedelta(hours=1)  # clamped to now
    deleted = sf.Account.deleted(start, end)
    assert deleted["deletedRecords"] == [
        {"id": gone, "deletedDate": "2026-01-15T09:02:00.000+0000"}
    ]
    assert deleted["latestDateCovered"] == "2026-01-15T09:04:00.000+0000"
    assert deleted["earliestDateAvailable"] == "2026-01-15T09:02:00.000+0000"
    updated = sf.Account.updated(start, end)
    assert updated["ids"] == [keep]
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Account.deleted(start - timedelta(days=20), end)
    assert caught.value.content[0]["errorCode"] == "INVALID_REPLICATION_DATE"
