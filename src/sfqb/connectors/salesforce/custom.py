"""Records of the custom objects a company names as a flow's source (`source:`, e.g.
Supplier__c): one record class per object, built when first read."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Annotated, cast

from sfqb.connectors.salesforce.records import Sf, SfRecord


@dataclass(frozen=True, slots=True, kw_only=True)
class SfCustomRecord(SfRecord):
    """A record of a custom object a company names as a flow's source (`source:`, e.g.
    Supplier__c): the fields every custom object has, and sfqb's status field; the field it
    keeps the QuickBooks Id in (its flow's: a vendor's or a credit's) and the fields the
    company's map reads come as extras (the connector's extra fields, mapping.read_fields)."""

    name: Annotated[str | None, Sf("Name")] = None
    last_modified_by: Annotated[str | None, Sf("LastModifiedById")] = None
    sync_status: Annotated[str | None, Sf("QuickBooks_Sync_Status__c")] = None


@cache
def custom_record_type(sobject: str) -> type[SfCustomRecord]:
    """The record class of the custom object `sobject` (one class a name, SOBJECT set)."""
    made = type(sobject, (SfCustomRecord,), {"SOBJECT": sobject, "__slots__": ()})
    return cast("type[SfCustomRecord]", made)
