"""What the connector hands back and takes in: batches, write requests and results, API usage."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Generic

from sfqb.connectors.salesforce.records import R
from sfqb.domain.status import DecodedStatus

FieldValue = str | int | Decimal | bool | date | datetime | None

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")


def check_name(kind: str, name: str) -> str:
    """`name` if it is a valid sObject or field API name; ValueError otherwise."""
    if not _NAME.match(name):
        raise ValueError(f"{name!r} is not a valid Salesforce {kind} name")
    return name


def check_id(record_id: str) -> str:
    """`record_id` if it has the shape of a Salesforce Id (15 or 18 letters and digits)."""
    if not _ID.match(record_id):
        raise ValueError(f"{record_id!r} is not a Salesforce record Id (15 or 18 characters)")
    return record_id


@dataclass(frozen=True, slots=True)
class ChangeBatch(Generic[R]):
    """Records changed since a checkpoint, ordered by SystemModstamp then Id, one per Id.

    `high_water_mark` is the largest SystemModstamp seen (never below `since`): the next
    checkpoint. Records inside the overlap window below `since` may be ones already synced.
    """

    sobject: str
    since: datetime
    overlap_from: datetime
    high_water_mark: datetime
    records: tuple[R, ...]
    pages: int


@dataclass(frozen=True, slots=True)
class DeletedRecord:
    """One entry of getDeleted."""

    id: str
    deleted_date: datetime


@dataclass(frozen=True, slots=True)
class DeletionBatch:
    """Records deleted in a window; `latest_covered` is the next checkpoint for deletions.

    `clamped_from` is set when the asked-for start lay beyond the getDeleted window and was
    moved to `start`: deletions between the two cannot be read and need a reconciliation.
    """

    sobject: str
    start: datetime
    end: datetime
    deleted: tuple[DeletedRecord, ...]
    earliest_available: datetime | None
    latest_covered: datetime | None
    clamped_from: datetime | None = None


@dataclass(frozen=True, slots=True)
class RecordUpdate:
    """Fields to set on one existing record (None clears a field)."""

    sobject: str
    record_id: str
    fields: Mapping[str, FieldValue]

    def __post_init__(self) -> None:
        check_name("sObject", self.sobject)
        check_id(self.record_id)
        if not self.fields:
            raise ValueError(f"an update of {self.sobject} {self.record_id} sets no field")
        for name in self.fields:
            check_name("field", name)
            if name.lower() == "id":
                raise ValueError("the record Id goes in record_id, not in fields")
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))


@dataclass(frozen=True, slots=True)
class WriteResult:
    """The outcome for one record of a write, in input order.

    `statuses` holds every decoded error of the record (two errors give two statuses); for a
    record in a call that failed as a whole they are that call's statuses, and `attempted` is
    False for records that were not sent because an earlier call failed.
    """

    index: int
    sobject: str
    record_id: str | None
    success: bool
    created: bool | None = None
    statuses: tuple[DecodedStatus, ...] = ()
    attempted: bool = True
    external_id: str | None = None

    @property
    def status(self) -> DecodedStatus | None:
        """The first decoded status, if the write failed."""
        return self.statuses[0] if self.statuses else None


@dataclass(frozen=True, slots=True)
class ApiUsage:
    """API calls used in the org's rolling 24 hours, from the Sforce-Limit-Info header."""

    used: int
    total: int
    app_name: str | None = None
    app_used: int | None = None
    app_total: int | None = None

    @property
    def remaining(self) -> int:
        """Calls left in the allocation."""
        return max(self.total - self.used, 0)


_USAGE = re.compile(r"(?:^|[;,\s])api-usage=(\d+)/(\d+)")
_APP_USAGE = re.compile(r"per-app-api-usage=(\d+)/(\d+)\(appName=([^)]*)\)")


def parse_limit_info(header: str) -> ApiUsage | None:
    """Parse `api-usage=18/5000; per-app-api-usage=17/250(appName=x)`; None if absent."""
    found = _USAGE.search(header)
    if found is None:
        return None
    app = _APP_USAGE.search(header)
    return ApiUsage(
        used=int(found.group(1)),
        total=int(found.group(2)),
        app_name=app.group(3) if app else None,
        app_used=int(app.group(1)) if app else None,
        app_total=int(app.group(2)) if app else None,
    )


@dataclass(frozen=True, slots=True)
class FieldDescription:
    """One field of a describe result."""

    name: str
    type: str
    length: int | None = None
    external_id: bool = False
    unique: bool = False
    label: str = ""
    createable: bool = True
    updateable: bool = True


@dataclass(frozen=True, slots=True)
class SObjectDescription:
    """The fields an sObject has in the connected org (from /sobjects/X/describe)."""

    name: str
    fields: Mapping[str, FieldDescription] = field(default_factory=dict)
    # The first three characters of the object's record Ids (describe's keyPrefix): a custom
    # object's is the org's own ("sObject Describe", REST API Developer Guide).
    key_prefix: str | None = None

    def has(self, api_name: str) -> bool:
        """True if the org has the field (API names compare case-insensitively)."""
        lowered = api_name.lower()
        return any(name.lower() == lowered for name in self.fields)

    def get(self, api_name: str) -> FieldDescription | None:
        """The field's description, compared case-insensitively."""
        lowered = api_name.lower()
        return next((f for n, f in self.fields.items() if n.lower() == lowered), None)
