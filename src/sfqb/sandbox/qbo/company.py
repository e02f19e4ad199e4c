"""The company's records in memory: Ids, SyncTokens, MetaData, deletions and the change log."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sfqb.sandbox.qbo.config import QboConfig

NAME_LISTS = ("Customer", "Vendor", "Employee")
LISTS = (*NAME_LISTS, "Item", "Account", "TaxCode")
TRANSACTIONS = ("Invoice", "SalesReceipt", "Estimate", "CreditMemo", "Payment")
ENTITIES = (*LISTS, *TRANSACTIONS)
BY_LOWER = {name.lower(): name for name in ENTITIES}
Record = dict[str, Any]


def iso(when: datetime) -> str:
    """A MetaData time as QuickBooks Online writes it (ISO 8601 with offset)."""
    return when.isoformat(timespec="seconds")


@dataclass(frozen=True)
class Change:
    """One change a webhook reports: Create, Update, Delete, Void or Merge."""

    entity: str
    id: str
    operation: str
    when: datetime
    deleted_id: str | None = None


class Company:
    """All records of one realm; every method is safe to call from any thread."""

    def __init__(self, config: QboConfig, clock: Callable[[], datetime]) -> None:
        self.config = config
        self.realm = config.realm
        self.clock = clock
        self.lock = threading.RLock()
        self.records: dict[str, dict[str, Record]] = {name: {} for name in ENTITIES}
        self.deleted: dict[str, dict[str, datetime]] = {name: {} for name in ENTITIES}
        self.changes: list[Change] = []
        self.listeners: list[Callable[[Change], None]] = []
        self._next: dict[str, int] = dict.fromkeys(ENTITIES, 1)
        self.preferences: Record = {}
        # Intuit's premium Custom Fields API for this company (custom_fields.py).
        self.custom_fields_api = config.custom_fields_api
        self.custom_field_definitions = dict(config.custom_field_definitions)
        self.company_info: Record = {}

    # -- reading ----------------------------------------------------------------------------

    def get(self, entity: str, ident: str) -> Record | None:
        """A copy of the record, or None when it does not exist (or was deleted)."""
        with self.lock:
            record = self.records[entity].get(str(ident))
            return copy.deepcopy(record) if record is not None else None

    def all(self, entity: str) -> list[Record]:
        """Copies of every record of `entity`, by Id."""
        with self.lock:
            return [copy.deepcopy(r) for r in _by_id(self.records[entity].values())]

    def count(self, entity: str) -> int:
        """How many records of `entity` exist."""
        with self.lock:
            return len(self.records[entity])

    # -- writing ----------------------------------------------------------------------------

    def add(self, entity: str, body: Record, *, ident: str | None = None) -> Record:
        """Store a new record: Id, SyncToken "0" and MetaData assigned; reports a Create."""
        with self.lock:
            now = self.clock()
            if ident is None:
                # Transactions share one sequence of Ids: a transaction's Id is its txnId, the
                # one QuickBooks Online's own pages show for every kind of form (ruckus/
                # quickbooks-ruby #605: an Invoice's Id is the txnId of its page). So an invoice
                # and a credit memo never share an Id.
                counter = "Invoice" if entity in TRANSACTIONS else entity
                ident = str(self._next[counter])
                self._next[counter] += 1
            record = copy.deepcopy(body)
            record["Id"] = ident
            record["SyncToken"] = "0"
            record["MetaData"] = {"CreateTime": iso(now), "LastUpdatedTime": iso(now)}
            record["domain"] = "QBO"
            record["sparse"] = False
            self.records[entity][ident] = record
            self._emit(Change(entity, ident, "Create", now))
            return copy.deepcopy(record)

    def put(self, entity: str, record: Record, operation: str = "Update") -> Record:
        """Store a changed record: SyncToken + 1, LastUpdatedTime now; reports `operation`."""
        with self.lock:
            now = self.clock()
            stored = copy.deepcopy(record)
            stored["SyncToken"] = str(int(stored.get("SyncToken", "0")) + 1)
            meta = dict(stored.get("MetaData") or {})
            meta["LastUpdatedTime"] = iso(now)
            stored["MetaData"] = meta
            self.records[entity][stored["Id"]] = stored
            self._emit(Change(entity, stored["Id"], operation, now))
            return copy.deepcopy(stored)

    def remove(self, entity: str, ident: str, *, merged_into: str | None = None) -> None:
        """Delete a record for good; CDC then reports it with status Deleted."""
        with self.lock:
            now = self.clock()
            self.records[entity].pop(ident, None)
            self.deleted[entity][ident] = now
            if merged_into is None:
                self._emit(Change(entity, ident, "Delete", now))
            else:
                self._emit(Change(entity, merged_into, "Merge", now, deleted_id=ident))

    def _emit(self, change: Change) -> None:
        self.changes.append(change)
        for listener in list(self.listeners):
            listener(change)

    # -- change data capture ----------------------------------------------------------------

    def changed_since(self, entity: str, since: datetime) -> list[tuple[datetime, Record]]:
        """Records changed at or after `since` and tombstones of deletions, oldest first."""
        with self.lock:
            found: list[tuple[datetime, Record]] = []
            for record in self.records[entity].values():
                updated = datetime.fromisoformat(record["MetaData"]["LastUpdatedTime"])
                if updated >= since:
                    found.append((updated, copy.deepcopy(record)))
            for ident, when in self.deleted[entity].items():
                if when >= since:
                    tomb: Record = {"domain": "QBO", "status": "Deleted", "Id": ident}
                    tomb["MetaData"] = {"LastUpdatedTime": iso(when)}
                    found.append((when, tomb))
            found.sort(key=lambda pair: (pair[0], _id_key(pair[1]["Id"])))
            return found


def _id_key(ident: str) -> tuple[int, str]:
    return (int(ident), "") if ident.isdigit() else (1 << 62, ident)


def _by_id(records: Any) -> list[Record]:
    return sorted(records, key=lambda r: _id_key(r["Id"]))
