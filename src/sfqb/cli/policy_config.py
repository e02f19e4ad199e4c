"""The `policy:` section of a company in the SFQB_CONFIG file, parsed into a CompanyPolicy.

Every key is optional and falls back to CompanyPolicy's safe default::

    policy:
      match_rule: name+phone          # name | name+phone | name+email_or_phone | ...
      on_deleted: recreate            # recreate | hold
      on_conflict: review             # review | newest_wins
      on_inactive: review             # review | reactivate
      max_attempts: 6
      backoff_base_seconds: 60
      backoff_cap_seconds: 3600
      expected_contact_minutes: 60
      sync_every_minutes: 15          # QuickBooks Online: a cycle (CDC sweep) at least this often
      sf_batch_size: 200              # records per Salesforce write call, 1..200
      binding_field: SalesforceID     # the custom field people see the Id in; "" = private
      alerts:
        email_to: [ops@example.com]   # a list, or one address
        webhook_url: https://hooks.example.com/sfqb
        max_per_hour: 6
        connector_down_minutes: 30
        no_success_hours: 6
      accounts:
        income_account: Sales         # the income account items are added with
        inventory_asset_account: Inventory Asset   # an inventory item's asset account
        cogs_account: Cost of Goods Sold           # ... and its cost of goods sold account
      sales_tax:
        taxable_code: Tax             # the sales tax code of taxable lines and items
        non_taxable_code: Non         # ... and of the others ("" sends no code)
        tax_item: State Tax           # the sales tax item invoices carry ("" QuickBooks picks)
        taxable_by_default: false     # products without a taxable flag in the map

A mistake is a PolicyError naming the key and what it may be.
"""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from importlib import resources
from typing import Any

import yaml

from sfqb.domain.policy import (
    AccountSettings,
    AlertSettings,
    CompanyPolicy,
    MatchRule,
    OnConflict,
    OnDeleted,
    OnInactive,
    SalesTaxSettings,
)

ENUMS: dict[str, type[StrEnum]] = {
    "match_rule": MatchRule,
    "on_deleted": OnDeleted,
    "on_conflict": OnConflict,
    "on_inactive": OnInactive,
}


class PolicyError(ValueError):
    """A `policy:` section that cannot be used; the text names the key."""


def _limits(section: str) -> dict[str, int]:
    text = resources.files("sfqb.cli").joinpath("data/policy.yaml").read_text(encoding="utf-8")
    return {str(k): int(v) for k, v in (yaml.safe_load(text).get(section) or {}).items()}


def _minimums() -> dict[str, int]:
    return _limits("minimums")


def _names(cls: type[Any]) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]


def _mapping(value: Any, where: str, cls: type[Any]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PolicyError(f"{where} must be a mapping of settings")
    unknown = sorted(str(k) for k in set(value) - set(_names(cls)))
    if unknown:
        raise PolicyError(
            f"{where}: unknown setting {unknown[0]!r} (known: {', '.join(_names(cls))})"
        )
    return {str(k): v for k, v in value.items()}


def _number(value: Any, where: str, key: str, limits: dict[str, int]) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PolicyError(f"{where}.{key} must be a whole number, not {value!r}")
    least = limits.get(key, 0)
    if value < least:
        raise PolicyError(f"{where}.{key} must be at least {least}, not {value}")
    most = _limits("maximums").get(key)
    if most is not None and value > most:
        raise PolicyError(f"{where}.{key} must be at most {most}, not {value}")
    return value


def _choice(value: Any, where: str, key: str) -> StrEnum:
    enum = ENUMS[key]
    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(e.value for e in enum)
        raise PolicyError(f"{where}.{key} must be one of {choices}, not {value!r}") from None


def _emails(value: Any, where: str) -> tuple[str, ...]:
    given = [value] if isinstance(value, str) else value
    if not isinstance(given, list) or not all(isinstance(v, str) for v in given):
        raise PolicyError(f"{where}.email_to must be an address or a list of addresses")
    for address in given:
        if "@" not in address or any(c.isspace() for c in address.strip()):
            raise PolicyError(f"{where}.email_to: {address!r} is not an email address")
    return tuple(a.strip() for a in given)


def _field_name(value: Any, where: str) -> str:
    # A custom field's name (DataExtName) has at most 31 characters (qbxmlops120.xsd).
    if not isinstance(value, str) or len(value) > 31 or value != value.strip():
        raise PolicyError(
            f"{where}.binding_field must be a custom field's name of at most 31 characters "
            f'(or "" for the private field), not {value!r}'
        )
    return value


def _alerts(value: Any, where: str) -> AlertSettings:
    raw = _mapping(value, where, AlertSettings)
    limits = {
        k.removeprefix("alerts."): v for k, v in _minimums().items() if k.startswith("alerts.")
    }
    values: dict[str, Any] = {}
    for key, given in raw.items():
        if key == "email_to":
            values[key] = _emails(given, where)
        elif key == "webhook_url":
            if not isinstance(given, str) or not given.startswith(("https://", "http://")):
                raise PolicyError(f"{where}.webhook_url must be an http:// or https:// URL")
            values[key] = given
        else:
            values[key] = _number(given, where, key, limits)
    return AlertSettings(**values)


def _texts(value: Any, where: str, cls: type[Any]) -> dict[str, Any]:
    """A section of names (text) and flags (true/false), e.g. `accounts:` or `sales_tax:`."""
    raw = _mapping(value, where, cls)
    defaults = cls()
    for key, given in raw.items():
        if isinstance(getattr(defaults, key), bool):
            if not isinstance(given, bool):
                raise PolicyError(f"{where}.{key} must be true or false, not {given!r}")
        elif not isinstance(given, str):
            raise PolicyError(f"{where}.{key} must be a QuickBooks name (text), not {given!r}")
        elif given != given.strip() or len(given) > 159 or (key == "income_account" and not given):
            raise PolicyError(f"{where}.{key}: {given!r} is not a QuickBooks full name")
    return raw


def parse_policy(value: Any, where: str) -> CompanyPolicy:
    """A CompanyPolicy from a config file's `policy:` mapping (None: the defaults).

    `where` names the section in messages, e.g. "sfqb.yaml: companies.acme.policy".
    """
    raw = _mapping(value, where, CompanyPolicy)
    limits = _minimums()
    values: dict[str, Any] = {}
    for key, given in raw.items():
        if key in ENUMS:
            values[key] = _choice(given, where, key)
        elif key == "alerts":
            values[key] = _alerts(given, f"{where}.alerts")
        elif key == "accounts":
            values[key] = AccountSettings(**_texts(given, f"{where}.accounts", AccountSettings))
        elif key == "sales_tax":
            values[key] = SalesTaxSettings(**_texts(given, f"{where}.sales_tax", SalesTaxSettings))
        elif key == "binding_field":
            values[key] = _field_name(given, where)
        else:
            values[key] = _number(given, where, key, limits)
    policy = CompanyPolicy(**values)
    if policy.backoff_cap_seconds < policy.backoff_base_seconds:
        raise PolicyError(
            f"{where}.backoff_cap_seconds ({policy.backoff_cap_seconds}) must not be below "
            f"backoff_base_seconds ({policy.backoff_base_seconds})"
        )
    return policy
