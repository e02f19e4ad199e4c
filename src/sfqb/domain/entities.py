"""Entity kinds on both sides, their parent graph, and typed record keys. No I/O."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from types import MappingProxyType


class InvalidRef(ValueError):
    """A record key that cannot name a record (empty or blank id)."""


class QbKind(StrEnum):
    """QuickBooks record kinds sfqb writes."""

    CUSTOMER = "Customer"
    VENDOR = "Vendor"
    ITEM = "Item"
    INVOICE = "Invoice"
    SALES_RECEIPT = "SalesReceipt"
    ESTIMATE = "Estimate"
    CREDIT_MEMO = "CreditMemo"
    SALES_ORDER = "SalesOrder"


class Role(StrEnum):
    """The part a Salesforce record plays in QuickBooks when it may play more than one.

    An Account is a customer (the main role) and may also be a vendor: each role has its own
    binding, so one record is bound at most once per role.
    """

    MAIN = "main"
    VENDOR = "vendor"


# A custom object's API name: its Object Name (letters, digits and single underscores,
# starting with a letter, not ending in one, at most 40 characters) and the suffix "__c";
# a managed package's objects carry its namespace (at most 15 characters) and "__" before it
# (Salesforce Help, "Custom Object Definition" and "Register a Namespace Prefix").
_WORD = r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*"  # no double underscores, none at the end
CUSTOM_OBJECT = re.compile(rf"(?:({_WORD})__)?({_WORD})__c")
OBJECT_NAME_LIMIT = 40
NAMESPACE_LIMIT = 15


def custom_object_problem(name: str) -> str | None:
    """Why `name` is not a custom object's API name (None when it is one)."""
    found = CUSTOM_OBJECT.fullmatch(name)
    if found is None:
        return (
            "a custom object's API name is its name (letters, digits and single underscores, "
            "starting with a letter) and __c"
        )
    namespace, base = found.groups()
    if len(base) > OBJECT_NAME_LIMIT:
        return (
            f"its name {base!r} has {len(base)} characters; a custom object's has at most "
            f"{OBJECT_NAME_LIMIT} (before __c)"
        )
    if namespace is not None and len(namespace) > NAMESPACE_LIMIT:
        return f"its namespace {namespace!r} has more than {NAMESPACE_LIMIT} characters"
    return None


class SfObject(StrEnum):
    """Salesforce objects sfqb reads: the standard ones below, and a company's custom objects
    (API names ending in __c, a flow's `source:`), made members on first use."""

    ACCOUNT = "Account"
    PRODUCT2 = "Product2"
    OPPORTUNITY = "Opportunity"
    ORDER = "Order"

    @property
    def custom(self) -> bool:
        """True for a custom object (Supplier__c), False for a standard one."""
        return self.value.endswith("__c")

    @classmethod
    def _missing_(cls, value: object) -> SfObject | None:
        # A custom object is a member made once per name (as Flag makes its pseudo-members),
        # so refs compare and hash as the standard objects' do; other names stay refused.
        if not isinstance(value, str) or custom_object_problem(value) is not None:
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return cls._value2member_map_.setdefault(value, member)  # type: ignore[return-value]


def sobject_named(name: str) -> SfObject:
    """The Salesforce object called `name`: a standard one sfqb reads or a custom object;
    InvalidRef saying why otherwise."""
    try:
        return SfObject(name)
    except ValueError:
        pass
    standard = ", ".join(o.value for o in SfObject)
    problem = custom_object_problem(name)
    raise InvalidRef(f"Salesforce object {name!r}: not one of {standard}, and {problem}")


# Which kinds a record of each kind references: transactions name a customer, and their
# lines name items. A parent must exist in QuickBooks before a child can reference it.
QB_PARENTS: Mapping[QbKind, frozenset[QbKind]] = MappingProxyType(
    {
        QbKind.CUSTOMER: frozenset(),
        QbKind.VENDOR: frozenset(),
        QbKind.ITEM: frozenset(),
        QbKind.INVOICE: frozenset({QbKind.CUSTOMER, QbKind.ITEM}),
        QbKind.SALES_RECEIPT: frozenset({QbKind.CUSTOMER, QbKind.ITEM}),
        QbKind.ESTIMATE: frozenset({QbKind.CUSTOMER, QbKind.ITEM}),
        QbKind.CREDIT_MEMO: frozenset({QbKind.CUSTOMER, QbKind.ITEM}),
        QbKind.SALES_ORDER: frozenset({QbKind.CUSTOMER, QbKind.ITEM}),
    }
)

