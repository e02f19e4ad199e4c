"""Decoded statuses: what a QuickBooks, Salesforce or transport status code means."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class System(StrEnum):
    """The namespaces a status code can come from."""

    QBXML = "qbxml"
    HRESULT = "hresult"
    QBWC = "qbwc"
    QBO = "qbo"
    SALESFORCE = "salesforce"
    TRANSPORT = "transport"


class Severity(StrEnum):
    """How bad a status is, in QuickBooks' three levels."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class Category(StrEnum):
    """What kind of problem a code reports; remedies and reports group by it."""

    OK = "ok"
    INFO = "info"
    WARNING = "warning"
    DUPLICATE = "duplicate"
    MISSING = "missing"
    BAD_REFERENCE = "bad_reference"
    IN_USE = "in_use"
    CONFLICT = "conflict"
    FEATURE_OFF = "feature_off"
    PERMISSION = "permission"
    AUTH = "auth"
    RATE_LIMIT = "rate_limit"
    REQUEST_BUG = "request_bug"
    VALIDATION = "validation"
    CONNECTIVITY = "connectivity"
    SERVER_ERROR = "server_error"
    CONFIG = "config"


class Remedy(StrEnum):
    """The automatic action sfqb takes for a code."""

    NONE = "none"
    RETRY_NEXT_CYCLE = "retry_next_cycle"
    SYNC_PARENT_FIRST = "sync_parent_first"
    BIND_EXISTING = "bind_existing"
    RECREATE_UNBOUND = "recreate_unbound"
    REREAD_AND_REAPPLY = "reread_and_reapply"
    OPEN_CIRCUIT = "open_circuit"
    PREFLIGHT_BLOCK = "preflight_block"
    REFRESH_AUTH = "refresh_auth"
    RESEND = "resend"
    SHRINK_WINDOW = "shrink_window"
    HOLD_FOR_REVIEW = "hold_for_review"
    ADD_AGAIN = "add_again"


class Actor(StrEnum):
    """Who has to act for the problem to go away."""

    SFQB = "sfqb"
    QUICKBOOKS_USER = "quickbooks_user"
    QUICKBOOKS_ADMIN = "quickbooks_admin"
    SALESFORCE_ADMIN = "salesforce_admin"
    INTEGRATION_ADMIN = "integration_admin"


class Confidence(StrEnum):
    """How sure the catalog is of an entry's meaning."""

    CONFIRMED = "confirmed"
    SECONDARY = "secondary"
    UNCONFIRMED = "unconfirmed"


@dataclass(frozen=True, slots=True)
class DecodedStatus:
    """One interpretation of a status code, with plain-words meaning and fix."""

    system: System
    code: str
    severity: Severity
    message: str
    title: str
    meaning: str
    fix: tuple[str, ...]
    category: Category
    retryable: bool
    remedy: Remedy
    actor: Actor
    known: bool
    confidence: Confidence = Confidence.CONFIRMED
    applies_when: str = ""
    details: dict[str, str] = field(default_factory=dict)

    @property
    def is_failure(self) -> bool:
        """True when the status means the request did not do what was asked."""
        return self.severity is Severity.ERROR

    def to_json(self) -> dict[str, Any]:
        """The JSON object `sfqb explain --json` prints for this interpretation."""
        data = asdict(self)
        data["fix"] = list(self.fix)
        for key in ("system", "severity", "category", "remedy", "actor", "confidence"):
            data[key] = str(data[key])
        return data

    def fix_text(self) -> str:
        """The fix as one paragraph of numbered steps."""
        if len(self.fix) == 1:
            return self.fix[0]
        return " ".join(f"{i}. {step}" for i, step in enumerate(self.fix, start=1))
