"""What a cycle decided about each record: outcomes, the integration log, Salesforce status.

`Cycle` builds on this: every remedy and step ends a record here, and the runner persists it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from sfqb.codes import Catalog
from sfqb.domain.bindings import Binding
from sfqb.domain.entities import QbRef, SfRef
from sfqb.domain.policy import CompanyPolicy
from sfqb.domain.status import Category, DecodedStatus, System
from sfqb.mapping import Mapped
from sfqb.sync.fields import references, to_plain
from sfqb.sync.plan import Operation, Plan
from sfqb.sync.records import (
    Attempt,
    BindingRepository,
    Direction,
    ItemOutcome,
    ItemState,
    PendingChange,
    flow_of,
)
from sfqb.sync.writeback import WriteBack


class Ledger:
    """The per-record state a cycle ends in, and the log lines that explain it."""

    company: str
    catalog: Catalog
    policy: CompanyPolicy
    bindings: BindingRepository
    clock: Callable[[], datetime]
    changes: dict[SfRef, PendingChange]
    canonical: dict[SfRef, Mapped]
    writeback: WriteBack
    attempts: list[Attempt]
    outcomes: dict[SfRef, ItemOutcome]
    _plan: Plan

    def synced(self, sf: SfRef, binding: Binding, qb_fp: str, edit: str | None) -> None:
        """Record `sf` as in step with its QuickBooks record."""
        canonical = self.canonical[sf]
        binding = replace(
            binding,
            fingerprint=canonical.fingerprint,
            synced_at=self.clock(),
            qb_fingerprint=qb_fp,
            version=edit,
            sf_values=to_plain(canonical.fields),
        )
        self.bindings.update(binding)
        self.outcome(sf, ItemState.DONE, None, "synced")
        self.writeback.status(self.changes[sf], binding.qb, None)

    def fail(
        self, sf: SfRef | None, status: DecodedStatus, operation: str, qb: QbRef | None = None
    ) -> None:
        """A failure sfqb cannot remedy now: retry later if transient, else hold for a person."""
        if sf is None:
            self.log(None, operation, status, "nothing to do")
            return
        attempts = self.changes[sf].attempts + 1
        counted = status.retryable and status.category is not Category.IN_USE
        if counted and attempts >= self.policy.max_attempts:
            reason = f"still failing after {attempts} attempts: {status.title}"
            self.review(sf, status, reason, operation, {"attempts": attempts})
            return
        state = ItemState.RETRY if status.retryable else ItemState.FAILED
        action = "will retry on the next cycle" if status.retryable else "held: a person must act"
        self.outcome(sf, state, status, status.title)
        self.log(sf, operation, status, action, qb)
        self.writeback.status(self.changes[sf], None, status)

    def review(
        self,
        sf: SfRef,
        status: DecodedStatus,
        reason: str,
        operation: str,
        details: Mapping[str, Any],
    ) -> None:
        """Put `sf` on the review list with the evidence a person needs to decide."""
        self.outcome(sf, ItemState.REVIEW, status, reason, details)
        self.log(sf, operation, status, f"on the review list: {reason}")
        self.writeback.status(self.changes[sf], None, status, review=True)

    def hold(self, sf: SfRef, status: DecodedStatus, reason: str) -> None:
        """Hold `sf` without sending it (a company-level block covers it)."""
        self.outcome(sf, ItemState.HELD, status, reason)

    def parent_missing(self, sf: SfRef, reason: str) -> None:
        """`sf` references a parent that is not in QuickBooks: it waits (for `awaited`)."""
        status = self.catalog.decode(System.TRANSPORT, "PARENT_NOT_SYNCED", reason)
        self.outcome(sf, ItemState.WAITING, status, reason, awaits=self.awaited(sf))
        if self.changes[sf].last_code != status.code:  # one log line while it keeps waiting
            self.log(sf, "wait", status, "waits for its parent")

    def awaited(self, sf: SfRef) -> SfRef | None:
        """The first parent `sf` references that is not bound (None: every one is bound, and
        it waits on something else, such as a parent whose update failed)."""
        mapped = self.canonical.get(sf)
        parents = references(mapped.fields) if mapped is not None else []
        return next((p for p in parents if self.bindings.by_sf(self.company, p) is None), None)

    def outcome(
        self,
        sf: SfRef,
        state: ItemState,
        status: DecodedStatus | None,
        reason: str,
        details: Mapping[str, Any] | None = None,
        *,
        awaits: SfRef | None = None,
    ) -> None:
        """Set the state `sf` ends this cycle in; records that depend on it wait if it failed."""
        if state not in (ItemState.DONE, ItemState.SKIPPED) and status is not None:
            self._plan = self._plan.after_failure(sf, status)
        change = self.changes[sf]
        self.outcomes[sf] = ItemOutcome(
            change.flow, sf, state, status, reason, dict(details or {}), awaits
        )

    def log(  # noqa: PLR0917 - the log line's parts, in the order a reader expects
        self,
        sf: SfRef | None,
        operation: str,
        status: DecodedStatus,
        action: str,
        qb: QbRef | None = None,
        summary: str = "",
    ) -> None:
        """Add a line to the integration log."""
        if sf is None:
            flow = "read"
        else:  # a record outside the cycle (a parent being checked) is logged under its flow
            flow = self.changes[sf].flow if sf in self.changes else flow_of(sf)
        self.attempts.append(
            Attempt(
                flow, Direction.SF_TO_QB, operation, status, action, sf=sf, qb=qb, summary=summary
            )
        )

    def _wait_or_hold(self, op: Operation) -> None:
        """A child of a record held for the company is held too, without a log line each cycle."""
        held = next(
            (
                p
                for p in op.change.parents
                if p in self.outcomes and self.outcomes[p].state is ItemState.HELD
            ),
            None,
        )
        if held is None:
            self._wait(op)
            return
        parent = self.outcomes[held]
        assert parent.status is not None
        self.hold(op.sf, parent.status, f"waits for {held}, {parent.reason}")

    def _wait(self, op: Operation) -> None:
        self.parent_missing(op.sf, op.reason)
