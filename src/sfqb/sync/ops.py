"""What the engine asks of QuickBooks, and what comes back: plain data, no qbXML.

A driver (the Web Connector session, or direct calls into a sandbox) turns `QbOp`s into
requests of its protocol and hands back one `QbResult` per op, matched by `op_id`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from sfqb.domain.entities import SfRef
from sfqb.domain.status import DecodedStatus

_EMPTY: Mapping[str, Any] = MappingProxyType({})

# The key of a payment's QbRecord.fields holding the ids of the transactions it applies to
# (each connector's record reader fills it from its own shape).
APPLIED_TO = "applied_to"
# The key of a deleted record's QbRecord.fields naming the record it was merged into, when the
# target reports merges (QuickBooks Online's webhook Merge event; QuickBooks Desktop reports none).
MERGED_INTO = "merged_into"


class QbAction(StrEnum):
    """The kinds of QuickBooks operation the engine emits."""

    ADD = "add"
    MOD = "mod"
    READ_CHANGED = "read_changed"
    READ = "read"
    SET_MARKER = "set_marker"
    DEFINE_MARKER = "define_marker"
    READ_DELETED = "read_deleted"
    READ_PREFERENCES = "read_preferences"
    READ_LIST = "read_list"  # every active record of a small list (Account)
    READ_FIELD_DEFS = "read_field_defs"
    READ_FIELD_SLOTS = "read_field_slots"
    CLEAR_MARKER = "clear_marker"
    # Send again, exactly as sent, the writes whose answer never arrived (a target whose
    # requests carry an id it replays): `ids` names the Salesforce records in flight, and the
    # answer's records carry in `marker` the Salesforce Id each write was for.
    REPLAY_UNANSWERED = "replay_unanswered"


@dataclass(frozen=True, slots=True)
class QbOp:
    """One QuickBooks operation.

    `qb_type` is QuickBooks' object name: Customer, ItemService, ItemNonInventory, Invoice,
    SalesReceipt, Estimate, ReceivePayment (reads), or Item (reads of every item type).
    `fields` is in the target's shape (nested dicts for aggregates, `Lines` for transaction
    lines) with references resolved to `QbRef`s, which each connector encodes its own way.
    A read of changes with a `limit` comes in pages: the first without a `cursor`, each next
    one with the cursor the last answer gave. A read of deletions covers `since` to `until`
    (a window; None leaves a side open).
    Marker ops (SET_MARKER, CLEAR_MARKER, DEFINE_MARKER) name in `binding_field` the visible
    binding field (a custom field people see) they write, or None for sfqb's private one;
    `exists` says the record already has a value (replace it rather than add one).
    DEFINE_MARKER with a `binding_field` defines it on the lists in `names`.
    `attempt` names the attempt a write belongs to, the same on every retry of a reply that
    was lost and new when the request changes (a target with idempotent requests derives its
    request id from it; empty: the op's own id and body decide).
    """

    op_id: str
    action: QbAction
    qb_type: str
    sf: SfRef | None = None
    qb_id: str | None = None
    version: str | None = None
    fields: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    since: datetime | None = None
    ids: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    marker: str | None = None
    limit: int | None = None
    cursor: str | None = None
    until: datetime | None = None
    binding_field: str | None = None
    exists: bool = False
    attempt: str = ""


@dataclass(frozen=True, slots=True)
class QbRecord:
    """A QuickBooks record as the engine needs it.

    `fields` holds QuickBooks' values in qbXML shape (Name, CompanyName, BillAddress{...},
    BalanceRemaining, Memo, ...) for the QuickBooks-to-Salesforce maps, and for a payment
    `APPLIED_TO`, the ids of the transactions it applies to; `marker` is the
    SalesforceID custom field when the query asked for sfqb's OwnerID (or the `[sf:ID]` memo
    marker of a transaction); `custom` holds the visible custom fields of a list record, by name
    (never a transaction's: those it inherits from its customer are not its own).
    """

    qb_type: str
    id: str
    version: str | None = None
    time_modified: datetime | None = None
    name: str | None = None
    marker: str | None = None
    fields: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    custom: Mapping[str, str] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True, slots=True)
class QbResult:
    """The answer to one op: its decoded status and the records QuickBooks returned.

    A paged read answers with a `cursor` to continue from while `remaining` records are left.
    """

    op_id: str
    status: DecodedStatus
    records: tuple[QbRecord, ...] = field(default=())
    cursor: str | None = None
    remaining: int = 0

    @property
    def ok(self) -> bool:
        """True unless QuickBooks reported an error for the op (status 1 on a read is ok)."""
        return not self.status.is_failure


class DriverError(Exception):
    """A driver could not complete a batch; the engine decides what that means per op."""


class ReplyLost(DriverError):
    """The batch was sent, but its answer never came back: each op's outcome is unknown."""


class QuickBooksUnavailable(DriverError):
    """QuickBooks could not be reached at all; nothing of the batch was processed."""

    def __init__(self, status: DecodedStatus) -> None:
        super().__init__(f"{status.system} {status.code}: {status.title}")
        self.status = status


Then = Callable[[QbOp, QbResult], None]  # what takes the result of an op the cycle asked for
Pair = tuple[QbOp, Then | None]
