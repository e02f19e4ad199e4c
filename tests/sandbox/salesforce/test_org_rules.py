"""The sandbox as a real org: field-level security, the org's automation, mixed-type
collections, field names in any case, an org without API access, the Organization record."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError, SalesforceMalformedRequest

from sfqb.sandbox.salesforce import SalesforceSandbox
from sfqb.sandbox.salesforce.faults import RecordFault


def _fields(sf: Salesforce, sobject: str) -> dict[str, dict[str, Any]]:
    described = sf.restful(f"sobjects/{sobject}/describe")
    return {f["name"]: f for f in described["fields"]}


def test_describe_follows_field_level_security_rest_sobject_describe(
    sandbox: SalesforceSandbox, sf: Salesforce
) -> None:
    sandbox.org.schema.set_field_access("Account", "Phone", visible=False)
    sandbox.org.schema.set_field_access("Account", "QuickBooks_ID__c", editable=False)
    fields = _fields(sf, "Account")
    assert "Phone" not in fields
    assert fields["QuickBooks_ID__c"]["updateable"] is False
    assert fields["QuickBooks_ID__c"]["createable"] is False
    assert fields["Name"]["updateable"] is True


def test_hidden_field_is_invalid_field_in_soql_and_writes(
    sandbox: SalesforceSandbox, sf: Salesforce
) -> None:
    record_id = sandbox.org.create("Account", {"Name": "Acme", "Phone": "555"})
    sandbox.org.schema.set_field_access("Account", "phone", visible=False)
    with pytest.raises(SalesforceMalformedRequest) as query:
        sf.query("SELECT Id, Phone FROM Account")
    assert query.value.content[0]["errorCode"] == "INVALID_FIELD"
    body = {"records": [{"attributes": {"type": "Account"}, "Id": record_id, "Phone": "1"}]}
    result = sf.restful("composite/sobjects", method="PATCH", json=body)
    assert result[0]["errors"][0]["statusCode"] == "INVALID_FIELD"
    assert "Phone" not in sf.Account.get(record_id)


def test_read_only_field_is_invalid_field_for_insert_update(
    sandbox: SalesforceSandbox, sf: Salesforce
) -> None:
    record_id = sandbox.org.create("Account", {"Name": "Acme"})
    sandbox.org.schema.set_field_access("Account", "QuickBooks_ID__c", editable=False)
    assert sf.query("SELECT QuickBooks_ID__c FROM Account")["totalSize"] == 1
    body = {
        "records": [
            {"attributes": {"type": "Account"}, "Id": record_id, "QuickBooks_ID__c": "80000001"}
        ]
    }
    error = sf.restful("composite/sobjects", method="PATCH", json=body)[0]["errors"][0]
    assert error["statusCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert error["fields"] == ["QuickBooks_ID__c"]


@pytest.mark.parametrize("fault", list(RecordFault))
def test_org_automation_refuses_a_record_with_its_own_message(
    sandbox: SalesforceSandbox, sf: Salesforce, fault: RecordFault
) -> None:
    refused = sandbox.org.create("Account", {"Name": "Refused"})
    fine = sandbox.org.create("Account", {"Name": "Fine"})
    message = "AccountTrigger: execution of BeforeUpdate caused by: boom"
    sandbox.faults.refuse(fault, message, refused)
    body = {
        "records": [
            {"attributes": {"type": "Account"}, "Id": i, "Phone": "555"} for i in (refused, fine)
        ]
    }
    first, second = sf.restful("composite/sobjects", method="PATCH", json=body)
    assert first["errors"][0]["statusCode"] == fault.value
    assert first["errors"][0]["message"] == message
    assert second["success"] is True
    assert sandbox.org.get("Account", refused)["Phone"] is None


def test_cpu_limit_fails_a_large_batch_and_saves_nothing(
    sandbox: SalesforceSandbox, sf: Salesforce
) -> None:
    ids = [sandbox.org.create("Account", {"Name": f"A{n}"}) for n in range(4)]
    sandbox.faults.limit_cpu(2)
    records = [{"attributes": {"type": "Account"}, "Id": i, "Phone": "1"} for i in ids]
    results = sf.restful("composite/sobjects", method="PATCH", json={"records": records})
    assert all("Apex CPU time limit exceeded" in r["errors"][0]["message"] for r in results)
    assert all(sandbox.org.get("Account", i)["Phone"] is None for i in ids)
    ok = sf.restful("composite/sobjects", method="PATCH", json={"records": records[:2]})
    assert [r["success"] for r in ok] == [True, True]


def test_collections_allow_ten_chunks_not_eleven_sobject_collections_update(
    sandbox: SalesforceSandbox, sf: Salesforce
) -> None:
    accounts = [sandbox.org.create("Account", {"Name": f"A{n}"}) for n in range(6)]
    products = [sandbox.org.create("Product2", {"Name": f"P{n}"}) for n in range(6)]

    def body(pairs: int) -> dict[str, Any]:
        records = []
        for account, product in list(zip(accounts, products, strict=True))[:pairs]:
            records.append({"attributes": {"type": "Account"}, "Id": account, "Phone": "1"})
            records.append({"attributes": {"type": "Product2"}, "Id": product, "Family": "X"})
        return {"records": records}

    assert all(r["success"] for r in sf.restful("composite/sobjects", method="PATCH", json=body(5)))
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.restful("composite/sobjects", method="PATCH", json=body(6))
    assert refused.value.content[0]["errorCode"] == "EXCEEDED_MAX_TYPES_LIMIT"


def test_field_names_are_case_insensitive_ids_are_not(
    sandbox: SalesforceSandbox, sf: Salesforce
) -> None:
    record_id = sandbox.org.create("Account", {"Name": "Acme"})
    body = {"records": [{"attributes": {"type": "Account"}, "id": record_id, "PHONE": "555"}]}
    assert sf.restful("composite/sobjects", method="PATCH", json=body)[0]["success"]
    assert sandbox.org.get("Account", record_id)["Phone"] == "555"
    assert sf.query(f"select phone from account where id = '{record_id}'")["totalSize"] == 1
    swapped = record_id[:15].swapcase()
    body = {"records": [{"attributes": {"type": "Account"}, "Id": swapped, "Phone": "1"}]}
    result = sf.restful("composite/sobjects", method="PATCH", json=body)[0]
    assert result["success"] is False


def test_api_disabled_for_org_answers_403(sandbox: SalesforceSandbox, sf: Salesforce) -> None:
    sandbox.faults.api_disabled = True
    with pytest.raises(SalesforceError) as refused:
        sf.query("SELECT Id FROM Account")
    assert refused.value.status == 403
    assert refused.value.content[0]["errorCode"] == "API_DISABLED_FOR_ORG"


def test_organization_record_carries_the_org_id_and_a_refresh_changes_it(
    sandbox: SalesforceSandbox, sf: Salesforce
) -> None:
    before = sf.query("SELECT Id FROM Organization")["records"][0]["Id"]
    assert before == sandbox.org.org_id and before.startswith("00D")
    after = sandbox.org.refresh()
    assert after != before
    assert sf.query("SELECT Id FROM Organization")["records"][0]["Id"] == after
