"""Create, sparse or full update, delete, void and read, with QuickBooks Online's rules.

* Name lists (Customer, Vendor, Employee, Item, Account) are never deleted: a "delete" is
  Active=false through an update; `operation=delete` on them answers 500 Unsupported
  Operation (Intuit's entity pages offer no delete for them).
* A sparse update replaces each top-level field it sends; one that sends `Line` replaces
  all the lines (Intuit's "sparse update" notes).
* An update or delete with a SyncToken other than the current one answers 5010.
* An update of a missing Id answers 610 (like a read).
* Voiding an invoice with payments applied, or deleting one, is refused (6000): stricter
  than QuickBooks Online's web UI, which unapplies the payments.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from sfqb.sandbox.qbo import currency, custom_fields, errors, rules, txns
from sfqb.sandbox.qbo.company import LISTS, TRANSACTIONS, Company, Record

READ_ONLY = ("Id", "SyncToken", "MetaData", "domain", "sparse")
COMPUTED = (
    "TotalAmt",
    "Balance",
    "TxnTaxDetail",
    "UnappliedAmt",
    "FullyQualifiedName",
    "Level",
)
WRITABLE = ("Customer", "Vendor", "Employee", "Item", "Account", *TRANSACTIONS)


class Books:
    """The write and read operations of one company."""

    def __init__(self, company: Company) -> None:
        self.company = company
        # Called with (entity, body) before an update is checked: fault injection's "a person
        # saves the record between the client's read and its write" (QboSandbox).
        self.before_update: list[Callable[[str, Record], None]] = []

    def read(self, entity: str, ident: str) -> Record:
        """GET /{entity}/{id}: the record, or 610."""
        record = self.company.get(entity, ident)
        if record is None:
            raise errors.not_found(entity, ident)
        return record

    def create(self, entity: str, body: Record) -> Record:
        """POST /{entity} without an Id."""
        self._writable(entity)
        record = {k: copy.deepcopy(v) for k, v in body.items() if k not in READ_ONLY}
        with self.company.lock:
            self._validate(entity, record, None)
            stored = self.company.add(entity, record)
            if entity == "Payment":
                txns.rebalance(self.company, txns.linked_ids(stored))
            return self.company.get(entity, stored["Id"]) or stored

    def update(self, entity: str, body: Record) -> Record:
        """POST /{entity} with Id and SyncToken (sparse when "sparse": true)."""
        self._writable(entity)
        with self.company.lock:
            for hook in list(self.before_update):
                hook(entity, body)
            current = self._current(entity, body)
            if body.get("sparse") is True:
                record = copy.deepcopy(current)
                for key, value in body.items():
                    if key not in READ_ONLY and key not in COMPUTED:
                        record[key] = copy.deepcopy(value)
            else:
                record = {k: copy.deepcopy(v) for k, v in body.items() if k not in READ_ONLY}
                for key in ("Id", "SyncToken", "MetaData", "domain"):
                    record[key] = current[key]
            record["sparse"] = False
            old_links = txns.linked_ids(current) if entity == "Payment" else []
            # Custom fields are checked when the request sends them (values stored before the
            # company lost the Custom Fields API do not stop other updates).
            self._validate(entity, record, current["Id"], fields="CustomField" in body)
            stored = self.company.put(entity, record)
            if entity == "Payment":
                txns.rebalance(self.company, old_links + txns.linked_ids(stored))
            if entity == "Customer":
                rules.refresh_children(self.company, stored["Id"])
            return self.company.get(entity, stored["Id"]) or stored

    def delete(self, entity: str, body: Record) -> Record:
        """POST /{entity}?operation=delete: transactions only."""
        if entity in LISTS:
            raise errors.unsupported(f"Delete on {entity} (make it inactive instead)")
        self._writable(entity)
        with self.company.lock:
            current = self._current(entity, body)
            if entity == "Invoice" and txns.applied_to(self.company, current["Id"], None):
                raise errors.business("The invoice has payments applied; delete them first")
            self.company.remove(entity, current["Id"])
            if entity == "Payment":
                txns.rebalance(self.company, txns.linked_ids(current))
            return {"domain": "QBO", "status": "Deleted", "Id": current["Id"]}

    def void(self, entity: str, body: Record) -> Record:
        """POST /invoice?operation=void: amounts to zero, kept with PrivateNote "Voided"."""
        if entity not in ("Invoice", "SalesReceipt", "Payment"):
            raise errors.unsupported(f"Void on {entity}")
        with self.company.lock:
            current = self._current(entity, body)
            if entity == "Invoice" and txns.applied_to(self.company, current["Id"], None):
                raise errors.business("The invoice has payments applied; it cannot be voided")
            record = copy.deepcopy(current)
            for line in record.get("Line") or []:
                line["Amount"] = 0.0
                detail = line.get("SalesItemLineDetail")
                if isinstance(detail, dict):
                    detail["Qty"] = 0
            for key in ("TotalAmt", "Balance", "UnappliedAmt"):
                if key in record:
                    record[key] = 0.0
            if "TxnTaxDetail" in record:
                record["TxnTaxDetail"] = {"TotalTax": 0.0}
            record["PrivateNote"] = "Voided"
            stored = self.company.put(entity, record, operation="Void")
            if entity == "Payment":
                txns.rebalance(self.company, txns.linked_ids(current))
            return stored

    def write(self, entity: str, operation: str, body: Record) -> Record:
        """A batch item's operation: create, update, delete (or void)."""
        if operation == "create":
            return self.create(entity, body)
        if operation == "update":
            return self.update(entity, body)
        if operation == "delete":
            return self.delete(entity, body)
        if operation == "void":
            return self.void(entity, body)
        raise errors.unsupported(f"{operation!r}")

    def deactivate(self, entity: str, ident: str) -> Record:
        """Make a name inactive (what QuickBooks Online calls deleting it)."""
        current = self.read(entity, ident)
        return self.update(
            entity,
            {"Id": ident, "SyncToken": current["SyncToken"], "sparse": True, "Active": False},
        )

    # -- helpers ----------------------------------------------------------------------------

    def _writable(self, entity: str) -> None:
        if entity not in WRITABLE:
            raise errors.unsupported(f"Write on {entity}")

    def _current(self, entity: str, body: Record) -> Record:
        ident, token = body.get("Id"), body.get("SyncToken")
        if ident in (None, ""):
            raise errors.required(f"{entity}.Id")
        if token in (None, ""):
            raise errors.required(f"{entity}.SyncToken")
        current = self.company.records[entity].get(str(ident))
        if current is None:
            raise errors.not_found(entity, str(ident))
        if str(token) != current["SyncToken"]:
            raise errors.stale(entity, str(token), current["SyncToken"])
        return copy.deepcopy(current)

    def _validate(
        self, entity: str, record: Record, own_id: str | None, *, fields: bool = True
    ) -> None:
        company = self.company
        if fields:
            custom_fields.check(company, entity, record)
        if entity in ("Customer", "Vendor", "Employee"):
            rules.party(company, entity, record, own_id)
            currency.party(company, entity, record, own_id)
        elif entity == "Item":
            rules.item(company, record, own_id)
        elif entity == "Account":
            rules.account(company, record, own_id)
        elif entity == "Payment":
            txns.payment(company, record, own_id)
        else:
            txns.sales_form(company, entity, record, own_id)


def merge(books: Books, source_id: str, target_id: str) -> Any:
    """Merge customer `source_id` into `target_id` (fault injection: what a user does in
    QuickBooks Online): transactions move to the survivor, the source disappears, CDC reports
    it Deleted and webhooks a Merge with deletedId."""
    company = books.company
    with company.lock:
        books.read("Customer", target_id)
        books.read("Customer", source_id)
        for entity in TRANSACTIONS:
            for record in list(company.records[entity].values()):
                if record.get("CustomerRef", {}).get("value") == source_id:
                    moved = copy.deepcopy(record)
                    moved["CustomerRef"] = {"value": target_id}
                    company.put(entity, moved)
        survivor = company.records["Customer"][target_id]
        company.put("Customer", copy.deepcopy(survivor))
        company.remove("Customer", source_id, merged_into=target_id)
