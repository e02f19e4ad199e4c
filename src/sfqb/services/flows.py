"""A company's flows: each with its switch (on or off), how its config file sets it up
(source filter, target kind, overridden fields), its last run and what that run did.

A flow's switch: the one a person set in the console (or the JSON API) wins; a flow never
switched follows its config file's `enabled` (on when the file does not say).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sfqb.codes.words import flow_text
from sfqb.jobs.gather import UnknownFlow
from sfqb.mapping import FlowSet
from sfqb.mapping.soql import Condition, render
from sfqb.store import Run, Store
from sfqb.sync.credits import COUNTED_APART
from sfqb.sync.inbound import (
    CREDIT_FLOW,
    CUSTOMER_FLOW,
    PAYMENT_FLOW,
    REFUND_BACK_FLOW,
    VENDOR_BACK_FLOW,
)
from sfqb.sync.records import REFUND_FLOW, SF_FLOWS, Direction

# Salesforce to QuickBooks first (parents before children), then QuickBooks to Salesforce.
FLOWS: tuple[tuple[str, Direction], ...] = (
    *((flow, Direction.SF_TO_QB) for flow, _ in SF_FLOWS),
    (REFUND_FLOW, Direction.SF_TO_QB),
    (CUSTOMER_FLOW, Direction.QB_TO_SF),
    (PAYMENT_FLOW, Direction.QB_TO_SF),
    (VENDOR_BACK_FLOW, Direction.QB_TO_SF),
    (CREDIT_FLOW, Direction.QB_TO_SF),
    (REFUND_BACK_FLOW, Direction.QB_TO_SF),
)
_RUNS = 50  # how many of the newest runs are searched for a flow's last one
_ATTEMPTS = 100_000


@dataclass(frozen=True, slots=True)
class FlowRun:
    """A flow's last run and what it did for that flow."""

    id: int
    status: str
    started_at: datetime
    finished_at: datetime | None
    synced: int
    errors: int


class FlowConfigProblem(ValueError):
    """The company's flow settings (config file, mapping file) cannot be used; one line."""


class FlowNotSetUp(ValueError):
    """A flow the config file has not set up yet cannot be switched on; the text says how."""


UNNAMED = "none"  # the bundled source of a flow that reads the object `source:` names
CUSTOM_OBJECT = "CustomObject"  # the bundled target of a flow that writes to that object


@dataclass(frozen=True, slots=True)
class FlowSetup:
    """How a company's config file sets up one flow, beside the bundled defaults."""

    source: str  # the records it reads: "Account", or a QuickBooks type
    filter: str | None  # the source filter as sfqb sends it (rendered from its parse tree)
    target: str  # the kind of record it makes
    default_target: str
    targets: tuple[str, ...]  # the kinds it can make
    overridden: tuple[str, ...]  # the fields the config file maps its own way
    configured_on: bool  # the config file's `enabled` (True when it does not say)
    # The records of its source it leaves to another flow (the customer flow: the vendor
    # rule's Accounts), except those it has bound already; None when it leaves none.
    leaves: str | None = None

    @property
    def needs_source(self) -> bool:
        """True for a flow of a custom object that the config file has not named yet (the
        refund flows: their maps read and write no object until `source:` says which)."""
        return self.source == UNNAMED or self.target == CUSTOM_OBJECT

    def reads(self) -> str:
        """What the flow reads, in words: its object, its filter and the records it leaves."""
        text = self.source + (f" where {self.filter}" if self.filter else "")
        if self.leaves is not None:
            text += f", except where {self.leaves} (the vendor flow's) unless bound already"
        return text


@dataclass(frozen=True, slots=True)
class FlowState:
    """One flow of a company."""

    flow: str
    name: str  # "Accounts → Customers"
    direction: str
    enabled: bool
    changed_by: str | None
    changed_at: datetime | None
    last_run: FlowRun | None
    switched: bool = False  # a switch set in the console decides, not the config file
    setup: FlowSetup | None = None


