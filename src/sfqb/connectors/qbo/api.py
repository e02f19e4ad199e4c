"""The contract between the QuickBooks Online HTTP client and the driver that uses it.

The client (`connectors/qbo/client.py`) speaks HTTP: OAuth, `minorversion`, paging, rate
limits, 429s and `requestid`s. The driver (`connectors/qbo/operations/`) turns the engine's
`QbOp`s into these calls and decodes each answer through the catalog. Entities are QuickBooks
Online's own JSON objects (`{"Id": "1", "SyncToken": "0", "DisplayName": ...}`).

Transport trouble is raised as the engine's `ReplyLost` (sent, answer never came: the outcome
is unknown) or `QuickBooksUnavailable` (nothing was processed); a Fault answered for the whole
request is raised as `QboFault`; a batch answers item by item.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class FaultError:
    """One Error item of a QuickBooks Online Fault: its code, message and Detail."""

    code: str
    message: str
    detail: str = ""
    element: str = ""


@dataclass(frozen=True, slots=True)
class Fault:
    """A QuickBooks Online Fault (`type` is e.g. ValidationFault, AuthenticationFault)."""

    type: str
    errors: tuple[FaultError, ...]
    http_status: int = 200


class QboFault(Exception):
    """QuickBooks Online answered a whole request with a Fault."""

    def __init__(self, fault: Fault) -> None:
        first = fault.errors[0] if fault.errors else FaultError("", "")
        super().__init__(f"{fault.type} {first.code}: {first.message}")
        self.fault = fault


class Environment(StrEnum):
    """Which QuickBooks Online a company lives in (Intuit gives each its own keys and API host)."""

    PRODUCTION = "production"
    SANDBOX = "sandbox"


API_BASE = {
    Environment.PRODUCTION: "https://quickbooks.api.intuit.com",
    Environment.SANDBOX: "https://sandbox-quickbooks.api.intuit.com",
}


class BatchOperation(StrEnum):
    """What a batch item asks for (a query item has none)."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One item of a batch request: `bid` is unique within the batch.

    `entity` is the object's name (Customer, Item, Invoice, ...) and `body` its JSON; a query
    item carries `query` instead. Items of one batch never reference each other.
    """

    bid: str
    entity: str = ""
    operation: BatchOperation | None = None
    body: Mapping[str, Any] = field(default_factory=dict)
    query: str | None = None


@dataclass(frozen=True, slots=True)
class BatchAnswer:
    """The answer to one batch item: the entity written, the query's entities, or a Fault."""

    bid: str
    entity: Mapping[str, Any] | None = None
    entities: tuple[Mapping[str, Any], ...] = ()
    fault: Fault | None = None


@dataclass(frozen=True, slots=True)
class Changes:
    """A Change Data Capture answer: per entity name, the changed objects (deleted ones carry
    `"status": "Deleted"`), and whether any entity hit the 1,000-object cap (`truncated`:
    then the window must be narrowed, never taken as a checkpoint)."""

    entities: Mapping[str, tuple[Mapping[str, Any], ...]]
    truncated: bool = False


class QboAuthLost(Exception):
    """The company's connection is gone (invalid_grant, revoked, expired): reconnect needed."""

    def __init__(self, error: str, description: str = "") -> None:
        super().__init__(f"{error}: {description}" if description else error)
        self.error = error
        self.description = description


class TokenEndpointUnavailable(Exception):
    """The token endpoint could not be reached or answered 5xx: try again later."""


class TokenSource(Protocol):
    """Access tokens for one company, refreshed ahead of expiry (rotated refresh tokens kept)."""

    def access_token(self) -> str:
        """A valid access token (refreshed first when it is about to expire)."""
        ...

    def refresh(self, rejected: str) -> str:
        """A new access token after QuickBooks refused `rejected` (401); raises QboAuthLost."""
        ...


class CallMeter(Protocol):
    """Counts a company's API calls (some Intuit app tiers meter reads), per month."""

    def count(self, *, reads: int = 0, writes: int = 0) -> None:
        """Record calls just made."""
        ...


class QboApi(Protocol):
    """The QuickBooks Online calls the driver makes, for one company (realm)."""

    def query(self, statement: str) -> list[dict[str, Any]]:
        """Every entity a query selects, paged with STARTPOSITION/MAXRESULTS 1,000."""
        ...

    def read(self, entity: str, entity_id: str) -> dict[str, Any]:
        """One entity by Id (raises QboFault 610 when it does not exist)."""
        ...

    def batch(
        self, items: Sequence[BatchItem], request_id: str, *, singly: bool | None = None
    ) -> list[BatchAnswer]:
        """At most 30 items in one request; one answer per item, in item order. `singly`
        sends them as single requests (True) or one batch request (False); None: as the
        company's rate limits allow now (`batch_singly`)."""
        ...

    def batch_singly(self) -> bool:
        """True when a batch sent now would go as single requests (the minute's batch
        requests are spent), so that a batch sent again goes the same way."""
        ...

    def changes(self, entities: Sequence[str], since: datetime) -> Changes:
        """Change Data Capture since `since` (at most 30 days back)."""
        ...

    def preferences(self) -> dict[str, Any]:
        """The company's Preferences entity."""
        ...

    def company_info(self) -> dict[str, Any]:
        """The company's CompanyInfo entity."""
        ...
