"""The records of an emulated company file and their JSON form."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

ID_PATTERN = re.compile(r"[0-9A-Fa-f]{1,16}-[0-9]{1,10}")
_DATETIME = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:T(\d{1,2})(?::(\d{1,2})(?::(\d{1,2})(?:([+-])(\d{1,2}):(\d{1,2}))?)?)?)?"
)

Value = str | dict[str, Any]


class DateFormatError(ValueError):
    """A date or date-time string does not have qbXML's format."""


def format_time(moment: datetime) -> str:
    """A DATETIMETYPE value as QuickBooks writes it (2024-01-31T09:30:00-05:00)."""
    return moment.isoformat(timespec="seconds")


def qb_time(moment: datetime) -> str:
    """A DATETIMETYPE value as QuickBooks answers it: local wall-clock time, standard offset.

    The wall-clock time follows daylight saving, but the offset QuickBooks writes does not:
    it is always the zone's base (standard) offset, so in summer it is off by the DST delta.
    Documented by the QbSync project (github.com/jsgoupil/quickbooks-sync, README "QuickBooks
    TimeZone bug" and QbXmlResponseOptions: "The UTC offset portion of dates returned from
    QuickBooks do not follow DST rules, and always follow the 'Base Offset' for the zone").
    """
    offset = moment.utcoffset() or timedelta(0)
    standard = offset - (moment.dst() or timedelta(0))
    return moment.replace(tzinfo=timezone(standard)).isoformat(timespec="seconds")


def parse_datetime(text: str, zone: tzinfo, *, end_of_day: bool = False) -> datetime:
    """A DATETIMETYPE request value; without an offset it is company (clock) time.

    A bare date means the whole day: its start, or with `end_of_day` its last second.
    """
    found = _DATETIME.fullmatch(text.strip())
    if not found:
        raise DateFormatError(text)
    year, month, day, hour, minute, second, sign, off_h, off_m = found.groups()
    if sign is not None:
        offset = timedelta(hours=int(off_h), minutes=int(off_m))
        zone = timezone(offset if sign == "+" else -offset)
    if hour is None:
        hour, minute, second = ("23", "59", "59") if end_of_day else ("0", "0", "0")
    try:
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute or 0),
            int(second or 0),
            tzinfo=zone,
        )
    except ValueError:
        raise DateFormatError(text) from None


