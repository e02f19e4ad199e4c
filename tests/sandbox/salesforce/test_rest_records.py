"""sObject REST over real HTTPS with simple-salesforce: CRUD, errors, headers, describe, limits."""

from __future__ import annotations

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceMalformedRequest,
    SalesforceResourceNotFound,
)

from sfqb.sandbox.salesforce import ManualClock, SalesforceSandbox

CALL_OPTIONS = {"Sforce-Call-Options": "client=sfqb"}


def test_plain_simple_salesforce_session_with_the_ca(sandbox: SalesforceSandbox) -> None:
    session = requests.Session()
    session.verify = str(sandbox.ca_path)
    session.trust_env = False  # else REQUESTS_CA_BUNDLE in the environment wins over verify
    sf = Salesforce(
        instance=sandbox.instance, session_id=sandbox.session_id, session=session, version="59.0"
    )
    assert sf.query("SELECT Id FROM Account")["totalSize"] == 0
    assert sandbox.ca_path.name == "ca.pem" and sandbox.ca_path.is_file()


def test_untrusted_clients_are_refused(sandbox: SalesforceSandbox) -> None:
    session = requests.Session()
    session.trust_env = False
    with pytest.raises(requests.exceptions.SSLError):
        session.get(sandbox.data_url(), timeout=10)


def test_create_read_update_delete(
    sandbox: SalesforceSandbox, sf: Salesforce, clock: ManualClock
) -> None:
    created = sf.Account.create(
        {"Name": "Smith & Sons: Plumbing", "QuickBooks_ID__c": "80000001-1"}, headers=CALL_OPTIONS
    )
    assert created["success"] and created["errors"] == []
    account_id = created["id"]
    assert sandbox.last_write_headers["sforce-call-options"] == "client=sfqb"
    record = sf.Account.get(account_id)
    assert record["Name"] == "Smith & Sons: Plumbing"
    assert record["attributes"] == {
        "type": "Account",
        "url": f"/services/data/v59.0/sobjects/Account/{account_id}",
    }
    assert record["SystemModstamp"] == "2026-01-15T09:00:00.000+0000"
    clock.advance(1.5)
    assert sf.Account.update(account_id, {"Phone": "+44 117"}, headers=CALL_OPTIONS) == 204
    record = sf.Account.get(account_id[:15])
    assert record["Phone"] == "+44 117"
    assert record["SystemModstamp"] == "2026-01-15T09:00:01.500+0000"
    assert sf.Account.get_by_custom_id("QuickBooks_ID__c", "80000001-1")["Id"] == account_id
    assert sf.Account.delete(account_id) == 204
    with pytest.raises(SalesforceResourceNotFound) as caught:
        sf.Account.get(account_id)
    assert caught.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"
    assert [w.call_options for w in sandbox.writes] == ["client=sfqb", "client=sfqb", None]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"Phone": "1"}, "REQUIRED_FIELD_MISSING"),
        ({"Name": "x", "Nope__c": "1"}, "INVALID_FIELD"),
    ],
)
def test_create_errors_come_back_as_salesforce_arrays(
    sf: Salesforce, body: dict[str, str], code: str
) -> None:
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Account.create(body)
    assert caught.value.status == 400
    assert caught.value.content[0]["errorCode"] == code


def test_duplicate_external_id(sf: Salesforce) -> None:
    first = sf.Product2.create({"Name": "Widget", "QuickBooks_ID__c": "Q-1"})["id"]
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Product2.create({"Name": "Widget 2", "QuickBooks_ID__c": "q-1"})
    assert caught.value.content == [
        {
            "message": "duplicate value found: QuickBooks_ID__c duplicates value on record with "
            f"id: {first}",
            "errorCode": "DUPLICATE_VALUE",
            "fields": [],
        }
    ]


