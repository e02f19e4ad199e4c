"""A company's policy: checking a `policy:` mapping, and the policy the console saves.

The mapping has the shape of a company's `policy:` section in the SFQB_CONFIG file; every key
is optional and falls back to CompanyPolicy's safe default::

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
      cdc_sweep_at: "02:30"           # QuickBooks Online: the nightly 30-day CDC sweep, UTC;
                                      # "" (default): cdc_sweep_at of jobs/data/schedule.yaml
      sf_batch_size: 200              # records per Salesforce write call, 1..200
      binding_field: SalesforceID     # the custom field people see the Id in; "" = private
      binding_definition_id: ""       # QuickBooks Online: the custom field (DefinitionId) on
                                      # customers for the Id, premium API only; "" = none
      multicurrency: false            # true: CurrencyIsoCode is the customer's currency
      primary_contact: role           # role | role:<Role> | checkbox:<Field__c> | latest
      order_target: Invoice           # Invoice | SalesOrder | Estimate: what an Order becomes
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
      vendors:                        # (which Accounts: the account_to_vendor flow's filter)
        second_name_suffix: " (V)"    # a party's vendor when it is also a customer
        also_customers: false         # true: the Accounts the rule picks are customers too
      sales_tax:
        taxable_code: Tax             # the sales tax code of taxable lines and items
        non_taxable_code: Non         # ... and of the others ("" sends no code)
        tax_item: State Tax           # the sales tax item invoices carry ("" QuickBooks picks)
        taxable_by_default: false     # products without a taxable flag in the map
      discounts:
        mode: net_price               # net_price | discount_line (Salesforce line discounts)
        item: Discount                # QuickBooks Desktop: the discount item of discount lines
      credit_memos:
        opportunity_type: Credit      # Opportunities of this Type become credit memos ("" none)

A mistake is a PolicyError naming the setting (`field`, e.g. "alerts.email_to") and what it
may be. A policy saved from the console is kept in the store and overrides the file's section
setting by setting (`effective_policy`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

import yaml

from sfqb.domain.contacts import PrimaryContactRule, PrimaryRuleError
from sfqb.domain.policy import (
    AccountSettings,
    AlertSettings,
    CompanyPolicy,
    CreditMemoSettings,
    DiscountMode,
    DiscountSettings,
    MatchRule,
    OnConflict,
    OnDeleted,
    OnInactive,
    OrderTarget,
    SalesTaxSettings,
    VendorSettings,
)
from sfqb.store import Store

ENUMS: dict[str, type[StrEnum]] = {
    "match_rule": MatchRule,
    "on_deleted": OnDeleted,
    "on_conflict": OnConflict,
    "on_inactive": OnInactive,
    "order_target": OrderTarget,
}
SECTIONS = ("alerts", "accounts", "sales_tax", "discounts", "credit_memos", "vendors")
# The longest suffix a second record's name may take: it must leave most of the 41
# characters of a QuickBooks Desktop name (qbxmlops120.xsd: Name STRTYPE 41) to the name.
_SUFFIX_MAX = 10


class PolicyError(ValueError):
    """A policy mapping that cannot be used; the text names the setting.

    `field` is the setting's dotted name ("" for the whole mapping), `problem` the text
    without the location, for a form that shows it beside the field.
    """

    def __init__(self, where: str, field: str, problem: str, *, sep: str = " ") -> None:
        place = f"{where}.{field}" if field else where
        super().__init__(f"{place}{sep}{problem}")
        self.field = field
        self.problem = problem


@cache
def _limits(section: str) -> dict[str, int]:
    text = resources.files("sfqb.services").joinpath("data/policy.yaml").read_text("utf-8")
    return {str(k): int(v) for k, v in (yaml.safe_load(text).get(section) or {}).items()}


def _names(cls: type[Any]) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]


def _mapping(value: Any, where: str, prefix: str, cls: type[Any]) -> dict[str, Any]:
    field = prefix.rstrip(".")
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PolicyError(where, field, "must be a mapping of settings")
    unknown = sorted(str(k) for k in set(value) - set(_names(cls)))
    if unknown:
        raise PolicyError(
            where,
            field,
            f"unknown setting {unknown[0]!r} (known: {', '.join(_names(cls))})",
            sep=": ",
        )
    return {str(k): v for k, v in value.items()}


def _number(value: Any, where: str, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PolicyError(where, key, f"must be a whole number, not {value!r}")
    least = _limits("minimums").get(key, 0)
    if value < least:
        raise PolicyError(where, key, f"must be at least {least}, not {value}")
    most = _limits("maximums").get(key)
    if most is not None and value > most:
        raise PolicyError(where, key, f"must be at most {most}, not {value}")
    return value


def _choice(value: Any, where: str, key: str) -> StrEnum:
    enum = ENUMS[key]
    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(e.value for e in enum)
        raise PolicyError(where, key, f"must be one of {choices}, not {value!r}") from None


def _emails(value: Any, where: str) -> tuple[str, ...]:
    key = "alerts.email_to"
    given = [value] if isinstance(value, str) else value
    if not isinstance(given, list) or not all(isinstance(v, str) for v in given):
        raise PolicyError(where, key, "must be an address or a list of addresses")
    for address in given:
        if "@" not in address or any(c.isspace() for c in address.strip()):
            raise PolicyError(where, key, f"{address!r} is not an email address", sep=": ")
    return tuple(a.strip() for a in given)


def _field_name(value: Any, where: str) -> str:
    # A custom field's name (DataExtName) has at most 31 characters (qbxmlops120.xsd).
    if not isinstance(value, str) or len(value) > 31 or value != value.strip():
        raise PolicyError(
            where,
            "binding_field",
            "must be a custom field's name of at most 31 characters "
            f'(or "" for the private field), not {value!r}',
        )
    return value


_DEFINITION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _definition_id(value: Any, where: str) -> str:
    # The Custom Fields API names a definition by its legacyIDV2, the CustomField.DefinitionId
    # the Accounting API takes (Intuit's "Custom fields use cases" page: "1" in its sample).
    # A YAML number (binding_definition_id: 1) is that Id too.
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return str(value)
    if isinstance(value, str) and (value == "" or _DEFINITION_ID.fullmatch(value)):
        return value
    raise PolicyError(
        where,
        "binding_definition_id",
        "must be a QuickBooks Online custom field's DefinitionId (letters, digits, - or _, "
        f'at most 64; "" sends none), not {value!r}',
    )


def _alerts(value: Any, where: str) -> AlertSettings:
    raw = _mapping(value, where, "alerts.", AlertSettings)
    values: dict[str, Any] = {}
    for key, given in raw.items():
        if key == "email_to":
            values[key] = _emails(given, where)
        elif key == "webhook_url":
            if not isinstance(given, str) or not given.startswith(("https://", "http://")):
                raise PolicyError(where, "alerts.webhook_url", "must be an http:// or https:// URL")
            values[key] = given
        else:
            values[key] = _number(given, where, f"alerts.{key}")
    return AlertSettings(**values)


def _texts(value: Any, where: str, section: str, cls: type[Any]) -> dict[str, Any]:
    """A section of names (text) and flags (true/false), e.g. `accounts:` or `sales_tax:`."""
    raw = _mapping(value, where, f"{section}.", cls)
    defaults = cls()
    for key, given in raw.items():
        name = f"{section}.{key}"
        if isinstance(getattr(defaults, key), bool):
            if not isinstance(given, bool):
                raise PolicyError(where, name, f"must be true or false, not {given!r}")
        elif not isinstance(given, str):
            raise PolicyError(where, name, f"must be a QuickBooks name (text), not {given!r}")
        elif given != given.strip() or len(given) > 159 or (key == "income_account" and not given):
            raise PolicyError(where, name, f"{given!r} is not a QuickBooks full name", sep=": ")
    return raw


def _discounts(value: Any, where: str) -> DiscountSettings:
    """The `discounts:` section: a mode and the discount item's name."""
    raw = dict(_mapping(value, where, "discounts.", DiscountSettings))
    mode = raw.pop("mode", None)
    texts = _texts(raw, where, "discounts", DiscountSettings)
    if texts.get("item") == "":
        raise PolicyError(where, "discounts.item", "must name the discount item")
    if mode is None:
        return DiscountSettings(**texts)
    try:
        return DiscountSettings(mode=DiscountMode(str(mode)), **texts)
    except ValueError:
        choices = " or ".join(m.value for m in DiscountMode)
        raise PolicyError(where, "discounts.mode", f"must be {choices}, not {mode!r}") from None


