"""The engine's inputs and outputs besides QuickBooks operations: plain data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Protocol

from sfqb.domain.bindings import Binding
from sfqb.domain.entities import FLOW_ROLES, QbRef, Role, SfObject, SfRef, role_of_flow
from sfqb.domain.status import DecodedStatus
from sfqb.mapping.flowmap import FlowSet

_EMPTY: Mapping[str, Any] = MappingProxyType({})

VENDOR_FLOW = "account_to_vendor"  # its records are Accounts as vendors (entities.FLOW_ROLES)
# The Salesforce-to-QuickBooks flows and the object each reads, parents before children (a
# vendor has no parent and no child: it comes last).
SF_FLOWS: tuple[tuple[str, SfObject], ...] = (
    ("account_to_customer", SfObject.ACCOUNT),
    ("product_to_item", SfObject.PRODUCT2),
    ("opportunity_to_invoice", SfObject.OPPORTUNITY),
    ("order_to_sales_order", SfObject.ORDER),
    (VENDOR_FLOW, SfObject.ACCOUNT),
)
# A custom object the company names (`source:`, e.g. Refund__c) -> credit memos; it has no
# object of its own, so it reads only for a company whose config file gives it one.
REFUND_FLOW = "refund_to_credit_memo"
ORDER_FLOW = "order_to_sales_order"  # its kind is the company's policy `order_target`
# The main flow of each Salesforce object (an SfObject or its name, "Account", looks it up);
# `flow_of` gives the flow of a ref in any role.
FLOW_OF: Mapping[str, str] = MappingProxyType(
    {sobject: flow for flow, sobject in reversed(SF_FLOWS) if flow not in FLOW_ROLES}
)
# The flow of the records in a role other than the main one, whatever object they are (an
# Account, or the custom object a company names as its vendors' source).
_FLOW_OF_ROLE = {Role.VENDOR: VENDOR_FLOW}


def flow_of(sf: SfRef) -> str:
    """The Salesforce-to-QuickBooks flow a record in its role travels by."""
    if sf.role is Role.MAIN:
        return REFUND_FLOW if sf.sobject.custom else FLOW_OF[sf.sobject]
    return _FLOW_OF_ROLE[sf.role]


def sf_flows(sources: Mapping[str, str] | None = None) -> tuple[tuple[str, SfObject], ...]:
    """The Salesforce-to-QuickBooks flows and the object each reads for a company whose
    flows read `sources` (flow -> object; a custom object of its config file's `source:`)."""
    given = sources or {}
    every = tuple((f, SfObject(given.get(f, o.value))) for f, o in SF_FLOWS)
    refund = given.get(REFUND_FLOW)
    return every if refund is None else (*every, (REFUND_FLOW, SfObject(refund)))


def flow_sources(flows: FlowSet) -> dict[str, str]:
    """Flow -> the object it reads, for the Salesforce-to-QuickBooks flows of a company's
    maps whose source is not their own (a custom object, the config file's `source:`)."""
    own = {f: o.value for f, o in SF_FLOWS}
    found = {
        name: flow.source
        for name, flow in flows.flows.items()
        if name in own and flow.source != own[name]
    }
    refund = flows.flows.get(REFUND_FLOW)
    if refund is not None and refund.source.endswith("__c"):
        found[REFUND_FLOW] = refund.source
    return found


def sf_ref(flow: str, sobject: str, record_id: str) -> SfRef:
    """The ref of a Salesforce record as the flow `flow` sees it (kept rows: queue, log)."""
    return SfRef(SfObject(sobject), record_id, role_of_flow(flow))


class Direction(StrEnum):
    """Which way a record travels."""

    SF_TO_QB = "sf_to_qb"
    QB_TO_SF = "qb_to_sf"


class ItemState(StrEnum):
    """Where a pending change stands at the end of a cycle."""

    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"
    RETRY = "retry"
    WAITING = "waiting"
    INFLIGHT = "inflight"
    HELD = "held"
    REVIEW = "review"


class BindOrigin(StrEnum):
    """Who asked for a binding change sfqb must check in QuickBooks first."""

    SALESFORCE = "salesforce"  # a person edited QuickBooks_ID__c in Salesforce
    REVIEW = "review"  # `review resolve --bind` with an Id that was not a listed candidate


@dataclass(frozen=True, slots=True)
class BindRequest:
    """A binding change asked for a record: bind it to `qb_id`, or ("" ) unbind it.

    Nothing changes until a cycle has read the QuickBooks records concerned; `by` is the
    Salesforce user who edited the field (LastModifiedById), when known.
    """

    qb_id: str
    origin: BindOrigin
    by: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The request as stored with the record's queue row."""
        return {"qb_id": self.qb_id, "origin": self.origin.value, "by": self.by}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> BindRequest | None:
        """The request a queue row keeps (None when there is none)."""
        if not data:
            return None
        by = data.get("by")
        return cls(str(data.get("qb_id") or ""), BindOrigin(data["origin"]), by and str(by))


@dataclass(frozen=True, slots=True)
class PendingChange:
    """A Salesforce record to push, as read (or as kept in the retry queue).

    `payload` holds the record's fields by API name; `unknown_since` is set when an earlier
    Add of it was sent and its reply never arrived, so sfqb must look before adding again;
    `attempts` counts earlier failed attempts (waits on a record in use not included);
    `tries` counts every answered attempt of its queue row (waits included; a lost reply is
    not answered), so a write sent again after a lost reply shares its attempt key;
    `last_code` is the status code it ended its previous cycle with, if any;
    `bind_request` a binding change asked for it, to check in QuickBooks before anything else;
    `sent` the payload its unanswered add was sent with, when Salesforce changed it since.
    `overrides` the values a person set for this record's QuickBooks fields (the review list).
    """

    flow: str
    sf: SfRef
    payload: Mapping[str, Any]
    modstamp: datetime | None = None
    unknown_since: datetime | None = None
    attempts: int = 0
    last_code: str | None = None
    bind_request: BindRequest | None = None
    tries: int = 0
    sent: Mapping[str, Any] | None = None
    overrides: Mapping[str, Any] = field(default_factory=dict)  # values a person set, by field


@dataclass(frozen=True, slots=True)
class SfWrite:
    """Fields to write on one Salesforce record."""

    sobject: str
    record_id: str
    fields: Mapping[str, Any]
    flow: str
    direction: Direction


@dataclass(frozen=True, slots=True)
class SfWriteResult:
    """The outcome of one Salesforce write: no statuses means it was saved."""

    sobject: str
    record_id: str
    statuses: tuple[DecodedStatus, ...] = ()

    @property
    def ok(self) -> bool:
        """True when Salesforce saved the record."""
        return not self.statuses


@dataclass(frozen=True, slots=True)
class Attempt:
    """One line of the integration log: what was tried, the decoded status, what sfqb did."""

    flow: str
    direction: Direction
    operation: str
    status: DecodedStatus
    action: str
    sf: SfRef | None = None
    qb: QbRef | None = None
    summary: str = ""


@dataclass(frozen=True, slots=True)
class Block:
    """A company-level hold: a QuickBooks preference or permission stops one kind of write.

    `key` is "<qb_type>:<action>" (e.g. "Invoice:add"); records it covers are held, and each
    cycle sends one of them as a probe until QuickBooks accepts it.
    """

    key: str
    status: DecodedStatus
    message: str


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    """The state a pending change ends the cycle in, and why."""

    flow: str
    sf: SfRef
    state: ItemState
    status: DecodedStatus | None = None
    reason: str = ""
    details: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    awaits: SfRef | None = None  # WAITING: the unbound parent it waits for (None: not known)


class BindingRepository(Protocol):
    """What the engine needs of the bindings: the in-memory BindingSet and the store fit."""

    def by_sf(self, company: str, sf: SfRef) -> Binding | None: ...

    def by_qb(self, company: str, qb: QbRef) -> Binding | None: ...

    def bind(self, binding: Binding) -> None: ...

    def update(self, binding: Binding) -> Binding: ...

    def unbind(self, company: str, ref: SfRef | QbRef) -> Binding: ...

    def for_company(self, company: str) -> Iterable[Binding]: ...


def modstamp_of(payload: Mapping[str, Any]) -> datetime | None:
    """A Salesforce payload's SystemModstamp as a datetime (None when it has none)."""
    value = payload.get("SystemModstamp")
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return None