@dataclass(slots=True)
class Record:
    """One list object or transaction, as the company file keeps it."""

    kind: str
    id: str
    time_created: datetime
    time_modified: datetime
    edit_sequence: str
    fields: dict[str, Value] = field(default_factory=dict)
    lines: list[dict[str, Value]] = field(default_factory=list)
    data_ext: dict[str, dict[str, str]] = field(default_factory=dict)
    txn_number: int = 0

    @property
    def is_active(self) -> bool:
        """False when the record was made inactive (IsActive false)."""
        return self.fields.get("IsActive", "true") != "false"

    def name(self) -> str:
        """The leaf Name (empty for transactions)."""
        value = self.fields.get("Name", "")
        return value if isinstance(value, str) else ""

    def text(self, name: str) -> str | None:
        """A scalar field's value, or None."""
        value = self.fields.get(name)
        return value if isinstance(value, str) else None

    def ref_id(self, name: str) -> str | None:
        """The ListID a reference field points at, or None."""
        value = self.fields.get(name)
        return value.get("ListID") if isinstance(value, dict) else None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready copy."""
        return {
            "kind": self.kind,
            "id": self.id,
            "time_created": format_time(self.time_created),
            "time_modified": format_time(self.time_modified),
            "edit_sequence": self.edit_sequence,
            "fields": copy.deepcopy(self.fields),
            "lines": copy.deepcopy(self.lines),
            "data_ext": copy.deepcopy(self.data_ext),
            "txn_number": self.txn_number,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Record:
        """Rebuild a record saved with to_json; raises KeyError/ValueError when malformed."""
        return cls(
            kind=str(data["kind"]),
            id=str(data["id"]),
            time_created=datetime.fromisoformat(data["time_created"]),
            time_modified=datetime.fromisoformat(data["time_modified"]),
            edit_sequence=str(data["edit_sequence"]),
            fields=dict(data["fields"]),
            lines=list(data["lines"]),
            data_ext=dict(data["data_ext"]),
            txn_number=int(data["txn_number"]),
        )


@dataclass(frozen=True, slots=True)
class Deletion:
    """A deleted list object or transaction, for ListDeletedQuery / TxnDeletedQuery."""

    del_type: str
    id: str
    time_created: datetime
    time_deleted: datetime
    name: str  # FullName of a list object, RefNumber of a transaction
    is_txn: bool

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready copy."""
        return {
            "del_type": self.del_type,
            "id": self.id,
            "time_created": format_time(self.time_created),
            "time_deleted": format_time(self.time_deleted),
            "name": self.name,
            "is_txn": self.is_txn,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Deletion:
        """Rebuild a deletion saved with to_json."""
        return cls(
            del_type=str(data["del_type"]),
            id=str(data["id"]),
            time_created=datetime.fromisoformat(data["time_created"]),
            time_deleted=datetime.fromisoformat(data["time_deleted"]),
            name=str(data["name"]),
            is_txn=bool(data["is_txn"]),
        )


@dataclass(slots=True)
class DataExtDef:
    """A custom field definition (DataExtDefAdd)."""

    owner_id: str
    data_ext_id: int
    name: str
    type: str
    assign_to: list[str]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready copy."""
        return {
            "owner_id": self.owner_id,
            "data_ext_id": self.data_ext_id,
            "name": self.name,
            "type": self.type,
            "assign_to": list(self.assign_to),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DataExtDef:
        """Rebuild a definition saved with to_json."""
        return cls(
            owner_id=str(data["owner_id"]),
            data_ext_id=int(data["data_ext_id"]),
            name=str(data["name"]),
            type=str(data["type"]),
            assign_to=[str(x) for x in data["assign_to"]],
        )


def data_ext_key(owner_id: str, name: str) -> str:
    """The key of a custom field value on a record: owner and case-folded name."""
    return f"{owner_id.upper()}|{name.casefold()}"


@dataclass(slots=True)
class CompanyState:
    """Everything a company file holds; saved and loaded as one JSON document."""

    records: dict[str, Record] = field(default_factory=dict)
    deletions: list[Deletion] = field(default_factory=list)
    data_ext_defs: list[DataExtDef] = field(default_factory=list)
    company_data_ext: dict[str, dict[str, str]] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)

    def next(self, counter: str, start: int = 1) -> int:
        """The next value of a named counter (list IDs, txn IDs, ref numbers ...)."""
        value = self.counters.get(counter, start - 1) + 1
        self.counters[counter] = value
        return value

    def to_json(self) -> dict[str, Any]:
        """The whole state, JSON-ready."""
        return {
            "format": "sfqb-qbd-sandbox/1",
            "records": [r.to_json() for r in self.records.values()],
            "deletions": [d.to_json() for d in self.deletions],
            "data_ext_defs": [d.to_json() for d in self.data_ext_defs],
            "company_data_ext": copy.deepcopy(self.company_data_ext),
            "counters": dict(self.counters),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CompanyState:
        """Rebuild a state saved with to_json; raises KeyError/ValueError/TypeError."""
        if data.get("format") != "sfqb-qbd-sandbox/1":
            raise ValueError("not an sfqb QuickBooks Desktop sandbox snapshot")
        records = [Record.from_json(r) for r in data["records"]]
        return cls(
            records={r.id: r for r in records},
            deletions=[Deletion.from_json(d) for d in data["deletions"]],
            data_ext_defs=[DataExtDef.from_json(d) for d in data["data_ext_defs"]],
            company_data_ext=dict(data["company_data_ext"]),
            counters={str(k): int(v) for k, v in data["counters"].items()},
        )
