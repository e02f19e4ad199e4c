"""The Salesforce Id in the company's QuickBooks Online custom field (binding_definition_id).

Intuit, "Develop using the Custom Fields API" (developer.intuit.com/app/developer/qbo/docs/
workflows/create-custom-fields/develop-custom-fields): customers and vendors take
CustomField[].DefinitionId; "Custom fields use cases" (.../use-cases): a value is
{DefinitionId, StringValue}, answered with its Name and Type "StringType".
"""

from __future__ import annotations

from typing import Any

from tests.connectors.qbo.operations.conftest import NOW, FakeQbo, fault

from sfqb.codes import Catalog
from sfqb.connectors.qbo.operations import QboDriver
from sfqb.domain.entities import SfObject, SfRef
from sfqb.domain.status import Category, Remedy
from sfqb.sync.ops import QbAction, QbOp

SF = SfRef(SfObject.ACCOUNT, "001000000000001AAA")
OURS = {"DefinitionId": "5", "StringValue": SF.id, "Type": "StringType"}


def _driver(qbo: FakeQbo, catalog: Catalog, field: str = "5") -> QboDriver:
    return QboDriver(qbo, catalog, clock=lambda: NOW, marker_field=field)


def _add(name: str = "Acme", sf: SfRef | None = SF, qb_type: str = "Customer") -> QbOp:
    return QbOp("a1", QbAction.ADD, qb_type, sf=sf, fields={"DisplayName": name})


def _sent(qbo: FakeQbo) -> list[dict[str, Any]]:
    return [dict(item.body) for _, items in qbo.batches for item in items]


def test_a_customer_add_carries_the_salesforce_id_and_reads_it_back_as_its_marker(
    qbo: FakeQbo, catalog: Catalog
) -> None:
    [result] = _driver(qbo, catalog).execute([_add()])
    assert _sent(qbo)[0]["CustomField"] == [OURS]
    assert result.ok and result.records[0].marker == SF.id


def test_off_by_default_nothing_is_sent_and_no_marker_is_read(
    qbo: FakeQbo, catalog: Catalog
) -> None:
    [result] = _driver(qbo, catalog, field="").execute([_add()])
    assert "CustomField" not in _sent(qbo)[0]
    qbo.entities["Customer"][result.records[0].id]["CustomField"] = [OURS]
    read = QbOp("r1", QbAction.READ, "Customer", names=("Acme",))
    [found] = _driver(qbo, catalog, field="").execute([read])
    assert found.records[0].marker is None


def test_items_transactions_and_ops_without_a_salesforce_record_carry_none(
    qbo: FakeQbo, catalog: Catalog
) -> None:
    item = QbOp("i1", QbAction.ADD, "ItemService", sf=SF, fields={"Name": "Widget"})
    _driver(qbo, catalog).execute([item, _add("Bolt", sf=None)])
    assert all("CustomField" not in body for body in _sent(qbo))


def test_a_mod_keeps_the_records_other_custom_field_values(qbo: FakeQbo, catalog: Catalog) -> None:
    region = {"DefinitionId": "6", "Name": "Region", "Type": "StringType", "StringValue": "West"}
    stale = {**OURS, "Name": "Salesforce Id", "StringValue": "001000000000009AAA"}
    record = qbo.add("Customer", DisplayName="Acme", CustomField=[region, stale])
    mod = QbOp(
        "m1", QbAction.MOD, "Customer", sf=SF, qb_id=record["Id"], version="0",
        fields={"DisplayName": "Acme"},
    )  # fmt: skip
    [result] = _driver(qbo, catalog).execute([mod])
    assert any("Id IN ('" + record["Id"] + "')" in q for q in qbo.queries)
    sent = _sent(qbo)[0]["CustomField"]
    assert sent == [{k: region[k] for k in ("DefinitionId", "StringValue", "Type")}, OURS]
    assert result.records[0].marker == SF.id


def test_a_mod_whose_custom_fields_cannot_be_read_sends_none(
    qbo: FakeQbo, catalog: Catalog
) -> None:
    record = qbo.add("Customer", DisplayName="Acme")
    qbo.query_fault = fault("4001", "Invalid query")
    mod = QbOp(
        "m1", QbAction.MOD, "Customer", sf=SF, qb_id=record["Id"], version="0",
        fields={"DisplayName": "Acme Ltd"},
    )  # fmt: skip
    [result] = _driver(qbo, catalog).execute([mod])
    assert result.ok and "CustomField" not in _sent(qbo)[0]


def test_a_look_up_reads_the_marker_of_each_candidate(qbo: FakeQbo, catalog: Catalog) -> None:
    qbo.add("Customer", DisplayName="Acme", CustomField=[{**OURS, "Name": "Salesforce Id"}])
    qbo.add("Customer", DisplayName="Acme Ltd")
    read = QbOp("r1", QbAction.READ, "Customer", names=("Acme", "Acme Ltd"))
    [found] = _driver(qbo, catalog).execute([read])
    assert {r.name: r.marker for r in found.records} == {"Acme": SF.id, "Acme Ltd": None}


def test_the_refusal_of_a_company_without_the_api_is_one_company_hold_with_its_fix(
    qbo: FakeQbo, catalog: Catalog
) -> None:
    qbo.faults["Acme"] = fault(
        "2010",
        "Request has invalid or unsupported property",
        "Property Name:CustomField specified is unsupported or invalid: the Custom Fields API "
        "is not available to this app and company",
    )
    [result] = _driver(qbo, catalog).execute([_add()])
    status = result.status
    assert (status.code, status.category, status.remedy) == (
        "2010",
        Category.CONFIG,
        Remedy.PREFLIGHT_BLOCK,
    )
    assert status.title == "Custom Fields API not available to this company"
    assert "binding_definition_id" in status.fix_text()


def test_a_definition_the_company_lacks_reads_as_its_own_fix(
    qbo: FakeQbo, catalog: Catalog
) -> None:
    qbo.faults["Acme"] = fault(
        "2010",
        "Request has invalid or unsupported property",
        "Property Name:CustomField specified is unsupported or invalid: there is no custom "
        "field definition 5 for Customer",
    )
    [result] = _driver(qbo, catalog).execute([_add()])
    assert result.status.title == "No such QuickBooks Online custom field"
    assert result.status.remedy is Remedy.PREFLIGHT_BLOCK


def test_another_2010_keeps_its_own_reading(qbo: FakeQbo, catalog: Catalog) -> None:
    qbo.faults["Acme"] = fault("2010", "Request has invalid or unsupported property", "Foo")
    [result] = _driver(qbo, catalog).execute([_add()])
    assert result.status.category is Category.REQUEST_BUG
