"""A custom object's records: one record class per object, its query built by the checked
builder like any object's (names checked, the company's fields as extra fields), its describe's
keyPrefix kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sfqb.connectors.salesforce import payloads
from sfqb.connectors.salesforce.connector import _record_type
from sfqb.connectors.salesforce.custom import SfCustomRecord, custom_record_type


def test_a_custom_objects_query_selects_sfqbs_fields_and_the_maps() -> None:
    kind = _record_type("Supplier__c")
    assert kind is custom_record_type("Supplier__c") and issubclass(kind, SfCustomRecord)
    extras = ("QuickBooks_Vendor_ID__c", "Phone__c")  # read_fields: its flow's Id field first
    soql = payloads.changes_query(kind, datetime(2026, 1, 1, tzinfo=UTC), extras)
    assert soql.startswith(
        "SELECT Id, SystemModstamp, Name, LastModifiedById, QuickBooks_Sync_Status__c, "
        "QuickBooks_Vendor_ID__c, Phone__c FROM Supplier__c WHERE SystemModstamp > "
    )
    record = kind.from_json(
        {"Id": "a0X000000000001AAA", "SystemModstamp": "2026-01-02T00:00:00.000+0000",
         "Name": "Harbor", "Phone__c": "(512) 555-0101"}
    )  # fmt: skip
    assert record.to_payload()["Phone__c"] == "(512) 555-0101"
    assert record.to_payload()["Name"] == "Harbor"


@pytest.mark.parametrize("name", ["Supplier FROM Account__c", "x'__c", "a;b__c"])
def test_a_name_that_is_no_api_name_never_reaches_a_query(name: str) -> None:
    with pytest.raises(ValueError, match="not a valid Salesforce sObject name"):
        _record_type(name)


def test_describe_keeps_the_key_prefix() -> None:
    content = {"name": "Supplier__c", "keyPrefix": "a0X", "fields": [{"name": "Id"}]}
    assert payloads.description("Supplier__c", content).key_prefix == "a0X"
    assert payloads.description("X__c", {"fields": []}).key_prefix is None
