"""Custom fields on customers and vendors: Intuit's premium Custom Fields API, per company.

Sources (Intuit):

* "Get started with the Custom Fields API" (developer.intuit.com/app/developer/qbo/docs/
  workflows/create-custom-fields/get-started): definitions live in the App Foundations GraphQL
  API; the Accounting API reads and writes values at `...?include=enhancedAllCustomFields`;
  "The Custom Fields API is currently not available in sandbox".
* "Develop using the Custom Fields API" (.../create-custom-fields/develop-custom-fields):
  "These entities support custom fields: Customer, Vendor"; a customer is created with
  `CustomField[].DefinitionId` set to a definition's id.
* "Custom fields use cases" (.../create-custom-fields/use-cases): the DefinitionId is the
  definition's legacyIDV2; a value is `{"DefinitionId", "StringValue"}` and is answered with
  its `Name` and `Type` ("StringType").
* Intuit's blog "Custom Fields API: extending QuickBooks Online with flexible metadata"
  (blogs.intuit.com, 2025-12-01): a premium API for Gold and Platinum partners.

The sandbox models the premium API as a per-company switch (`QboConfig.custom_fields_api`, off
as in Intuit's sandbox companies) with the company's String definitions
(`custom_field_definitions`: DefinitionId -> label). Intuit does not say what a company without
the API answers to a customer carrying CustomField, nor to a DefinitionId it has no definition
of: the sandbox refuses both with 2010 (the stricter choice; the reasons are the ones
`codes/readings.yaml` reads). Items have no custom fields (the entities above): refused too.
A sparse update's CustomField replaces the array, as any top-level field it sends (the rule of
`books.py`; Intuit is silent on merging by DefinitionId, and replacing is the stricter choice).
Values are answered only when the request asks `include=enhancedAllCustomFields`.
"""

from __future__ import annotations

from typing import Any

from sfqb.sandbox.qbo import errors
from sfqb.sandbox.qbo.company import Company, Record

WITH_FIELDS = ("Customer", "Vendor")  # the entities the Custom Fields API serves
INCLUDE = "enhancedAllCustomFields"


def check(company: Company, entity: str, record: Record) -> None:
    """Refuse a CustomField the company cannot take; normalise the ones it can (in place)."""
    given = record.get("CustomField")
    if given in (None, []):
        return
    if entity not in WITH_FIELDS:
        raise errors.invalid_property(
            f"Property Name:CustomField specified is unsupported or invalid: {entity} has no "
            "custom fields",
            "CustomField",
        )
    if not company.custom_fields_api:
        raise errors.invalid_property(
            "Property Name:CustomField specified is unsupported or invalid: the Custom Fields "
            "API is not available to this app and company",
            "CustomField",
        )
    if not isinstance(given, list) or not all(isinstance(v, dict) for v in given):
        raise errors.invalid_property("CustomField must be a list of objects", "CustomField")
    values: list[Record] = []
    for value in given:
        ident = str(value.get("DefinitionId") or "")
        label = company.custom_field_definitions.get(ident)
        if label is None:
            raise errors.invalid_property(
                f"Property Name:CustomField specified is unsupported or invalid: there is no "
                f"custom field definition {ident or '(none)'} for {entity}",
                "CustomField.DefinitionId",
            )
        text = value.get("StringValue")
        if not isinstance(text, str) or value.get("Type", "StringType") != "StringType":
            raise errors.invalid_property(
                f"CustomField {ident} is a String field: send StringValue text",
                "CustomField.StringValue",
            )
        values.append(
            {"DefinitionId": ident, "Name": label, "Type": "StringType", "StringValue": text}
        )
    record["CustomField"] = values


def hide_unless_included(result: Any, params: dict[str, str]) -> Any:
    """The answer without customers' and vendors' custom field values unless the request
    asked for them (`include=enhancedAllCustomFields`); entities anywhere in it (a read, a
    query, a batch item, Change Data Capture)."""
    included = INCLUDE.casefold() in params.get("include", "").casefold().split(",")
    if not included:
        _strip(result)
    return result


def _strip(value: Any) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in WITH_FIELDS:
                for entity in inner if isinstance(inner, list) else [inner]:
                    if isinstance(entity, dict):
                        entity.pop("CustomField", None)
            else:
                _strip(inner)
    elif isinstance(value, list):
        for inner in value:
            _strip(inner)
