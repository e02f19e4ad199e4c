"""The Salesforce Id in a QuickBooks Online custom field (the company's binding_definition_id).

Intuit's Custom Fields API (a premium API) gives customers and vendors custom fields; the
Accounting API writes a value as `CustomField: [{"DefinitionId", "StringValue", "Type"}]`
and answers it at `include=enhancedAllCustomFields` ("Develop using the Custom Fields API",
"Custom fields use cases"). Items have none, and no query can filter on one, so the field is
not how sfqb finds a record: it is a marker on the record itself, read back as
`QbRecord.marker` (the engine then confirms a DisplayName look-up's candidate by it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

WITH_FIELDS = frozenset({"Customer", "Vendor"})  # the entities custom fields serve


def value(definition: str, sf_id: str) -> dict[str, str]:
    """The CustomField value that holds `sf_id` in `definition`."""
    return {"DefinitionId": definition, "StringValue": sf_id, "Type": "StringType"}


def marker_of(entity: Mapping[str, Any], definition: str) -> str | None:
    """The text `entity` holds in custom field `definition`, if any."""
    for item in entity.get("CustomField") or ():
        if isinstance(item, Mapping) and str(item.get("DefinitionId", "")) == definition:
            text = item.get("StringValue")
            return text if isinstance(text, str) and text else None
    return None


def merged(current: Sequence[Any] | None, definition: str, sf_id: str) -> list[dict[str, Any]]:
    """The record's CustomField array with `sf_id` in `definition` and every other value kept
    (Intuit does not say whether an update's array replaces the values it leaves out)."""
    kept = [
        {k: v for k, v in item.items() if k in ("DefinitionId", "StringValue", "Type")}
        for item in current or ()
        if isinstance(item, Mapping) and str(item.get("DefinitionId", "")) != definition
    ]
    return [*kept, value(definition, sf_id)]
