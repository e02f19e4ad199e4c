"""Per-company remedy policies, with the safe defaults sfqb uses when a company sets none."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class MatchRule(StrEnum):
    """When an existing QuickBooks record may be bound to a Salesforce record automatically.

    Names are compared normalised (case, spacing and punctuation ignored).
    """

    NAME = "name"
    NAME_AND_PHONE = "name+phone"
    NAME_AND_EMAIL_OR_PHONE = "name+email_or_phone"
    NAME_AND_ADDRESS = "name+address"
    NEVER = "never"


class OnDeleted(StrEnum):
    """What to do when the bound QuickBooks record was deleted (3120 / QBO 610)."""

    RECREATE = "recreate"
    HOLD = "hold"


class OnConflict(StrEnum):
    """What to do when both sides changed a field owned by whichever is newest."""

    REVIEW = "review"
    NEWEST_WINS = "newest_wins"


@dataclass(frozen=True, slots=True)
class AlertSettings:
    """Where a company's alerts go and how often."""

    email_to: tuple[str, ...] = ()
    webhook_url: str = ""
    max_per_hour: int = 6
    connector_down_minutes: int = 30
    no_success_hours: int = 6


@dataclass(frozen=True, slots=True)
class CompanyPolicy:
    """Every remedy knob of one company; the defaults are the safe ones."""

    match_rule: MatchRule = MatchRule.NAME_AND_EMAIL_OR_PHONE
    on_deleted: OnDeleted = OnDeleted.HOLD
    on_conflict: OnConflict = OnConflict.REVIEW
    max_attempts: int = 6
    backoff_base_seconds: int = 60
    backoff_cap_seconds: int = 3600
    expected_contact_minutes: int = 60
    # The custom field people see the Salesforce Id in (an existing one, or one sfqb defines
    # where a slot is free); "" keeps it in sfqb's private field only.
    binding_field: str = "SalesforceID"
    alerts: AlertSettings = field(default_factory=AlertSettings)
