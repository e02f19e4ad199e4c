"""The shapes a sync cycle is run with: its settings, its report, the cycle in progress, and
the two collaborators it is driven through (a QuickBooks `Driver`, the company's `Circuit`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from importlib import resources
from typing import Any, Protocol

import yaml

from sfqb.codes import Catalog
from sfqb.domain.entities import SfRef
from sfqb.domain.policy import CompanyPolicy
from sfqb.domain.status import DecodedStatus, System
from sfqb.store import QueueItem
from sfqb.store.binding_cache import BindingCache
from sfqb.sync.cycle import Cycle
from sfqb.sync.inbound import FALL_BACK_HOURS
from sfqb.sync.ops import QbOp, QbResult, QuickBooksUnavailable

OPPORTUNITY_FLOW = "opportunity_to_invoice"  # its target kind is the runner's transaction type
CONTACT_EVERY = timedelta(seconds=30)  # how often a cycle records its contact with QuickBooks
FIELD_STREAM = ":binding-field:"  # target + this + the field in use ("" private): announced


def _defaults() -> dict[str, Any]:
    text = resources.files("sfqb.jobs").joinpath("data/cycle.yaml").read_text("utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


MAX_RECORDS_PER_CYCLE = int(_defaults()["max_records_per_cycle"])  # data/cycle.yaml


class Circuit(Protocol):
    """The company's connector circuit (sfqb.jobs.circuit.Circuit)."""

    def trip(
        self, company: str, status: DecodedStatus, policy: CompanyPolicy | None = None
    ) -> Any: ...

    def contact(self, company: str) -> Any: ...


class Driver(Protocol):
    """Carries a batch of QuickBooks operations and brings back one result per op."""

    def execute(self, ops: Sequence[QbOp]) -> list[QbResult]: ...


@dataclass(frozen=True, slots=True)
class RunnerSettings:
    """Knobs of a cycle (the batch size is the target's: `TargetProfile.max_batch`)."""

    # QuickBooks' changes are read again from this long before the checkpoint (what comes
    # again and sfqb has seen costs nothing). Near the hours a fall-back repeats (`qb_fall_back`,
    # QuickBooks' wall clock) the read reaches a whole hour further back: see inbound.read_from.
    qb_overlap: timedelta = timedelta(minutes=3)
    qb_fall_back: tuple[time, time] = FALL_BACK_HOURS
    transaction_type: str = "Invoice"
    qb_page_size: int = 100  # MaxReturned of each page of QuickBooks' changes
    # The most due queue rows a cycle takes on (data/cycle.yaml); more due: the next cycle
    # follows at once (`CycleReport.more`).
    max_records_per_cycle: int = MAX_RECORDS_PER_CYCLE

    def __post_init__(self) -> None:
        if self.max_records_per_cycle < 1:
            raise ValueError("max_records_per_cycle must be at least 1")


@dataclass(slots=True)
class CycleReport:
    """What one cycle did, in counts."""

    company: str
    run_id: int
    synced: Counter[str] = field(default_factory=Counter)
    states: Counter[str] = field(default_factory=Counter)
    qb_batches: int = 0
    qb_pages: int = 0  # of the batches, those that only carried further pages of reads
    sf_writes: int = 0
    failed_writes: int = 0
    attempts: int = 0
    aborted: str = ""
    held: str = ""  # the company message that kept the cycle from running
    read_clean: bool = False  # QuickBooks' changes read in full and every write-back saved
    # The cycle took as many due rows as it may (RunnerSettings.max_records_per_cycle), the
    # last of them at `more` (its next attempt, id): more may be due. The next cycle of the
    # chain takes rows due by `due_by` (the chain's start) past `more` in due order, so a row
    # this chain put back, or left as it was, waits for the next chain (no chain runs forever).
    more: tuple[datetime, int] | None = None
    due_by: datetime | None = None
    chained: int = 0  # cycles of the chain before this one (run_direct)

    @property
    def wrote_anything(self) -> bool:
        """True when the cycle sent a write to either side (pages of reads are not writes)."""
        return self.qb_batches - self.qb_pages > 1 or self.sf_writes > 0


@dataclass(slots=True)
class ActiveCycle:
    """A cycle in progress, with the queue rows it works on."""

    report: CycleReport
    cycle: Cycle
    items: dict[SfRef, QueueItem]
    bindings: BindingCache
    read_ok: bool = True
    sweep: bool = False  # the nightly sweep: QuickBooks' whole change window read
    # A chained cycle reads none of QuickBooks' changes (its chain's first cycle did, and the
    # next chain's reads what this one wrote): it keeps the QuickBooks checkpoint as it is, and
    # is clean when the cycle before it was (None: the cycle reads them).
    clean_before: bool | None = None


def run_counts(report: CycleReport) -> dict[str, int]:
    """The counts a run row keeps of a cycle's report."""
    counts = {f"synced:{flow}": n for flow, n in report.synced.items()}
    counts.update({f"state:{state}": n for state, n in report.states.items()})
    counts.update(
        qb_batches=report.qb_batches,
        qb_pages=report.qb_pages,
        qb_read_clean=int(report.read_clean),
        sf_writes=report.sf_writes,
        failed_writes=report.failed_writes,
    )
    return counts


def decode_outage(catalog: Catalog, hresult: str, message: str) -> QuickBooksUnavailable:
    """The exception a driver raises when QuickBooks cannot be reached, decoded."""
    return QuickBooksUnavailable(catalog.decode(System.HRESULT, hresult, message))