# The QuickBooks kinds a Salesforce object may become; the first is the default. An
# Opportunity of the company's credit type (policy credit_memos) becomes a CreditMemo.
SF_TARGETS: Mapping[SfObject, tuple[QbKind, ...]] = MappingProxyType(
    {
        SfObject.ACCOUNT: (QbKind.CUSTOMER,),
        SfObject.PRODUCT2: (QbKind.ITEM,),
        SfObject.OPPORTUNITY: (
            QbKind.INVOICE,
            QbKind.SALES_RECEIPT,
            QbKind.ESTIMATE,
            QbKind.CREDIT_MEMO,
        ),
        # An Order's kind is the company's `order_target` (policy); Invoice works everywhere.
        SfObject.ORDER: (QbKind.INVOICE, QbKind.SALES_ORDER, QbKind.ESTIMATE),
    }
)


# The QuickBooks kinds a Salesforce record may become in a role other than the main one.
# A custom object may be the vendor flow's source (`source:`): its records are vendors; or
# the refund flow's (refund_to_credit_memo): its records, in the main role, are credit memos.
CUSTOM_ROLE_TARGETS: Mapping[Role, tuple[QbKind, ...]] = MappingProxyType(
    {Role.VENDOR: (QbKind.VENDOR,), Role.MAIN: (QbKind.CREDIT_MEMO,)}
)
ROLE_TARGETS: Mapping[tuple[SfObject, Role], tuple[QbKind, ...]] = MappingProxyType(
    {(SfObject.ACCOUNT, Role.VENDOR): (QbKind.VENDOR,)}
)


# The flows whose records play a role other than the main one: their kept rows (queue, log,
# review) name the record by object and id, and the flow says the role.
FLOW_ROLES: Mapping[str, Role] = MappingProxyType(
    {"account_to_vendor": Role.VENDOR, "vendor_to_account": Role.VENDOR}
)


def role_of_flow(flow: str) -> Role:
    """The role the records of a flow play (the main one for most flows)."""
    return FLOW_ROLES.get(flow, Role.MAIN)


@cache  # asked by every SfRef made (its check), a few dozen a record a cycle
def targets_of(sobject: SfObject, role: Role) -> tuple[QbKind, ...]:
    """The QuickBooks kinds a Salesforce object may become in `role` (empty: none)."""
    if sobject.custom:
        return CUSTOM_ROLE_TARGETS.get(role, ())
    if role is Role.MAIN:
        return SF_TARGETS[sobject]
    return ROLE_TARGETS.get((sobject, role), ())


def default_qb_kind(sobject: SfObject, role: Role = Role.MAIN) -> QbKind:
    """The QuickBooks kind a Salesforce object maps to (in `role`) unless a flow says otherwise."""
    kinds = targets_of(sobject, role)
    if not kinds:
        raise InvalidRef(f"Salesforce {sobject} has no QuickBooks kind as {role}")
    return kinds[0]


def kind_rank(kind: QbKind) -> int:
    """Depth in the parent graph: 0 for kinds without parents, 1 + deepest parent otherwise."""
    parents = QB_PARENTS[kind]
    return 0 if not parents else 1 + max(kind_rank(p) for p in parents)


def _check_id(value: str, what: str) -> None:
    if not value or not value.strip():
        raise InvalidRef(f"{what} needs a non-empty id")


@dataclass(frozen=True, slots=True, order=True)
class SfRef:
    """A Salesforce record in one role: object name, record id and (rarely) a second role.

    Two refs to the same record in different roles are different keys everywhere (bindings,
    queue rows, a cycle's changes); Salesforce itself only sees `sobject` and `id`.
    """

    sobject: SfObject
    id: str
    role: Role = Role.MAIN

    def __post_init__(self) -> None:
        _check_id(self.id, f"Salesforce {self.sobject}")
        if not targets_of(self.sobject, self.role):
            raise InvalidRef(f"Salesforce {self.sobject} cannot be bound as {self.role}")

    def __str__(self) -> str:
        base = f"{self.sobject} {self.id}"
        return base if self.role is Role.MAIN else f"{base} (as {self.role})"

    def as_role(self, role: Role) -> SfRef:
        """The same record in another role."""
        return SfRef(self.sobject, self.id, role)


@dataclass(frozen=True, slots=True, order=True)
class QbRef:
    """A QuickBooks record: kind and ListID/TxnID (or QBO Id)."""

    kind: QbKind
    id: str

    def __post_init__(self) -> None:
        _check_id(self.id, f"QuickBooks {self.kind}")

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"