def flow_setups(
    configured: FlowSet,
    bundled: FlowSet,
    kept_out: Callable[[str], Condition | None] = lambda _flow: None,
) -> dict[str, FlowSetup]:
    """Each flow's setup: `configured` (the company's maps and config file) against `bundled`;
    `kept_out` gives the records a flow leaves to another one (Mapper.kept_out)."""
    setups = {}
    for name, flow in configured.flows.items():
        leaves = kept_out(name)
        default = bundled.flows.get(name, flow)
        setups[name] = FlowSetup(
            source=flow.source,
            filter=render(flow.where) if flow.where is not None else None,
            target=flow.kind,
            default_target=default.kind,
            targets=flow.kinds,
            overridden=flow.overridden,
            configured_on=flow.enabled,
            leaves=render(leaves) if leaves is not None else None,
        )
    return setups


def flow_ids() -> tuple[str, ...]:
    """Every flow, in the order people see them."""
    return tuple(flow for flow, _ in FLOWS)


def check_flow(flow: str) -> str:
    """The flow, or UnknownFlow naming the valid ones."""
    if flow not in flow_ids():
        raise UnknownFlow(f"unknown flow {flow!r}; flows are {', '.join(flow_ids())}")
    return flow


def _ran(run: Run, flow: str, direction: Direction) -> bool:
    if direction is Direction.SF_TO_QB:
        return flow in run.flows
    return bool(run.flows)  # every cycle that ran reads QuickBooks' changes


def _flow_run(store: Store, run: Run, flow: str) -> FlowRun:
    errors = sum(
        1
        for a in store.journal.log(run.company, run_id=run.id, limit=_ATTEMPTS)
        if a.flow == flow and a.failed
    )
    # A flow's records counted apart (its credit memos) are still what the flow synced.
    synced = sum(
        run.counts.get(f"synced:{name}", 0) for name in (flow, *COUNTED_APART.get(flow, ()))
    )
    return FlowRun(run.id, run.status.value, run.started_at, run.finished_at, synced, errors)


def company_flows(
    store: Store, company: str, setups: Mapping[str, FlowSetup] | None = None
) -> list[FlowState]:
    """Every flow of the company with its switch, its setup (`flow_setups`, when given) and
    its last run (from the journal)."""
    switches = store.flow_settings.for_company(company)
    runs = store.journal.runs(company, limit=_RUNS)
    found = []
    refund = (setups or {}).get(REFUND_FLOW)
    refunds = refund is not None and refund.source.endswith("__c")  # the config file's source:
    for flow, direction in FLOWS:
        switch = switches.get(flow)
        setup = (setups or {}).get(flow)
        by_default = setup.configured_on if setup is not None else True
        if flow in (REFUND_FLOW, REFUND_BACK_FLOW):
            by_default = by_default and refunds  # nothing to read without a source
        last = next((r for r in runs if _ran(r, flow, direction)), None)
        found.append(
            FlowState(
                flow=flow,
                name=flow_text(flow),
                direction=direction.value,
                enabled=switch.enabled if switch else by_default,
                changed_by=switch.changed_by if switch else None,
                changed_at=switch.changed_at if switch else None,
                last_run=_flow_run(store, last, flow) if last else None,
                switched=switch is not None,
                setup=setup,
            )
        )
    return found


def _not_set_up(company: str, flow: str) -> str:
    # Both refund flows read the object the refund flow's `source:` names (docs/flows.md).
    named_by = REFUND_FLOW if flow == REFUND_BACK_FLOW else flow
    return (
        f"{flow_text(flow)} is not set up, so it stays off: name your custom refund object "
        f"as the refund flow's source in the config file (companies.{company}.flows."
        f"{named_by}.source: Refund__c, say; see docs/flows.md), then switch it on."
    )


def switch_flow(
    store: Store, company: str, flow: str, enabled: bool, *, by: str | None = None,
    setups: Mapping[str, FlowSetup] | None = None,
) -> FlowState:  # fmt: skip
    """Switch a flow of the company on or off (the runner honours it from its next cycle,
    over the config file's `enabled`); UnknownFlow for a flow that is not one of sfqb's,
    FlowNotSetUp for switching on a flow whose setup (in `setups`) names no source yet."""
    setup = (setups or {}).get(check_flow(flow))
    if enabled and setup is not None and setup.needs_source:
        raise FlowNotSetUp(_not_set_up(company, flow))
    store.flow_settings.set(company, flow, enabled, by=by)
    return next(f for f in company_flows(store, company, setups) if f.flow == flow)
