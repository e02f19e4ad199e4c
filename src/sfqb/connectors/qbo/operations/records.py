"""QuickBooks Online JSON entities -> the engine's QbRecord, and its times and entity names."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sfqb.connectors.qbo.operations.custom_field import WITH_FIELDS, marker_of
from sfqb.sync.ops import QbRecord

# The engine's QuickBooks Desktop type names that QuickBooks Online spells otherwise: every
# item type is one Item entity (its Type says which), a received payment is a Payment.
_ENTITY = {
    "ItemService": "Item",
    "ItemNonInventory": "Item",
    "ItemInventory": "Item",
    "ReceivePayment": "Payment",
}
# Name lists: a query returns only active records unless it asks for both.
NAME_LISTS = frozenset({"Customer", "Item", "Vendor", "Employee", "Account"})


def entity_of(qb_type: str) -> str:
    """The QuickBooks Online entity of an op's type."""
    return _ENTITY.get(qb_type, qb_type)


def parse_time(text: object) -> datetime | None:
    """A QuickBooks Online dateTime ("2015-07-24T10:33:39-07:00") as an aware UTC time."""
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def format_time(moment: datetime) -> str:
    """A time as QuickBooks Online reads it: ISO 8601 in UTC (a naive time is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def updated_at(entity: Mapping[str, Any]) -> datetime | None:
    """When QuickBooks Online last changed an entity (MetaData.LastUpdatedTime)."""
    meta = entity.get("MetaData")
    return parse_time(meta.get("LastUpdatedTime")) if isinstance(meta, Mapping) else None


def _name(entity_name: str, entity: Mapping[str, Any]) -> str | None:
    for key in ("DisplayName", "Name", "DocNumber"):
        value = entity.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def applied_to(entity: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The transactions a Payment pays (Line[].LinkedTxn), as {TxnID, TxnType, Amount}."""
    out: list[dict[str, Any]] = []
    for line in entity.get("Line") or ():
        if not isinstance(line, Mapping):
            continue
        for linked in line.get("LinkedTxn") or ():
            if isinstance(linked, Mapping) and linked.get("TxnId"):
                out.append(
                    {
                        "TxnID": str(linked["TxnId"]),
                        "TxnType": str(linked.get("TxnType", "")),
                        "Amount": line.get("Amount"),
                    }
                )
    return out


def to_record(entity_name: str, entity: Mapping[str, Any], marker_field: str = "") -> QbRecord:
    """One entity as a QbRecord: `fields` is the entity itself (the QuickBooks Online map set
    reads its JSON names); a Payment adds `AppliedToTxn`, the transactions it pays. With
    `marker_field` (a custom field's DefinitionId), a customer's or vendor's value there is
    its `marker`."""
    fields = dict(entity)
    if entity_name == "Payment":
        fields["AppliedToTxn"] = applied_to(entity)
    if entity_name == "Account":
        # The chart of accounts as the preflight reads it (preflight_qbo.yaml `accounts`).
        fields["FullName"] = entity.get("FullyQualifiedName") or entity.get("Name")
        fields["AccountType"] = str(entity.get("AccountType", "")).replace(" ", "")
    token = entity.get("SyncToken")
    return QbRecord(
        qb_type=entity_name,
        id=str(entity.get("Id", "")),
        version=None if token is None else str(token),
        time_modified=updated_at(entity),
        name=_name(entity_name, entity),
        fields=fields,
        marker=marker_of(entity, marker_field)
        if marker_field and entity_name in WITH_FIELDS
        else None,
    )


def is_deleted(entity: Mapping[str, Any]) -> bool:
    """True for a Change Data Capture object that was deleted (`"status": "Deleted"`)."""
    return str(entity.get("status", "")).casefold() == "deleted"


def preference_fields(preferences: Mapping[str, Any], company: Mapping[str, Any]) -> dict[str, Any]:
    """The flags the preflight reads (preflight_qbo.yaml), with the raw entities beside them."""

    def flag(section: str, key: str) -> bool | None:
        part = preferences.get(section)
        value = part.get(key) if isinstance(part, Mapping) else None
        return value if isinstance(value, bool) else None

    return {
        "IsUsingInventory": flag("ProductAndServicesPrefs", "QuantityOnHand"),
        "IsMultiCurrencyOn": flag("CurrencyPrefs", "MultiCurrencyEnabled"),
        "UsingSalesTax": flag("TaxPrefs", "UsingSalesTax"),
        "AutomatedSalesTax": flag("TaxPrefs", "PartnerTaxEnabled"),
        "Country": company.get("Country"),
        "Preferences": dict(preferences),
        "CompanyInfo": dict(company),
    }
