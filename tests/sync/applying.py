"""Test helper: the reference semantics of applying results to bindings (bind on Add,
refresh or rebind on Mod). The cycle does this itself; the property tests use this model."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sfqb.domain.bindings import Binding, BindingError
from sfqb.domain.entities import QbRef, SfRef
from sfqb.domain.status import DecodedStatus
from sfqb.sync.plan import Action, Operation


@dataclass(frozen=True, slots=True)
class Applied:
    """QuickBooks accepted the request; `qb` is the record it created or modified."""

    qb: QbRef


@dataclass(frozen=True, slots=True)
class Failed:
    """QuickBooks refused the request, with the decoded status."""

    status: DecodedStatus


@dataclass(frozen=True, slots=True)
class Waiting:
    """The request was not sent; `reason` says what it waits for."""

    reason: str


Result = Applied | Failed | Waiting


class BindingWriter(Protocol):
    """What applying results needs from the bindings (BindingSet or the store)."""

    def by_sf(self, company: str, sf: SfRef) -> Binding | None: ...

    def bind(self, binding: Binding) -> None: ...

    def rebind(
        self, company: str, sf: SfRef, qb: QbRef, fingerprint: str, synced_at: datetime
    ) -> Binding: ...

    def refresh(
        self, company: str, sf: SfRef, fingerprint: str, synced_at: datetime
    ) -> Binding: ...


@dataclass(slots=True)
class ApplyReport:
    """What applying a batch of results did; `errors` holds records whose binding failed."""

    bound: list[Binding] = field(default_factory=list)
    refreshed: list[Binding] = field(default_factory=list)
    errors: list[tuple[SfRef, BindingError]] = field(default_factory=list)


def apply_results(
    bindings: BindingWriter,
    company: str,
    results: Iterable[tuple[Operation, Result]],
    synced_at: datetime,
) -> ApplyReport:
    """Bind on a successful Add, refresh the fingerprint on a successful Mod.

    Failed and Waiting results change nothing. A binding error on one record (e.g. the
    QuickBooks id is already bound to another record) is reported and does not stop the others.
    """
    report = ApplyReport()
    for op, result in results:
        if not isinstance(result, Applied):
            continue
        fingerprint = op.change.fingerprint
        try:
            if op.action is Action.ADD:
                binding = Binding(company, op.sf, result.qb, fingerprint, synced_at)
                bindings.bind(binding)
                report.bound.append(binding)
            elif op.action is Action.MOD:
                current = bindings.by_sf(company, op.sf)
                if current is not None and current.qb != result.qb:
                    binding = bindings.rebind(company, op.sf, result.qb, fingerprint, synced_at)
                else:
                    binding = bindings.refresh(company, op.sf, fingerprint, synced_at)
                report.refreshed.append(binding)
        except BindingError as exc:
            report.errors.append((op.sf, exc))
    return report
