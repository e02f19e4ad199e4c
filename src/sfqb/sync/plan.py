"""Planning one cycle: which pending changes become Add, Mod, Skip or Wait, and in what order."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Protocol

from sfqb.domain.bindings import Binding
from sfqb.domain.entities import QbKind, QbRef, SfRef, default_qb_kind, kind_rank
from sfqb.domain.status import DecodedStatus


class PlanError(ValueError):
    """A change set that cannot be planned (e.g. a dependency cycle)."""


class BindingLookup(Protocol):
    """What planning needs from the bindings: a lookup by Salesforce record."""

    def by_sf(self, company: str, sf: SfRef) -> Binding | None: ...


class Action(StrEnum):
    """What a cycle does with one pending change."""

    ADD = "add"
    MOD = "mod"
    SKIP = "skip"
    WAIT = "wait"


@dataclass(frozen=True, slots=True)
class Change:
    """A Salesforce record to push: its fingerprint and the parents it references."""

    sf: SfRef
    fingerprint: str
    parents: tuple[SfRef, ...] = ()
    qb_kind: QbKind | None = None

    @property
    def kind(self) -> QbKind:
        """The QuickBooks kind this record becomes."""
        return self.qb_kind if self.qb_kind is not None else default_qb_kind(self.sf.sobject)


@dataclass(frozen=True, slots=True)
class Operation:
    """One planned step; `qb` is the bound QuickBooks record for Mod and Skip."""

    change: Change
    action: Action
    reason: str
    qb: QbRef | None = None

    @property
    def sf(self) -> SfRef:
        """The Salesforce record this operation is about."""
        return self.change.sf


@dataclass(frozen=True, slots=True)
class Plan:
    """The operations of one cycle for one company, parents before children."""

    company: str
    operations: tuple[Operation, ...]
    _index: dict[SfRef, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update({op.sf: i for i, op in enumerate(self.operations)})

    def get(self, sf: SfRef) -> Operation | None:
        """The operation planned for a record, if it is in this plan."""
        i = self._index.get(sf)
        return None if i is None else self.operations[i]

    def with_action(self, *actions: Action) -> list[Operation]:
        """The operations with one of the given actions, in plan order."""
        return [op for op in self.operations if op.action in actions]

    @property
    def ready(self) -> list[Operation]:
        """Operations to send: Add and Mod, in dependency order."""
        return self.with_action(Action.ADD, Action.MOD)

    def after_failure(self, parent: SfRef, status: DecodedStatus) -> Plan:
        """A new plan in which every Add/Mod depending on `parent` (transitively) waits."""
        failed = f"{parent} failed: {status.system} {status.code} ({status.title})"
        blocked: dict[SfRef, str] = {parent: failed}
        ops: list[Operation] = []
        for op in self.operations:
            via = next((p for p in op.change.parents if p in blocked), None)
            if via is None or op.sf == parent or op.action not in (Action.ADD, Action.MOD):
                ops.append(op)
                continue
            reason = f"waits for parent {failed}"
            if via != parent:
                reason = f"waits for parent {via}, which {blocked[via]}"
            blocked[op.sf] = reason
            ops.append(replace(op, action=Action.WAIT, reason=reason))
        return Plan(self.company, tuple(ops))


def _dependency_order(changes: Sequence[Change]) -> list[Change]:
    """Parents first; among ready records, lower kind rank first, then input order."""
    by_sf = {c.sf: c for c in changes}
    position = {c.sf: i for i, c in enumerate(changes)}
    children: dict[SfRef, list[SfRef]] = {sf: [] for sf in by_sf}
    missing: dict[SfRef, int] = {}
    for c in changes:
        inside = {p for p in c.parents if p in by_sf}
        missing[c.sf] = len(inside)
        for p in inside:
            children[p].append(c.sf)
    heap = [(kind_rank(c.kind), position[c.sf], c.sf) for c in changes if missing[c.sf] == 0]
    heapq.heapify(heap)
    ordered: list[Change] = []
    while heap:
        _, _, sf = heapq.heappop(heap)
        ordered.append(by_sf[sf])
        for child in children[sf]:
            missing[child] -= 1
            if missing[child] == 0:
                c = by_sf[child]
                heapq.heappush(heap, (kind_rank(c.kind), position[child], child))
    if len(ordered) < len(changes):
        stuck = sorted(str(sf) for sf, n in missing.items() if n > 0)
        raise PlanError(f"dependency cycle among: {', '.join(stuck[:5])}")
    return ordered


def plan(company: str, changes: Iterable[Change], bindings: BindingLookup) -> Plan:
    """Plan a cycle: Skip unchanged, Wait for missing parents, Add unbound, Mod bound.

    When the same record appears twice, the later change wins.
    """
    latest: dict[SfRef, Change] = {}
    for change in changes:
        latest[change.sf] = change
    decided: dict[SfRef, Operation] = {}
    for change in _dependency_order(list(latest.values())):
        bound = bindings.by_sf(company, change.sf)
        decided[change.sf] = _decide(company, change, bound, decided, bindings)
    return Plan(company, tuple(decided.values()))


def _decide(
    company: str,
    change: Change,
    bound: Binding | None,
    decided: dict[SfRef, Operation],
    bindings: BindingLookup,
) -> Operation:
    if bound is not None and bound.fingerprint == change.fingerprint:
        return Operation(change, Action.SKIP, "unchanged since the last sync", bound.qb)
    for parent in change.parents:
        planned = decided.get(parent)
        if planned is not None:
            if planned.action is Action.WAIT:
                reason = f"waits for parent {parent}, which {planned.reason}"
                return Operation(change, Action.WAIT, reason)
        elif bindings.by_sf(company, parent) is None:
            reason = f"waits for parent {parent}: neither bound nor in this cycle"
            return Operation(change, Action.WAIT, reason)
    if bound is None:
        return Operation(change, Action.ADD, "not bound yet")
    return Operation(change, Action.MOD, "changed since the last sync", bound.qb)


def batches(operations: Sequence[Operation], max_per_batch: int) -> list[list[Operation]]:
    """Split the Add/Mod operations into batches of at most `max_per_batch`.

    A child is never in an earlier batch than its parent; a child of a parent being added goes
    in a strictly later batch, since the parent's QuickBooks id is known only from its reply.
    `operations` must be in dependency order (as `plan` returns them).
    """
    if max_per_batch < 1:
        raise ValueError(f"max_per_batch must be at least 1, got {max_per_batch}")
    sendable = [op for op in operations if op.action in (Action.ADD, Action.MOD)]
    names = {op.sf for op in sendable}
    placed: dict[SfRef, tuple[int, Action]] = {}
    out: list[list[Operation]] = []
    for op in sendable:
        earliest = 0
        for p in op.change.parents:
            if p in placed:
                batch, action = placed[p]
                earliest = max(earliest, batch + 1 if action is Action.ADD else batch)
            elif p in names:
                raise ValueError(f"operations are not in dependency order: {op.sf} before {p}")
        index = earliest
        while index < len(out) and len(out[index]) >= max_per_batch:
            index += 1
        if index == len(out):
            out.append([])
        out[index].append(op)
        placed[op.sf] = (index, op.action)
    return out
