"""What the engine must know about a QuickBooks target, as data: no literals of one product.

A `TargetProfile` is passed to `Cycle` like the company policy. Each connector builds its own
(`connectors/qbd/profile.py`, `connectors/qbo/profile.py`); the engine asks the profile instead
of testing `qb_type.startswith("Item")`, a code literal or the name of a target.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from types import MappingProxyType

from sfqb.domain.entities import QbKind
from sfqb.domain.status import System
from sfqb.mapping import DESKTOP_MAPS, MapSet
from sfqb.sync.matching import DESKTOP_MATCH, MatchFields


class MarkerKind(StrEnum):
    """Where a target keeps the Salesforce Id on the QuickBooks record itself."""

    DATA_EXT = "data_ext"  # a custom field (QuickBooks Desktop's DataExt)
    NONE = "none"  # no marker: the binding lives in the store and in QuickBooks_ID__c


_NO_TYPES: Mapping[str, QbKind] = MappingProxyType({})


def _never_cut_short(qb_id: str, known: Collection[str]) -> None:
    """An Id form with no sign of being cut short: any well-formed Id may be whole."""


@dataclass(frozen=True, slots=True)
class IdForm:
    """How a target's record Ids look, checked before sfqb stores or asks for one.

    `name` says what one is called, with its article ("a QuickBooks Online Id"). `check` gives
    the Id as stored (stripped, its case settled) or raises `InvalidQbId` in words naming the
    target's own form; `cut_short` raises `InvalidQbId` for a well-formed Id that still looks
    cut short when copied, given the Ids sfqb has seen in the company.
    """

    name: str
    check: Callable[[str], str]
    cut_short: Callable[[str, Collection[str]], None] = _never_cut_short


@dataclass(frozen=True, slots=True)
class TargetProfile:
    """The vocabulary and limits of one QuickBooks target.

    `kinds` maps every QuickBooks object type sfqb binds to its binding kind (QuickBooks
    Desktop's ItemService and ItemNonInventory are both an Item; QuickBooks Online has one
    Item). `item_read_type` is the type a read of every item uses. `system` is the status
    system the target's own codes decode in. `stream` names the checkpoint of its changes;
    `legacy_stream` names an older checkpoint of the same changes, read once when `stream` has
    none (its times may be off by up to `legacy_spread`, so reading starts that much earlier).
    `lookback` is how far back its change feed reaches (None: no limit). `max_batch` is the
    most operations one request carries. `name_limit` is the longest name a list record takes.
    `ref_key` is the key holding the id inside a reference the target's records carry (a read
    record's CustomerRef, ItemRef...). `preflight` names its preflight data file (sync/data/),
    `maps` its field maps. `match_fields` says where its customers keep the phone, e-mail
    and address a match rule compares; `active_field` the flag of an active name.
    `reports_merges`: its deletion reads name the record a deleted one was merged into.
    `ids` is the form of its record Ids (`check_id`); `next_contact` names when sfqb next
    reaches it, as a person reads it. `replays_writes`: it answers a request sent again with
    the same request id as it answered the first time, so a cycle first re-sends the writes
    whose answer never arrived (QbAction.REPLAY_UNANSWERED) to learn what they did.
    `sibling_names`: a job's (sub-customer's) name need be unique only among its parent's
    children, and a read by name takes the full name ("Parent:Job"); otherwise a name is
    unique across the whole list, jobs included.
    """

    name: str
    system: System
    ids: IdForm
    kinds: Mapping[str, QbKind] = field(default_factory=lambda: _NO_TYPES)
    item_read_type: str = "Item"
    payment_type: str = "ReceivePayment"
    stream: str = ""
    legacy_stream: str = ""
    legacy_spread: timedelta = timedelta(0)
    lookback: timedelta | None = None
    max_batch: int = 200
    marker: MarkerKind = MarkerKind.DATA_EXT
    name_limit: int = 41
    ref_key: str = ""
    preflight: str = "preflight.yaml"
    maps: MapSet = DESKTOP_MAPS
    match_fields: MatchFields = DESKTOP_MATCH
    active_field: str = "IsActive"
    reports_merges: bool = False
    next_contact: str = "the next sync cycle"
    replays_writes: bool = False

    def check_id(self, text: str) -> str:
        """The record Id as stored, when it has the target's form; else InvalidQbId."""
        return self.ids.check(text)

    sibling_names: bool = False

    def binds(self, qb_type: str) -> bool:
        """True for the QuickBooks types sfqb binds (not, e.g., a discount or sales-tax item)."""
        return qb_type in self.kinds

    def kind_of(self, qb_type: str) -> QbKind:
        """The binding kind of a QuickBooks object type."""
        return self.kinds[qb_type]

    def list_of(self, qb_type: str) -> QbKind | None:
        """The list (Customer, Vendor or Item) of a QuickBooks type; None for transactions."""
        kind = self.kinds.get(qb_type)
        return kind if kind in (QbKind.CUSTOMER, QbKind.VENDOR, QbKind.ITEM) else None

    def read_type_of(self, kind: QbKind) -> str:
        """The type a read of records of binding kind `kind` uses."""
        if kind is QbKind.ITEM:
            return self.item_read_type
        return next((t for t, k in self.kinds.items() if k is kind), kind.value)

    def read_type(self, qb_type: str) -> str:
        """The type to read a record of `qb_type` by (every item type reads as one)."""
        if self.kinds.get(qb_type) is QbKind.ITEM:
            return self.item_read_type
        return qb_type

    def change_feeds(self, transaction_type: str) -> tuple[str, ...]:
        """The QuickBooks types whose changes a cycle reads (items, so bindings stay current).

        Vendors are read when the target binds them (their changes go back to the Account).
        """
        customer = self.read_type_of(QbKind.CUSTOMER)
        vendors = (
            (self.read_type_of(QbKind.VENDOR),) if QbKind.VENDOR in self.kinds.values() else ()
        )
        return (customer, *vendors, self.item_read_type, transaction_type, self.payment_type)
