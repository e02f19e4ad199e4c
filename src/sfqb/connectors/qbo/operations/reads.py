"""The engine's reads as QuickBooks Online queries and Change Data Capture calls.

Change Data Capture answers at most 1,000 objects for all the entities of a call, and a full
answer says nothing of what it left out, so it is never taken as complete. When a call comes
back truncated, every entity of that call is read again by a query on
Metadata.LastUpdatedTime from the same `since` (the client pages it to the end): that read is
complete, so the records it returns are all there is and the engine's high-water mark (the
newest LastUpdatedTime among them) does not pass anything unread. If that query fails, the op
answers the failure: the engine marks its read incomplete and does not move the checkpoint.
Deletions have no query: a truncated call is narrowed to one entity a call, and if that is
still full the op answers CHANGES_TRUNCATED (again: no checkpoint, read next cycle).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sfqb.codes import Catalog
from sfqb.connectors.qbo.api import QboApi, QboFault
from sfqb.connectors.qbo.operations.records import (
    NAME_LISTS,
    entity_of,
    format_time,
    is_deleted,
    preference_fields,
    to_record,
    updated_at,
)
from sfqb.connectors.qbo.operations.writes import decode_fault, ok_status
from sfqb.domain.status import System
from sfqb.sync.ops import MERGED_INTO, QbOp, QbRecord, QbResult

# (entity, deleted id) -> the id of the record it was merged into, or None.
MergedInto = Callable[[str, str], str | None]

LOOKBACK = timedelta(days=30)  # how far back Change Data Capture reaches (Intuit's CDC page)
_IN_CHUNK = 100  # values in one IN (...) list


def quote(text: str) -> str:
    """A value in QuickBooks Online's query language (a quote escaped with a backslash)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def select(entity: str, where: str, order: str = "") -> str:
    """A query of `entity`; `where` holds only field names and values made by `quote`."""
    if not entity.isalnum():
        raise ValueError(f"not a QuickBooks Online entity: {entity!r}")
    tail = f" ORDERBY {order}" if order else ""
    return f"SELECT * FROM {entity} WHERE {where}{tail}"  # noqa: S608 - values quoted


def _name_field(entity: str) -> str:
    if entity == "Customer" or entity in ("Vendor", "Employee"):
        return "DisplayName"
    if entity in NAME_LISTS:
        return "Name"
    return "DocNumber"


def _active_too(entity: str) -> str:
    return " AND Active IN (true, false)" if entity in NAME_LISTS else ""


