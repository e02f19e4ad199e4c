"""Entity kinds on both sides, their parent graph, and typed record keys. No I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class InvalidRef(ValueError):
    """A record key that cannot name a record (empty or blank id)."""


class QbKind(StrEnum):
    """QuickBooks record kinds sfqb writes."""

    CUSTOMER = "Customer"
    ITEM = "Item"
    INVOICE = "Invoice"
    SALES_RECEIPT = "SalesReceipt"
    ESTIMATE = "Estimate"
    SALES_ORDER = "SalesOrder"


class SfObject(StrEnum):
    """Salesforce objects sfqb reads."""

    ACCOUNT = "Account"
    PRODUCT2 = "Product2"
    OPPORTUNITY = "Opportunity"
    ORDER = "Order"


# Which kinds a record of each kind references: transactions name a customer, and their
# lines name items. A parent must exist in QuickBooks before a child can reference it.
QB_PARENTS: Mapping[QbKind, frozenset[QbKind]] = MappingProxyType(
    {
        QbKind.CUSTOMER: frozenset(),
        QbKind.ITEM: frozenset(),
        QbKind.INVOICE: frozenset({QbKind.CUSTOMER, QbKind.ITEM}),
        QbKind.SALES_RECEIPT: frozenset({QbKind.CUSTOMER, QbKind.ITEM}),
        QbKind.ESTIMATE: frozenset({QbKind.CUSTOMER, QbKind.ITEM}),
        QbKind.SALES_ORDER: frozenset({QbKind.CUSTOMER, QbKind.ITEM}),
    }
)

# The QuickBooks kinds a Salesforce object may become; the first is the default.
SF_TARGETS: Mapping[SfObject, tuple[QbKind, ...]] = MappingProxyType(
    {
        SfObject.ACCOUNT: (QbKind.CUSTOMER,),
        SfObject.PRODUCT2: (QbKind.ITEM,),
        SfObject.OPPORTUNITY: (QbKind.INVOICE, QbKind.SALES_RECEIPT, QbKind.ESTIMATE),
        # An Order's kind is the company's `order_target` (policy); Invoice works everywhere.
        SfObject.ORDER: (QbKind.INVOICE, QbKind.SALES_ORDER, QbKind.ESTIMATE),
    }
)


def default_qb_kind(sobject: SfObject) -> QbKind:
    """The QuickBooks kind a Salesforce object maps to unless a flow says otherwise."""
    return SF_TARGETS[sobject][0]


def kind_rank(kind: QbKind) -> int:
    """Depth in the parent graph: 0 for kinds without parents, 1 + deepest parent otherwise."""
    parents = QB_PARENTS[kind]
    return 0 if not parents else 1 + max(kind_rank(p) for p in parents)


def _check_id(value: str, what: str) -> None:
    if not value or not value.strip():
        raise InvalidRef(f"{what} needs a non-empty id")


@dataclass(frozen=True, slots=True, order=True)
class SfRef:
    """A Salesforce record: object name and record id."""

    sobject: SfObject
    id: str

    def __post_init__(self) -> None:
        _check_id(self.id, f"Salesforce {self.sobject}")

    def __str__(self) -> str:
        return f"{self.sobject} {self.id}"


@dataclass(frozen=True, slots=True, order=True)
class QbRef:
    """A QuickBooks record: kind and ListID/TxnID (or QBO Id)."""

    kind: QbKind
    id: str

    def __post_init__(self) -> None:
        _check_id(self.id, f"QuickBooks {self.kind}")

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"
