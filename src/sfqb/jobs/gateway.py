"""Salesforce as the runner sees it: changed records as plain payloads, and batched writes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from sfqb.connectors.salesforce import (
    RecordUpdate,
    SalesforceConnector,
    SfAccount,
    SfOpportunity,
    SfPricebookEntry,
    SfProduct,
    SObjectDescription,
)
from sfqb.sync.records import SfWrite, SfWriteResult


class SalesforceSource(Protocol):
    """What the runner needs of Salesforce."""

    def read(self, sobject: str, since: datetime) -> tuple[list[dict[str, Any]], datetime]:
        """Payloads of records changed since `since`, and the new high-water mark."""
        ...

    def read_ids(self, sobject: str, ids: Sequence[str]) -> list[dict[str, Any]]:
        """Payloads of the records with these Ids (missing ones left out)."""
        ...

    def write(self, writes: Sequence[SfWrite]) -> list[SfWriteResult]:
        """Apply writes (200 a call); one result per write, in order."""
        ...


class SalesforceGateway:
    """SalesforceSource over the real connector."""

    def __init__(self, connector: SalesforceConnector) -> None:
        self._connector = connector

    def read(self, sobject: str, since: datetime) -> tuple[list[dict[str, Any]], datetime]:
        """Changed Accounts, Products (with their price) or Opportunities (with their lines)."""
        if sobject == "Account":
            batch = self._connector.read_changes(SfAccount, since)
            return [r.to_payload() for r in batch.records], batch.high_water_mark
        if sobject == "Opportunity":
            opps = self._connector.read_changes(SfOpportunity, since)
            return [r.to_payload() for r in opps.records], opps.high_water_mark
        if sobject == "Product2":
            products = self._connector.read_changes(SfProduct, since)
            entries = self._connector.read_changes(SfPricebookEntry, since)
            prices = _prices(e.to_payload() for e in entries.records)
            payloads = []
            for product in products.records:
                payload = product.to_payload()
                if product.id in prices:
                    payload["PricebookEntry"] = prices[product.id]
                payloads.append(payload)
            return payloads, min(products.high_water_mark, entries.high_water_mark)
        raise ValueError(f"sfqb does not read {sobject}")

    def read_ids(self, sobject: str, ids: Sequence[str]) -> list[dict[str, Any]]:
        """Records by Id: the parents a cycle needs that Salesforce did not report as changed.

        A product read this way has no price: its price book entry is read only with changes.
        """
        types = {"Account": SfAccount, "Product2": SfProduct, "Opportunity": SfOpportunity}
        if sobject not in types:
            raise ValueError(f"sfqb does not read {sobject}")
        return [r.to_payload() for r in self._connector.read_records(types[sobject], list(ids))]

    def org_id(self) -> str:
        """The Id of the org the connection reaches."""
        return self._connector.org_id()

    def describe(self, sobject: str) -> SObjectDescription:
        """The fields of `sobject` the integration user can see, with its edit rights."""
        return self._connector.describe(sobject)

    def write(self, writes: Sequence[SfWrite]) -> list[SfWriteResult]:
        """Write through sObject Collections; failed records carry their decoded statuses."""
        updates = [RecordUpdate(w.sobject, w.record_id, dict(w.fields)) for w in writes]
        results = self._connector.write_back(updates)
        return [
            SfWriteResult(w.sobject, w.record_id, () if r.success else r.statuses or ())
            for w, r in zip(writes, results, strict=True)
        ]


def _prices(entries: Any) -> dict[str, Mapping[str, Any]]:
    """The price of each product: its first active price book entry."""
    prices: dict[str, Mapping[str, Any]] = {}
    for entry in entries:
        product = entry.get("Product2Id")
        if product and entry.get("IsActive") is not False and product not in prices:
            prices[product] = {"UnitPrice": entry.get("UnitPrice")}
    return prices