def _vendors(value: Any, where: str) -> VendorSettings:
    if isinstance(value, dict) and "rule" in value:
        # The config file's older spelling is read as the flow's filter (cli.settings); a
        # policy saved from the console or the API has no such key.
        raise PolicyError(
            where,
            "vendors.rule",
            "is the account_to_vendor flow's filter now: set it in the config file as "
            "`flows: account_to_vendor: filter: \"Type = 'Vendor'\"`",
        )
    raw = _mapping(value, where, "vendors.", VendorSettings)
    values: dict[str, Any] = {}
    if "second_name_suffix" in raw:
        suffix = raw["second_name_suffix"]
        if (
            not isinstance(suffix, str)
            or not suffix.strip()
            or len(suffix) > _SUFFIX_MAX
            or ":" in suffix
        ):
            raise PolicyError(
                where,
                "vendors.second_name_suffix",
                f"must be text of 1 to {_SUFFIX_MAX} characters without a colon, not {suffix!r}",
            )
        values["second_name_suffix"] = suffix
    if "also_customers" in raw:
        if not isinstance(raw["also_customers"], bool):
            raise PolicyError(
                where,
                "vendors.also_customers",
                f"must be true or false, not {raw['also_customers']!r}",
            )
        values["also_customers"] = raw["also_customers"]
    return VendorSettings(**values)


def _primary_contact(value: Any, where: str) -> str:
    """The primary-contact rule, checked (sfqb.domain.contacts)."""
    try:
        return str(PrimaryContactRule.parse(value if isinstance(value, str) else repr(value)))
    except PrimaryRuleError as exc:
        raise PolicyError(where, "primary_contact", str(exc)) from None


