"""An in-memory QuickBooks Online behind the QboApi protocol, small and deterministic."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sfqb.codes import Catalog, load_catalog
from sfqb.connectors.qbo.api import (
    BatchAnswer,
    BatchItem,
    BatchOperation,
    Changes,
    Fault,
    FaultError,
    QboFault,
)
from sfqb.connectors.qbo.operations import QboDriver
from sfqb.sync.ops import ReplyLost

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
_IN = re.compile(
    r"^SELECT \* FROM (\w+) WHERE ([\w.]+) (IN|=|>=) (.+?)(?: AND Active .*?)?(?: ORDERBY .*)?$"
)


def fault(code: str, message: str, detail: str = "") -> Fault:
    return Fault("ValidationFault", (FaultError(code, message, detail),), 400)


class FakeQbo:
    """Records every call; `faults` maps a DisplayName/Name to the Fault its write answers."""

    def __init__(self) -> None:
        self.entities: dict[str, dict[str, dict[str, Any]]] = {}
        self.batches: list[tuple[str, list[BatchItem]]] = []
        self.queries: list[str] = []
        self.cdc_calls: list[tuple[tuple[str, ...], datetime]] = []
        self.faults: dict[str, Fault] = {}
        self.cdc_cap = 1000
        self.query_fault: Fault | None = None
        self._replies: dict[str, list[BatchAnswer]] = {}
        self.modes: list[bool] = []  # per batch sent: as single requests (True) or one batch
        self.singly = False  # what batch_singly answers: the minute's batch requests are spent
        self.lose_next = False  # the next batch is done but its answer is lost
        self._next = 100
        self._tick = 0

    def add(self, entity: str, **fields: Any) -> dict[str, Any]:
        self._next += 1
        self._tick += 1
        stamp = (NOW - timedelta(days=1) + timedelta(minutes=self._tick)).isoformat()
        record = {"Id": str(self._next), "SyncToken": "0", "Active": True, **fields}
        record["MetaData"] = {"CreateTime": stamp, "LastUpdatedTime": stamp}
        self.entities.setdefault(entity, {})[record["Id"]] = record
        return record

    # -- QboApi ----------------------------------------------------------------------------
    def query(self, statement: str) -> list[dict[str, Any]]:
        self.queries.append(statement)
        if self.query_fault is not None:
            raise QboFault(self.query_fault)
        match = _IN.match(statement)
        assert match, statement
        entity, field, operator, value = match.groups()
        rows = list(self.entities.get(entity, {}).values())
        if operator == "IN":
            wanted = re.findall(r"'((?:[^'\\]|\\.)*)'", value)
            wanted = [w.replace("\\'", "'") for w in wanted]
            return [r for r in rows if str(r.get(field)) in wanted]
        if operator == "=":
            literal = value.strip("'")
            if literal in ("true", "false"):
                return [r for r in rows if r.get(field) is (literal == "true")]
            return [r for r in rows if str(r.get(field)) == literal]
        since = datetime.fromisoformat(value.strip("'").replace("Z", "+00:00"))
        return [r for r in rows if _updated(r) >= since]

    def read(self, entity: str, entity_id: str) -> dict[str, Any]:
        return self.entities[entity][entity_id]

    def batch_singly(self) -> bool:
        return self.singly

    def batch(
        self, items: Sequence[BatchItem], request_id: str, *, singly: bool | None = None
    ) -> list[BatchAnswer]:
        assert len(items) <= 30 and len(request_id) <= 36
        assert all(len(i.bid) <= 10 for i in items)
        self.batches.append((request_id, list(items)))
        self.modes.append(bool(singly))
        if request_id not in self._replies:  # Intuit replays a known requestid's answer
            self._replies[request_id] = [self._item(i) for i in items]
        if self.lose_next:  # done, but the answer never arrives
            self.lose_next = False
            raise ReplyLost("the batch's answer never arrived")
        return self._replies[request_id]

    def _item(self, item: BatchItem) -> BatchAnswer:
        body = dict(item.body)
        name = str(body.get("DisplayName") or body.get("Name") or "")
        if name in self.faults:
            return BatchAnswer(item.bid, fault=self.faults[name])
        if item.operation is BatchOperation.CREATE:
            if name and any(
                r.get("DisplayName") == name for r in self.entities.get(item.entity, {}).values()
            ):
                return BatchAnswer(item.bid, fault=fault("6240", "Duplicate Name Exists Error"))
            return BatchAnswer(item.bid, entity=self.add(item.entity, **body))
        current = self.entities[item.entity][str(body["Id"])]
        if current["SyncToken"] != body["SyncToken"]:
            return BatchAnswer(item.bid, fault=fault("5010", "Stale Object Error"))
        current.update({k: v for k, v in body.items() if k not in ("sparse", "SyncToken")})
        current["SyncToken"] = str(int(current["SyncToken"]) + 1)
        return BatchAnswer(item.bid, entity=current)

    def changes(self, entities: Sequence[str], since: datetime) -> Changes:
        self.cdc_calls.append((tuple(entities), since))
        found = {
            e: tuple(r for r in self.entities.get(e, {}).values() if _updated(r) >= since)
            for e in entities
        }
        total = sum(len(v) for v in found.values())
        if total >= self.cdc_cap:
            kept, left = {}, self.cdc_cap
            for e, rows in found.items():
                kept[e], left = rows[:left], max(left - len(rows), 0)
            return Changes(kept, truncated=True)
        return Changes(found)

    def preferences(self) -> dict[str, Any]:
        return {
            "Id": "1",
            "SyncToken": "3",
            "ProductAndServicesPrefs": {"QuantityOnHand": False},
            "CurrencyPrefs": {"MultiCurrencyEnabled": False},
            "TaxPrefs": {"UsingSalesTax": True, "PartnerTaxEnabled": True},
        }

    def company_info(self) -> dict[str, Any]:
        return {"Id": "1", "CompanyName": "Demo", "Country": "US"}


def _updated(record: Mapping[str, Any]) -> datetime:
    return datetime.fromisoformat(record["MetaData"]["LastUpdatedTime"])


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def qbo() -> FakeQbo:
    return FakeQbo()


@pytest.fixture
def driver(qbo: FakeQbo, catalog: Catalog) -> QboDriver:
    return QboDriver(qbo, catalog, clock=lambda: NOW)


@pytest.fixture
def now() -> datetime:
    return NOW
