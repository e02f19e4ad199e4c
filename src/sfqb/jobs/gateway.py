"""Salesforce as the runner sees it: changed records as plain payloads, and batched writes."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Protocol, TypeVar, runtime_checkable

from sfqb.connectors.salesforce import (
    ChangeBatch,
    RecordUpdate,
    SalesforceConnector,
    SfAccount,
    SfAccountContactRole,
    SfContact,
    SfOpportunity,
    SfOrder,
    SfPricebookEntry,
    SfProduct,
    SfRecord,
    SObjectDescription,
)
from sfqb.connectors.salesforce.custom import custom_record_type
from sfqb.domain.contacts import PrimaryContactRule, contact_values, primary_contact
from sfqb.mapping.soql import Condition
from sfqb.sync.records import SfWrite, SfWriteResult

_TYPES: Mapping[str, type[SfRecord]] = MappingProxyType(
    {"Account": SfAccount, "Product2": SfProduct, "Opportunity": SfOpportunity, "Order": SfOrder}
)
# An account's customer carries its primary contact: a contact or contact role changed alone
# re-reads its account (each stream keeps its own checkpoint).
_STREAMS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "Product2": ("Product2", "PricebookEntry"),
        "Account": ("Account", "Contact", "AccountContactRole"),
    }
)
R = TypeVar("R", bound=SfRecord)
PRIMARY_CONTACT = "PrimaryContact"  # the payload key the account maps read (PrimaryContact.Email)


class SalesforceSource(Protocol):
    """What the runner needs of Salesforce."""

    def streams(self, sobject: str) -> tuple[str, ...]:
        """The change streams (one checkpoint each) a read of `sobject` follows."""
        ...

    def read(
        self,
        sobject: str,
        since: Mapping[str, datetime],
        where: Condition | None = None,
        *,
        settled: Collection[str] = (),
    ) -> tuple[list[dict[str, Any]], dict[str, datetime]]:
        """Payloads of records changed since each stream's checkpoint (meeting `where`, the
        flow's filter, when given), and each new mark. A `settled` stream is read from its
        checkpoint on, without the overlap before it (see Gather.changes)."""
        ...

    def read_ids(
        self, sobject: str, ids: Sequence[str], where: Condition | None = None
    ) -> list[dict[str, Any]]:
        """Payloads of the records with these Ids (missing ones, and those not meeting
        `where`, left out)."""
        ...

    def write(self, writes: Sequence[SfWrite]) -> list[SfWriteResult]:
        """Apply writes (200 a call); one result per write, in order."""
        ...


Page = tuple[list[dict[str, Any]], dict[str, datetime]]  # payloads, each stream's mark so far


@runtime_checkable
class PagedSource(Protocol):
    """A SalesforceSource that can hand a read's changes out a query page at a time."""

    def read_pages(
        self,
        sobject: str,
        since: Mapping[str, datetime],
        where: Condition | None = None,
        *,
        settled: Collection[str] = (),
    ) -> Iterator[Page]:
        """`SalesforceSource.read` in pages: at least one; the next page is read only when the
        caller takes it, and the last page's marks are the read's."""
        ...


def change_pages(
    source: SalesforceSource,
    sobject: str,
    since: Mapping[str, datetime],
    where: Condition | None = None,
    settled: Collection[str] = (),
) -> Iterator[Page]:
    """A read's changes a page at a time when `source` can page them (else in one page). The
    source is asked with `where` only when given, and with `settled` only when not empty."""
    keywords: dict[str, Any] = {"settled": settled} if settled else {}
    args = (sobject, since, where) if where else (sobject, since)
    if isinstance(source, PagedSource):
        yield from source.read_pages(*args, **keywords)
    else:
        yield source.read(*args, **keywords)


class _Changes:
    """One read's change queries: each stream from its checkpoint, with the connector's overlap
    before it unless the stream is settled."""

    def __init__(
        self,
        connector: SalesforceConnector,
        since: Mapping[str, datetime],
        settled: Collection[str],
    ) -> None:
        self._connector, self._since, self._settled = connector, since, frozenset(settled)

    def read(self, record_type: type[R], where: Condition | None = None) -> ChangeBatch[R]:
        stream = record_type.SOBJECT
        overlap = timedelta(0) if stream in self._settled else None
        return self._connector.read_changes(record_type, self._since[stream], overlap, where=where)

    def pages(
        self, record_type: type[R], highs: dict[str, datetime], where: Condition | None = None
    ) -> Iterator[tuple[R, ...]]:
        """The read's records a query page at a time; `highs` follows the stream's mark."""
        stream = record_type.SOBJECT
        overlap = timedelta(0) if stream in self._settled else None
        since = self._since[stream]
        for batch in self._connector.read_change_pages(record_type, since, overlap, where):
            highs[stream] = batch.high_water_mark
            yield batch.records


