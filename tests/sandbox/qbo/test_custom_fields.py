"""Custom fields on customers and vendors: Intuit's premium Custom Fields API, per company.

Intuit, "Get started with the Custom Fields API" (developer.intuit.com/app/developer/qbo/docs/
workflows/create-custom-fields/get-started): "The Custom Fields API is currently not available
in sandbox"; values are read at `include=enhancedAllCustomFields`. "Develop using the Custom
Fields API" (.../develop-custom-fields): "These entities support custom fields: Customer,
Vendor". "Custom fields use cases" (.../use-cases): a value is {DefinitionId, StringValue},
answered with its Name and Type. Queries filter only on "filterable" properties (ruckus/
quickbooks-ruby #403: 4001 "property ... is not queryable"); custom fields are not among them
(consolibyte/quickbooks-php #182).
"""

from __future__ import annotations

from typing import Any

from tests.sandbox.qbo.conftest import Qbo, service_item

from sfqb.sandbox.qbo import QboSandbox

SF_ID = "001000000000001AAA"
INCLUDE = {"include": "enhancedAllCustomFields"}


def _customer(name: str = "Acme Tools", definition: str = "5") -> dict[str, Any]:
    return {
        "DisplayName": name,
        "CustomField": [{"DefinitionId": definition, "StringValue": SF_ID, "Type": "StringType"}],
    }


def _premium(sandbox: QboSandbox) -> None:
    sandbox.custom_fields_api(True, {"5": "Salesforce Id"})


def test_get_started_page_without_the_premium_api_a_customer_carrying_a_custom_field_is_refused(
    qbo: Qbo, sandbox: QboSandbox
) -> None:
    # Off by default, as in Intuit's sandbox companies. Intuit does not say what it answers:
    # the sandbox refuses (2010, the stricter choice) and stores nothing.
    response = qbo.post("customer", _customer(), **INCLUDE)
    assert response.status_code == 400
    fault = qbo.fault(response)
    assert fault["code"] == "2010"
    assert "Custom Fields API is not available" in fault["Detail"]
    assert sandbox.records("Customer") == []
    # Without the field the same customer goes in.
    assert qbo.create("Customer", {"DisplayName": "Acme Tools"})["DisplayName"] == "Acme Tools"


def test_develop_page_a_definition_the_company_does_not_have_is_refused(
    qbo: Qbo, sandbox: QboSandbox
) -> None:
    _premium(sandbox)
    response = qbo.post("customer", _customer(definition="9"))
    fault = qbo.fault(response)
    assert fault["code"] == "2010"
    assert "no custom field definition 9" in fault["Detail"]
    assert sandbox.records("Customer") == []


def test_use_cases_page_with_the_premium_api_values_are_stored_and_read_with_include(
    qbo: Qbo, sandbox: QboSandbox
) -> None:
    _premium(sandbox)
    created = qbo.post("customer", _customer(), **INCLUDE).json()["Customer"]
    value = {
        "DefinitionId": "5",
        "Name": "Salesforce Id",
        "Type": "StringType",
        "StringValue": SF_ID,
    }
    assert created["CustomField"] == [value]
    read = qbo.get(f"customer/{created['Id']}", **INCLUDE).json()["Customer"]
    assert read["CustomField"] == [value]
    found = qbo.get("query", query="select * from Customer", **INCLUDE).json()
    assert found["QueryResponse"]["Customer"][0]["CustomField"] == [value]
    # Without include=enhancedAllCustomFields the values are not in the answer.
    plain = qbo.get(f"customer/{created['Id']}").json()["Customer"]
    assert "CustomField" not in plain


def test_develop_page_vendors_take_custom_fields_and_items_have_none(
    qbo: Qbo, sandbox: QboSandbox
) -> None:
    _premium(sandbox)
    vendor = qbo.post("vendor", _customer("Bolt Supply"), **INCLUDE).json()["Vendor"]
    assert vendor["CustomField"][0]["StringValue"] == SF_ID
    item = {
        "Name": "Widget",
        "Type": "Service",
        "IncomeAccountRef": {"value": "2"},
        "CustomField": [{"DefinitionId": "5", "StringValue": SF_ID}],
    }
    fault = qbo.fault(qbo.post("item", item))
    assert fault["code"] == "2010" and "Item has no custom fields" in fault["Detail"]


def test_a_sparse_update_sets_the_value_and_its_array_replaces_the_old_one(
    qbo: Qbo, sandbox: QboSandbox
) -> None:
    sandbox.custom_fields_api(True, {"5": "Salesforce Id", "6": "Region"})
    body = _customer()
    body["CustomField"].append({"DefinitionId": "6", "StringValue": "West"})
    created = qbo.post("customer", body, **INCLUDE).json()["Customer"]
    update = {
        "Id": created["Id"],
        "SyncToken": created["SyncToken"],
        "sparse": True,
        "CustomField": [{"DefinitionId": "5", "StringValue": "001000000000002AAA"}],
    }
    updated = qbo.post("customer", update, **INCLUDE).json()["Customer"]
    assert [(v["DefinitionId"], v["StringValue"]) for v in updated["CustomField"]] == [
        ("5", "001000000000002AAA")
    ]


def test_data_queries_cannot_filter_on_a_custom_field(qbo: Qbo, sandbox: QboSandbox) -> None:
    _premium(sandbox)
    qbo.post("customer", _customer(), **INCLUDE)
    for where in ("CustomField = 'x'", f"CustomField.StringValue = '{SF_ID}'"):
        response = qbo.query(f"select * from Customer where {where}")
        fault = qbo.fault(response)
        assert fault["code"] == "4001"
        assert "is not queryable" in fault["Detail"]


def test_a_batch_item_carrying_a_custom_field_is_refused_on_its_own(
    qbo: Qbo, sandbox: QboSandbox
) -> None:
    service_item(qbo)
    batch = {
        "BatchItemRequest": [
            {"bId": "b1", "operation": "create", "Customer": _customer()},
            {"bId": "b2", "operation": "create", "Customer": {"DisplayName": "Bolt Supply"}},
        ]
    }
    answers = qbo.post("batch", batch).json()["BatchItemResponse"]
    assert answers[0]["Fault"]["Error"][0]["code"] == "2010"
    assert answers[1]["Customer"]["DisplayName"] == "Bolt Supply"


def test_stored_values_do_not_stop_an_update_that_does_not_send_them(
    qbo: Qbo, sandbox: QboSandbox
) -> None:
    _premium(sandbox)
    created = qbo.post("customer", _customer(), **INCLUDE).json()["Customer"]
    sandbox.custom_fields_api(False)  # the app loses the premium API
    update = {"Id": created["Id"], "SyncToken": created["SyncToken"], "sparse": True}
    updated = qbo.post("customer", {**update, "Notes": "call first"}).json()["Customer"]
    assert updated["Notes"] == "call first"
    again = {**update, "SyncToken": updated["SyncToken"], "CustomField": created["CustomField"]}
    assert qbo.fault(qbo.post("customer", again))["code"] == "2010"