class Reader:
    """Answers read ops through the api; a Fault answers the op it belongs to."""

    def __init__(
        self,
        api: QboApi,
        catalog: Catalog,
        clock: Callable[[], datetime],
        merged_into: MergedInto | None = None,
        marker_field: str = "",
    ) -> None:
        self._api = api
        self._catalog = catalog
        self._clock = clock
        self._merged_into = merged_into
        self._marker_field = marker_field

    def _record(self, entity: str, found: Mapping[str, Any]) -> QbRecord:
        return to_record(entity, found, self._marker_field)

    def _query(self, statement: str) -> list[dict[str, Any]]:
        return self._api.query(statement)

    def _ok(self, op: QbOp, records: Sequence[QbRecord]) -> QbResult:
        return QbResult(op.op_id, ok_status(self._catalog), tuple(records))

    def _fault(self, op: QbOp, exc: QboFault) -> QbResult:
        return QbResult(op.op_id, decode_fault(self._catalog, exc.fault))

    def read(self, op: QbOp) -> QbResult:
        """READ by ids, else by names (DisplayName, Name or DocNumber)."""
        entity = entity_of(op.qb_type)
        if op.ids:
            field, values = "Id", op.ids
        else:
            field, values = _name_field(entity), op.names
        found: list[QbRecord] = []
        try:
            for start in range(0, len(values), _IN_CHUNK):
                chunk = ", ".join(quote(v) for v in values[start : start + _IN_CHUNK])
                statement = select(entity, f"{field} IN ({chunk}){_active_too(entity)}")
                found.extend(self._record(entity, e) for e in self._query(statement))
        except QboFault as exc:
            return self._fault(op, exc)
        return self._ok(op, found)

    def custom_fields(self, ops: Sequence[QbOp]) -> dict[tuple[str, str], list[Any]]:
        """The CustomField arrays of the records `ops` update, by (entity, Id), in one query
        per entity: a Mod that sets the company's custom field keeps the record's other values.
        A refused query leaves its records out (their Mods then send no custom field)."""
        wanted: dict[str, set[str]] = {}
        for op in ops:
            if op.qb_id:
                wanted.setdefault(entity_of(op.qb_type), set()).add(op.qb_id)
        out: dict[tuple[str, str], list[Any]] = {}
        for entity, ids in sorted(wanted.items()):
            values = sorted(ids)
            try:
                for start in range(0, len(values), _IN_CHUNK):
                    chunk = ", ".join(quote(v) for v in values[start : start + _IN_CHUNK])
                    where = f"Id IN ({chunk}){_active_too(entity)}"
                    for found in self._query(select(entity, where)):
                        out[(entity, str(found.get("Id", "")))] = list(
                            found.get("CustomField") or []
                        )
            except QboFault:
                continue
        return out

    def read_list(self, op: QbOp) -> QbResult:
        """Every active record of a small list (the chart of accounts)."""
        entity = entity_of(op.qb_type)
        try:
            entities = self._query(select(entity, "Active = true"))
        except QboFault as exc:
            return self._fault(op, exc)
        return self._ok(op, [self._record(entity, e) for e in entities])

    def preferences(self, op: QbOp) -> QbResult:
        """The Preferences entity (and CompanyInfo) under the names the preflight reads."""
        try:
            prefs, company = self._api.preferences(), self._api.company_info()
        except QboFault as exc:
            return self._fault(op, exc)
        record = QbRecord(
            "Preferences",
            str(prefs.get("Id", "1")),
            str(prefs.get("SyncToken")) if prefs.get("SyncToken") is not None else None,
            updated_at(prefs),
            fields=preference_fields(prefs, company),
        )
        return self._ok(op, [record])

    def _since(self, since: datetime | None) -> datetime:
        # CDC refuses a changedSince older than its window; nothing older is there to read.
        earliest = self._clock() - LOOKBACK + timedelta(minutes=1)
        if since is None:
            return earliest
        aware = since if since.tzinfo is not None else since.replace(tzinfo=earliest.tzinfo)
        return max(aware, earliest)

    def changed(self, ops: Sequence[QbOp]) -> dict[str, QbResult]:
        """READ_CHANGED ops, one CDC call for those with the same `since`."""
        out: dict[str, QbResult] = {}
        for since, group in _by_since(ops, self._since).items():
            entities = sorted({entity_of(op.qb_type) for op in group})
            try:
                changes = self._api.changes(entities, since)
            except QboFault as exc:
                out.update({op.op_id: self._fault(op, exc) for op in group})
                continue
            for op in group:
                entity = entity_of(op.qb_type)
                if changes.truncated:
                    out[op.op_id] = self._since_query(op, entity, since)
                    continue
                live = [e for e in changes.entities.get(entity, ()) if not is_deleted(e)]
                out[op.op_id] = self._ok(op, [self._record(entity, e) for e in live])
        return out

    def _since_query(self, op: QbOp, entity: str, since: datetime) -> QbResult:
        where = f"Metadata.LastUpdatedTime >= {quote(format_time(since))}{_active_too(entity)}"
        statement = select(entity, where, "Metadata.LastUpdatedTime")
        try:
            entities = self._query(statement)
        except QboFault as exc:
            return self._fault(op, exc)
        return self._ok(op, [self._record(entity, e) for e in entities])

    def deleted(self, ops: Sequence[QbOp]) -> dict[str, QbResult]:
        """READ_DELETED ops: CDC's deleted objects, narrowed to each op's ids and window."""
        out: dict[str, QbResult] = {}
        for since, group in _by_since(ops, self._since).items():
            entities = sorted({entity_of(op.qb_type) for op in group})
            found = self._deleted(entities, since)
            for op in group:
                entity = entity_of(op.qb_type)
                answer = found.get(entity)
                if isinstance(answer, QbResult):
                    out[op.op_id] = QbResult(op.op_id, answer.status)
                    continue
                wanted = {i.upper() for i in op.ids}
                records = [
                    self._survivor_of(self._record(entity, e))
                    for e in answer or ()
                    if (not wanted or str(e.get("Id", "")).upper() in wanted)
                    and _within(e, op.until)
                ]
                out[op.op_id] = self._ok(op, records)
        return out

    def _survivor_of(self, record: QbRecord) -> QbRecord:
        """A deleted record with the record it was merged into, when a merge named it (Change
        Data Capture reports a merged-away record only as Deleted)."""
        survivor = self._merged_into(record.qb_type, record.id) if self._merged_into else None
        if survivor is None:
            return record
        return replace(record, fields={**record.fields, MERGED_INTO: survivor})

    def _deleted(
        self, entities: Sequence[str], since: datetime
    ) -> dict[str, list[Mapping[str, Any]] | QbResult]:
        try:
            changes = self._api.changes(entities, since)
        except QboFault as exc:
            failed = QbResult("", decode_fault(self._catalog, exc.fault))
            return dict.fromkeys(entities, failed)
        if not changes.truncated:
            return {e: [o for o in changes.entities.get(e, ()) if is_deleted(o)] for e in entities}
        if len(entities) > 1:  # narrow: one entity a call
            out: dict[str, list[Mapping[str, Any]] | QbResult] = {}
            for entity in entities:
                out.update(self._deleted([entity], since))
            return out
        message = f"Change Data Capture of {entities[0]} since {format_time(since)} came back full"
        status = self._catalog.decode(System.TRANSPORT, "CHANGES_TRUNCATED", message)
        return {entities[0]: QbResult("", status)}


def _within(entity: Mapping[str, Any], until: datetime | None) -> bool:
    if until is None:
        return True
    moment = updated_at(entity)
    if moment is None:
        return True
    limit = until if until.tzinfo is not None else until.replace(tzinfo=moment.tzinfo)
    return moment <= limit


def _by_since(
    ops: Sequence[QbOp], clamp: Callable[[datetime | None], datetime]
) -> dict[datetime, list[QbOp]]:
    groups: dict[datetime, list[QbOp]] = {}
    for op in ops:
        groups.setdefault(clamp(op.since), []).append(op)
    return groups