class SalesforceGateway:
    """SalesforceSource over the real connector."""

    def __init__(
        self, connector: SalesforceConnector, contacts: PrimaryContactRule | None = None
    ) -> None:
        self._connector = connector
        self._rule = contacts or PrimaryContactRule()

    def streams(self, sobject: str) -> tuple[str, ...]:
        """A product's price lives on its price book entry: two streams, one checkpoint each."""
        return _STREAMS.get(sobject, (sobject,))

    def read(
        self,
        sobject: str,
        since: Mapping[str, datetime],
        where: Condition | None = None,
        *,
        settled: Collection[str] = (),
    ) -> tuple[list[dict[str, Any]], dict[str, datetime]]:
        """Changed Accounts, Products (with their price) or Opportunities (with their lines).

        A product is read when it or its price book entry changed, so a price changed alone
        reaches QuickBooks; each stream's mark moves on by its own records (neither holds the
        other back). `where` (the flow's filter) applies to the records of `sobject`.
        """
        changes = _Changes(self._connector, since, settled)
        if _custom(sobject):  # a company's custom object (a flow's `source:`)
            custom = changes.read(custom_record_type(sobject), where)
            return [r.to_payload() for r in custom.records], {sobject: custom.high_water_mark}
        if sobject not in _TYPES:
            raise ValueError(f"sfqb does not read {sobject}")
        if sobject == "Account":
            return self._accounts(changes, where)
        if sobject == "Order":
            read = changes.read(SfOrder, where)
            orders = self._originals(read.records)
            return [r.to_payload() for r in orders], {sobject: read.high_water_mark}
        if sobject != "Product2":
            batch = changes.read(_TYPES[sobject], where)
            return [r.to_payload() for r in batch.records], {sobject: batch.high_water_mark}
        products = changes.read(SfProduct, where)
        entries = changes.read(SfPricebookEntry)
        changed = {p.id: p for p in products.records}
        others = sorted({str(e.product_id) for e in entries.records if e.product_id} - set(changed))
        if others:  # the price changed, the product did not
            found = self._connector.read_records(SfProduct, others, where=where)
            changed.update((p.id, p) for p in found)
        ordered = sorted(changed.values(), key=lambda p: (p.system_modstamp, p.id))
        changed_entries = entries.records
        known = {e.product_id for e in changed_entries}
        payloads = self._priced(ordered, _prices(e.to_payload() for e in changed_entries), known)
        highs = {"Product2": products.high_water_mark, "PricebookEntry": entries.high_water_mark}
        return payloads, highs

    def read_pages(
        self,
        sobject: str,
        since: Mapping[str, datetime],
        where: Condition | None = None,
        *,
        settled: Collection[str] = (),
    ) -> Iterator[Page]:
        """`read` a query page at a time (PagedSource), so no read holds every changed record.

        The contact, contact role and price book entry streams are read first, keeping only
        the Ids of the accounts or products they touch (and prices); after the pages of its
        own stream, a record touched only through them is read by Id (200 a page).
        """
        custom = _custom(sobject)  # a company's custom object (a flow's `source:`)
        if sobject not in _TYPES and not custom:
            raise ValueError(f"sfqb does not read {sobject}")
        changes = _Changes(self._connector, since, settled)
        highs = {stream: since[stream] for stream in self.streams(sobject)}
        if sobject == "Account":
            touched = {c.account_id for p in changes.pages(SfContact, highs) for c in p}
            touched |= {r.account_id for p in changes.pages(SfAccountContactRole, highs) for r in p}
            accounts = changes.pages(SfAccount, highs, where)
            for page in self._then_by_id(SfAccount, accounts, touched, where):
                yield self._with_contacts(page), dict(highs)
        elif sobject == "Product2":
            prices: dict[str, Mapping[str, Any]] = {}
            touched = set()
            for entries in changes.pages(SfPricebookEntry, highs):
                touched |= {e.product_id for e in entries}
                for product, price in _prices(e.to_payload() for e in entries).items():
                    prices.setdefault(product, price)  # the first active entry, as `_prices`
            products = changes.pages(SfProduct, highs, where)
            for priced in self._then_by_id(SfProduct, products, touched, where):
                yield self._priced(priced, prices, touched), dict(highs)
        else:
            record_type = custom_record_type(sobject) if custom else _TYPES[sobject]
            for records in changes.pages(record_type, highs, where):
                kept = self._originals(records) if sobject == "Order" else records
                yield [r.to_payload() for r in kept], dict(highs)

    def _then_by_id(
        self,
        record_type: type[R],
        pages: Iterator[tuple[R, ...]],
        touched: set[str | None],
        where: Condition | None,
    ) -> Iterator[Sequence[R]]:
        """`pages`, then the `touched` records (Ids) they did not hold, read by Id."""
        seen: set[str] = set()
        for page in pages:
            seen.update(r.id for r in page)
            yield page
        left = sorted(i for i in touched if i and i not in seen)
        for start in range(0, len(left), 200):
            found = self._connector.read_records(
                record_type, left[start : start + 200], where=where
            )
            if found:
                yield sorted(found, key=lambda r: (r.system_modstamp, r.id))

    def read_ids(
        self, sobject: str, ids: Sequence[str], where: Condition | None = None
    ) -> list[dict[str, Any]]:
        """Records by Id: the parents a cycle needs that Salesforce did not report as changed.

        A product comes with its price, like a changed one; `where` is the flow's filter.
        """
        if _custom(sobject):
            custom = custom_record_type(sobject)
            found = self._connector.read_records(custom, list(ids), where=where)
            return [r.to_payload() for r in found]
        if sobject not in _TYPES:
            raise ValueError(f"sfqb does not read {sobject}")
        records = self._connector.read_records(_TYPES[sobject], list(ids), where=where)
        if sobject == "Product2":
            return self._priced(records)
        if sobject == "Account":
            return self._with_contacts(records)
        if sobject == "Order":
            return [r.to_payload() for r in self._originals(records)]
        return [r.to_payload() for r in records]

    def _accounts(
        self, changes: _Changes, where: Condition | None
    ) -> tuple[list[dict[str, Any]], dict[str, datetime]]:
        """Accounts changed, or whose contacts or contact roles changed, with their primary
        contact; only those inside `where` (the flow's filter). Every read is bounded: changes
        since a checkpoint, then records by Id."""
        accounts = changes.read(SfAccount, where)
        contacts = changes.read(SfContact)
        roles = changes.read(SfAccountContactRole)
        changed = {a.id: a for a in accounts.records}
        touched = {c.account_id for c in contacts.records} | {r.account_id for r in roles.records}
        others = sorted({a for a in touched if a} - set(changed))
        if others:  # a contact changed, its account did not
            found = self._connector.read_records(SfAccount, others, where=where)
            changed.update((a.id, a) for a in found)
        ordered = sorted(changed.values(), key=lambda a: (a.system_modstamp, a.id))
        highs = {
            "Account": accounts.high_water_mark,
            "Contact": contacts.high_water_mark,
            "AccountContactRole": roles.high_water_mark,
        }
        return self._with_contacts(ordered), highs

    def _with_contacts(self, accounts: Sequence[SfAccount]) -> list[dict[str, Any]]:
        """Account payloads with `PrimaryContact` (the company's rule picks it; None without)."""
        ids = [a.id for a in accounts]
        by_account: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
        roles: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
        if ids:
            for contact in self._connector.read_records(SfContact, ids, by="AccountId"):
                by_account.setdefault(str(contact.account_id), []).append(contact.to_payload())
            if self._rule.uses_roles:
                found = self._connector.read_records(SfAccountContactRole, ids, by="AccountId")
                for role in found:
                    roles.setdefault(str(role.account_id), []).append(role.to_payload())
        payloads = []
        for account in accounts:
            payload = account.to_payload()
            chosen = primary_contact(self._rule, by_account[account.id], roles[account.id])
            payload[PRIMARY_CONTACT] = contact_values(chosen)
            payloads.append(payload)
        return payloads

    def _originals(self, orders: Sequence[SfRecord]) -> list[SfRecord]:
        """Orders to send, each once: a reduction order stands for the order it reduces, read
        again so its products' AvailableQuantity show what the reductions left (a reduction
        order is never a QuickBooks document of its own)."""
        kept: dict[str, SfRecord] = {}
        wanted: set[str] = set()
        for order in orders:
            assert isinstance(order, SfOrder)
            if order.is_reduction_order and order.original_order_id:
                wanted.add(order.original_order_id)
            elif not order.is_reduction_order:
                kept[order.id] = order
        missing = sorted(wanted - set(kept))
        if missing:
            kept.update((o.id, o) for o in self._connector.read_records(SfOrder, missing))
        return sorted(kept.values(), key=lambda o: (o.system_modstamp, o.id))

    def _priced(
        self,
        products: Sequence[SfProduct],
        prices: Mapping[str, Mapping[str, Any]] | None = None,
        known: Collection[str | None] = (),
    ) -> list[dict[str, Any]]:
        """Product payloads with their price: from `prices` (of the changed price book entries,
        which touched the products `known`), else read by Product2Id."""
        unpriced = sorted(p.id for p in products if p.id not in known)
        found = prices or {}
        if unpriced:
            entries = self._connector.read_records(SfPricebookEntry, unpriced, by="Product2Id")
            found = {**_prices(e.to_payload() for e in entries), **found}
        payloads = []
        for product in products:
            payload = product.to_payload()
            if product.id in found:
                payload["PricebookEntry"] = found[product.id]
            payloads.append(payload)
        return payloads

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


def _custom(sobject: str) -> bool:
    return sobject.endswith("__c")


def _prices(entries: Any) -> dict[str, Mapping[str, Any]]:
    """The price of each product: its first active price book entry."""
    prices: dict[str, Mapping[str, Any]] = {}
    for entry in entries:
        product = entry.get("Product2Id")
        if product and entry.get("IsActive") is not False and product not in prices:
            prices[product] = {"UnitPrice": entry.get("UnitPrice")}
    return prices