_HOUR_MINUTE = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


def _sweep_at(value: Any, where: str) -> str:
    """The nightly sweep's time: "HH:MM" (UTC), or "" for the bundled default."""
    if isinstance(value, str) and (value == "" or _HOUR_MINUTE.fullmatch(value)):
        return value
    raise PolicyError(
        where, "cdc_sweep_at", f'must be a time "HH:MM" (UTC), or "" for the default, not {value!r}'
    )


def parse_policy(value: Any, where: str) -> CompanyPolicy:
    """A CompanyPolicy from a `policy:` mapping (None: the defaults).

    `where` names the section in messages, e.g. "sfqb.yaml: companies.acme.policy".
    """
    raw = _mapping(value, where, "", CompanyPolicy)
    values: dict[str, Any] = {}
    for key, given in raw.items():
        if key in ENUMS:
            values[key] = _choice(given, where, key)
        elif key == "alerts":
            values[key] = _alerts(given, where)
        elif key == "accounts":
            values[key] = AccountSettings(**_texts(given, where, key, AccountSettings))
        elif key == "sales_tax":
            values[key] = SalesTaxSettings(**_texts(given, where, key, SalesTaxSettings))
        elif key == "discounts":
            values[key] = _discounts(given, where)
        elif key == "credit_memos":
            values[key] = CreditMemoSettings(**_texts(given, where, key, CreditMemoSettings))
        elif key == "binding_field":
            values[key] = _field_name(given, where)
        elif key == "binding_definition_id":
            values[key] = _definition_id(given, where)
        elif key == "multicurrency":
            if not isinstance(given, bool):
                raise PolicyError(where, key, f"must be true or false, not {given!r}")
            values[key] = given
        elif key == "vendors":
            values[key] = _vendors(given, where)
        elif key == "primary_contact":
            values[key] = _primary_contact(given, where)
        elif key == "cdc_sweep_at":
            values[key] = _sweep_at(given, where)
        else:
            values[key] = _number(given, where, key)
    policy = CompanyPolicy(**values)
    if policy.backoff_cap_seconds < policy.backoff_base_seconds:
        raise PolicyError(
            where,
            "backoff_cap_seconds",
            f"({policy.backoff_cap_seconds}) must not be below "
            f"backoff_base_seconds ({policy.backoff_base_seconds})",
        )
    return policy


def validate_policy(mapping: Mapping[str, Any], where: str = "policy") -> CompanyPolicy:
    """The CompanyPolicy a policy mapping describes; PolicyError naming the field otherwise."""
    return parse_policy(dict(mapping), where)


# -- the policy in force: the config file's section, overridden by the stored one ---------


def merged(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """`override` over `base`, section by section (alerts, accounts, sales_tax merge by key)."""
    result = dict(base)
    for key, value in override.items():
        below = result.get(key)
        if key in SECTIONS and isinstance(value, dict) and isinstance(below, dict):
            result[key] = {**below, **value}
        else:
            result[key] = value
    return result


def setting_names(mapping: Mapping[str, Any]) -> frozenset[str]:
    """The settings a mapping names: top-level keys, and `section.key` for sections."""
    names = {str(k) for k in mapping}
    for section in SECTIONS:
        value = mapping.get(section)
        if isinstance(value, dict):
            names |= {f"{section}.{k}" for k in value}
    return frozenset(names)


@dataclasses.dataclass(frozen=True, slots=True)
class CompanyPolicyView:
    """A company's policy in force and where its settings come from."""

    policy: CompanyPolicy
    from_file: frozenset[str]  # settings the config file names
    from_store: frozenset[str]  # settings saved from the console (they win)
    saved_by: str | None = None
    saved_at: datetime | None = None


def effective_policy(
    store: Store, company: str, file_section: Mapping[str, Any] | None
) -> CompanyPolicyView:
    """The company's policy: its config file section with the stored policy over it.

    PolicyError when the two together are not a valid policy (the file changed since).
    """
    section = dict(file_section or {})
    saved = store.policies.get(company)
    stored = saved.settings if saved is not None else {}
    where = f"the policy of {company}" + (" (config file and console)" if stored else "")
    policy = parse_policy(merged(section, stored), where)
    return CompanyPolicyView(
        policy,
        setting_names(section),
        setting_names(stored),
        saved.updated_by if saved else None,
        saved.updated_at if saved else None,
    )


def save_policy(
    store: Store,
    company: str,
    settings: Mapping[str, Any],
    file_section: Mapping[str, Any] | None,
    *,
    by: str,
    clock: Callable[[], datetime],
) -> CompanyPolicyView:
    """Check and store the company's own policy settings (they override the config file's).

    Nothing is stored when the settings, or the file's section with them over it, are not a
    valid policy: PolicyError naming the field.
    """
    given = dict(settings)
    validate_policy(given)
    parse_policy(merged(dict(file_section or {}), given), "policy")
    store.policies.save(company, given, by=by, at=clock())
    return effective_policy(store, company, file_section)


def clear_policy(store: Store, company: str) -> bool:
    """Forget the company's stored policy (the config file's section applies again)."""
    return store.policies.delete(company)
