"""Which Salesforce contact is an account's primary one: a company rule, as plain data.

The rule is a company setting (`policy.primary_contact`), one of:

* `role` (the default): the contact whose AccountContactRole on the account has IsPrimary;
* `role:<Role>`: the contact playing that Role on the account (the newest such role);
* `checkbox:<Field>`: the account's contact with that checkbox field set (e.g. Primary__c);
* `latest`: the account's most recently modified contact.

Every rule but `latest` falls back to the most recently modified contact of the account when
nothing meets it, so an account with contacts always fills its customer's contact fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

# The contact fields a primary contact hands the account's payload (PrimaryContact.<field>).
CONTACT_FIELDS = ("FirstName", "LastName", "Email", "Phone")
_FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,79}")


class PrimaryBy(StrEnum):
    """How a company picks the primary contact."""

    ROLE = "role"
    CHECKBOX = "checkbox"
    LATEST = "latest"


class PrimaryRuleError(ValueError):
    """A primary-contact rule that cannot be used; one line naming what it may be."""


@dataclass(frozen=True, slots=True)
class PrimaryContactRule:
    """A company's primary-contact rule; `value` is the role name or the checkbox field."""

    by: PrimaryBy = PrimaryBy.ROLE
    value: str = ""

    @classmethod
    def parse(cls, text: str) -> PrimaryContactRule:
        """The rule a setting names ("role", "role:Billing", "checkbox:Primary__c", "latest")."""
        kind, _, value = str(text).strip().partition(":")
        value = value.strip()
        try:
            by = PrimaryBy(kind.strip().lower())
        except ValueError:
            raise PrimaryRuleError(
                f"{text!r} is not a primary-contact rule: use role, role:<Role>, "
                "checkbox:<Field__c> or latest"
            ) from None
        if by is PrimaryBy.CHECKBOX and not _FIELD_NAME.fullmatch(value):
            raise PrimaryRuleError(f"{text!r}: checkbox: needs a Contact field API name")
        if by is PrimaryBy.LATEST and value:
            raise PrimaryRuleError(f"{text!r}: latest takes no value")
        if by is PrimaryBy.ROLE and len(value) > 40:
            raise PrimaryRuleError(f"{text!r}: a role name has at most 40 characters")
        return cls(by, value)

    def __str__(self) -> str:
        return f"{self.by.value}:{self.value}" if self.value else self.by.value

    @property
    def uses_roles(self) -> bool:
        """True when the rule reads AccountContactRole records."""
        return self.by is PrimaryBy.ROLE

    @property
    def contact_fields(self) -> tuple[str, ...]:
        """Contact fields the rule reads besides the standard ones (its checkbox)."""
        return (self.value,) if self.by is PrimaryBy.CHECKBOX else ()


def _stamp(record: Mapping[str, Any]) -> tuple[datetime | str, str]:
    return (record.get("SystemModstamp") or "", str(record.get("Id") or ""))


def primary_contact(
    rule: PrimaryContactRule,
    contacts: Iterable[Mapping[str, Any]],
    roles: Iterable[Mapping[str, Any]] = (),
) -> Mapping[str, Any] | None:
    """The primary contact among one account's `contacts` (payloads by field name), by `rule`;
    `roles` are the account's AccountContactRole payloads. None when it has no contact."""
    live = [c for c in contacts if not c.get("IsDeleted")]
    by_id = {str(c.get("Id")): c for c in live}
    chosen: Mapping[str, Any] | None = None
    if rule.by is PrimaryBy.ROLE:
        fits = [
            r
            for r in roles
            if str(r.get("ContactId")) in by_id
            and (r.get("Role") == rule.value if rule.value else r.get("IsPrimary") is True)
        ]
        if fits:
            chosen = by_id[str(max(fits, key=_stamp).get("ContactId"))]
    elif rule.by is PrimaryBy.CHECKBOX:
        ticked = [c for c in live if c.get(rule.value) is True]
        chosen = max(ticked, key=_stamp) if ticked else None
    if chosen is None and live:
        chosen = max(live, key=_stamp)
    return chosen


def contact_values(contact: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The fields of a primary contact the account's payload carries (None without one)."""
    if contact is None:
        return None
    return {name: contact.get(name) for name in CONTACT_FIELDS}
