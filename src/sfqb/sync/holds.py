"""Company-level holds: what the cycle's first reads say QuickBooks would refuse, and 3250/3260.

A hold covers one kind of write ("<qb_type>:<action>", e.g. "Invoice:add", narrowed by the field
values of the feature it needs, "Item[Type=Inventory]:add") for the company: it is reported
once (a log line and one company message), the records it covers are held without being sent,
and each later cycle sends one of them as a probe until QuickBooks accepts it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sfqb.codes.readings import refine
from sfqb.domain.entities import SfRef
from sfqb.domain.status import Category, DecodedStatus
from sfqb.sync.ops import QbOp
from sfqb.sync.plan import Action, Operation
from sfqb.sync.preflight import (
    block_message,
    feature_values,
    features_off,
    hold_key,
    known_problem,
    preflight,
)
from sfqb.sync.records import Block

if TYPE_CHECKING:
    from sfqb.sync.cycle import Cycle


class Holds:
    """The company-level holds of one cycle: those it starts with and those it finds."""

    def __init__(self, cycle: Cycle, blocks: dict[str, Block]) -> None:
        self._cycle = cycle
        self.blocks = blocks
        self.new_blocks: dict[str, Block] = {}
        self.cleared: set[str] = set()
        self._probing: set[str] = set()
        self._preferences: Mapping[str, Any] = {}
        self._noted: dict[str, Any] = {}  # preferences read by other queries (sync/orders.py)
        self._accounts: list[Mapping[str, Any]] | None = None
        self._facts = preflight(cycle.profile.preflight)

    def preferences(self, fields: Mapping[str, Any]) -> None:
        """QuickBooks' preferences, read at the start of the cycle."""
        self._preferences = {**fields, **self._noted}

    def note(self, preference: str, value: bool) -> None:
        """A preference another read told (the edition, a probe of a kind)."""
        self._noted[preference] = value
        self._preferences = {**self._preferences, preference: value}

    def refuse(self, key: str, status: DecodedStatus, message: str, sf: SfRef) -> None:
        """Hold `sf` under the company block `key` (opened, and reported once, if new)."""
        if key not in self.blocks and key not in self.new_blocks:
            self._open(key, status, message, sf, "preferences")
        self._cycle.hold(sf, status, f"held for the company: {message}")

    def accounts(self, records: Sequence[Mapping[str, Any]]) -> None:
        """QuickBooks' chart of accounts, read at the start of the cycle."""
        self._accounts = list(records)

    def held_back(self, op: Operation) -> bool:
        """Hold a record a block covers (one probe per block and cycle goes through)."""
        cycle = self._cycle
        canonical = cycle.canonical[op.sf]
        key = hold_key(canonical.kind, op.action.value, canonical.fields, self._facts)
        missing = known_problem(
            cycle.catalog,
            canonical,
            op.action is Action.ADD,
            self._preferences,
            self._accounts,
            facts=self._facts,
        )
        if missing is not None and key not in self.blocks and key not in self.new_blocks:
            self._open(key, missing[0], missing[1], op.sf, "preferences")
        block = self.blocks.get(key) or self.new_blocks.get(key)
        if block is None:
            return False
        if missing is None and key not in self.new_blocks and key not in self._probing:
            self._probing.add(key)  # this record tests whether QuickBooks accepts it now
            return False
        cycle.hold(op.sf, block.status, f"held for the company: {block.message}")
        return True

    def succeeded(self, op: QbOp) -> None:
        """A write went through: a block on its kind (if any) is lifted."""
        key = hold_key(op.qb_type, op.action.value, op.fields, self._facts)
        if key in self.blocks:
            self.cleared.add(key)

    def refused(self, op: QbOp, status: DecodedStatus) -> bool:
        """3250 / 3260 (a feature off, no permission): hold the kind of write for the company."""
        if op.sf is None:
            return False
        key = hold_key(op.qb_type, op.action.value, op.fields, self._facts)
        feature_off = status.category is Category.FEATURE_OFF
        features = features_off(op, self._preferences, self._facts) if feature_off else []
        if features:  # the log and the review list name the exact preference to turn on
            values = feature_values(features)
            catalog = self._cycle.catalog
            named = catalog.decode(status.system, status.code, status.message, values)
            # A code whose reason decides its reading (QuickBooks Online's 6000 "Track quantity
            # on hand is turned off") keeps that reading.
            status = refine(catalog, named, status.message)
        message = block_message(op, status, self._preferences, self._facts)
        if key not in self.blocks and key not in self.new_blocks:
            self._open(key, status, message, op.sf, op.action.value)
        self._cycle.hold(op.sf, status, f"held for the company: {message}")
        return True

    def _open(self, key: str, status: DecodedStatus, message: str, sf: SfRef, op: str) -> None:
        self.new_blocks[key] = Block(key, status, message)
        self._cycle.log(sf, op, status, f"reported once for the company; held: {message}")