def test_malformed_and_unknown_ids(sf: Salesforce, sandbox: SalesforceSandbox) -> None:
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Account.get("not-an-id")
    assert caught.value.content[0]["errorCode"] == "MALFORMED_ID"
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Account.get(sandbox.org.user_id)  # a User id is not an Account id
    assert caught.value.content[0]["errorCode"] == "MALFORMED_ID"
    with pytest.raises(SalesforceResourceNotFound) as caught:
        sf.Account.get("001000000000000AAA")
    assert caught.value.content[0]["errorCode"] == "NOT_FOUND"
    with pytest.raises(SalesforceResourceNotFound):
        sf.Nope__c.get("001000000000000AAA")


def test_bad_json_body(sandbox: SalesforceSandbox) -> None:
    session = sandbox.requests_session()
    response = session.post(
        sandbox.data_url() + "sobjects/Account",
        data=b"{not json",
        headers={"Authorization": "Bearer demo", "Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "JSON_PARSER_ERROR"


def test_versions_resources_describe_and_limits(sandbox: SalesforceSandbox, sf: Salesforce) -> None:
    session = sandbox.requests_session()
    versions = session.get(sandbox.instance_url + "/services/data/", timeout=10).json()
    v59 = next(v for v in versions if v["version"] == "59.0")
    assert v59 == {"label": "Winter '24", "url": "/services/data/v59.0", "version": "59.0"}
    assert sf.restful("")["query"] == "/services/data/v59.0/query"
    describe = sf.Opportunity.describe()
    assert describe["keyPrefix"] == "006"
    qb = next(f for f in describe["fields"] if f["name"] == "QuickBooks_ID__c")
    assert qb["externalId"] and qb["unique"] and qb["custom"]
    assert {"relationshipName": "OpportunityLineItems"}.items() <= describe["childRelationships"][
        0
    ].items()
    names = {o["name"] for o in sf.describe()["sobjects"]}
    assert {"Account", "Contact", "Product2", "PricebookEntry", "Opportunity"} <= names
    before = sandbox.api_usage
    limits = sf.limits()
    assert limits["DailyApiRequests"] == {"Max": 100000, "Remaining": 100000 - before - 1}
    assert sf.api_usage["api-usage"].used == before + 1
    response = session.get(sandbox.data_url() + "limits", headers={"Authorization": "Bearer demo"})
    assert response.headers["Sforce-Limit-Info"] == f"api-usage={before + 2}/100000"
    assert (
        session.get(sandbox.instance_url + "/services/data/v99.0/", timeout=10).status_code == 404
    )


def test_removed_custom_field_is_reported_missing(
    sandbox: SalesforceSandbox, sf: Salesforce
) -> None:
    sandbox.org.schema.remove_field("Opportunity", "QuickBooks_Sync_Error__c")
    fields = {f["name"] for f in sf.Opportunity.describe()["fields"]}
    assert "QuickBooks_Sync_Error__c" not in fields
    assert "QuickBooks_ID__c" in fields


def test_http_edges(sandbox: SalesforceSandbox) -> None:
    session = sandbox.requests_session()
    auth = {"Authorization": "Bearer demo"}
    data = sandbox.data_url()
    missing = session.get(data + "nothing/here", headers=auth, timeout=10)
    assert missing.status_code == 404 and missing.json()[0]["errorCode"] == "NOT_FOUND"
    wrong = session.put(data + "sobjects/Account", headers=auth, json={}, timeout=10)
    assert wrong.status_code == 405 and wrong.json()[0]["errorCode"] == "METHOD_NOT_ALLOWED"
    refused = session.get(data + "limits", timeout=10)
    assert refused.status_code == 401
    assert refused.headers["Sforce-Limit-Info"].startswith("api-usage=")
    assert session.head(data + "limits", headers=auth, timeout=10).status_code == 200


def test_query_all_pages_stay_on_query_all(sandbox: SalesforceSandbox, sf: Salesforce) -> None:
    for n in range(7):
        sandbox.org.delete("Account", sandbox.org.create("Account", {"Name": f"A{n}"}))
    first = sf.query("SELECT Id FROM Account", include_deleted=True)
    assert first["nextRecordsUrl"].startswith("/services/data/v59.0/queryAll/01g")
    assert len(sf.query_all("SELECT Id FROM Account", include_deleted=True)["records"]) == 7
