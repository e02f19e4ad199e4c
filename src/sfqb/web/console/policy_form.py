"""The policy form of the settings page: its fields (data/policy_form.yaml), and a form's
values as a policy mapping.

The form edits the settings a company's admin decides (match rule, what to do on a deleted or
inactive record and on conflicts, the income account, QuickBooks Online's custom field for the
Salesforce Id and the time of its nightly sweep, the alert targets); the other settings stay
the config file's (or the defaults). Every check is sfqb.services.policy's, the same as the
config file's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Any

import yaml

from sfqb.domain.policy import CompanyPolicy, MatchRule, OnConflict, OnDeleted, OnInactive
from sfqb.jobs.schedule import default_sweep_at


@dataclass(frozen=True, slots=True)
class PolicyField:
    """One control of the policy form: its setting (dotted), label, help, and choices."""

    name: str
    label: str
    help: str
    choices: tuple[str, ...] = ()

    @property
    def control_id(self) -> str:
        """The control's HTML id."""
        return "policy-" + self.name.replace(".", "-").replace("_", "-")


_ENUMS: dict[str, type[StrEnum]] = {
    "MatchRule": MatchRule,
    "OnDeleted": OnDeleted,
    "OnConflict": OnConflict,
    "OnInactive": OnInactive,
}


def _load() -> tuple[PolicyField, ...]:
    text = resources.files("sfqb.web.console").joinpath("data/policy_form.yaml").read_text("utf-8")
    sweep = default_sweep_at().strftime("%H:%M")
    return tuple(
        PolicyField(
            str(entry["setting"]),
            str(entry["label"]),
            str(entry["help"]).replace("{default_sweep_at}", sweep),
            tuple(m.value for m in _ENUMS[entry["choices_of"]]) if "choices_of" in entry else (),
        )
        for entry in yaml.safe_load(text)
    )


FIELDS = _load()
FIELD_NAMES = frozenset(f.name for f in FIELDS)


def values_of(policy: CompanyPolicy) -> dict[str, str]:
    """The form's values for `policy`, as the controls show them."""
    return {
        "match_rule": policy.match_rule.value,
        "on_deleted": policy.on_deleted.value,
        "on_conflict": policy.on_conflict.value,
        "on_inactive": policy.on_inactive.value,
        "accounts.income_account": policy.accounts.income_account,
        "binding_definition_id": policy.binding_definition_id,
        "cdc_sweep_at": policy.cdc_sweep_at,
        "alerts.email_to": ", ".join(policy.alerts.email_to),
        "alerts.webhook_url": policy.alerts.webhook_url,
    }


def posted_values(form: Mapping[str, Any]) -> dict[str, str]:
    """The form's values as posted (text; a missing control is empty)."""
    return {name: str(form.get(name) or "") for name in FIELD_NAMES}


def to_mapping(values: Mapping[str, str]) -> dict[str, Any]:
    """The policy settings the form's values stand for (the config file's shape)."""
    addresses = [a.strip() for a in values["alerts.email_to"].replace("\n", ",").split(",")]
    alerts: dict[str, Any] = {"email_to": [a for a in addresses if a]}
    if values["alerts.webhook_url"].strip():
        alerts["webhook_url"] = values["alerts.webhook_url"].strip()
    return {
        "match_rule": values["match_rule"],
        "on_deleted": values["on_deleted"],
        "on_conflict": values["on_conflict"],
        "on_inactive": values["on_inactive"],
        "accounts": {"income_account": values["accounts.income_account"]},
        "binding_definition_id": values["binding_definition_id"].strip(),
        "cdc_sweep_at": values["cdc_sweep_at"].strip(),
        "alerts": alerts,
    }


def field_of(setting: str) -> str:
    """The form field a refused setting is shown beside ("" when the form has none)."""
    return setting if setting in FIELD_NAMES else ""


def problem_text(field: str, problem: str, values: Mapping[str, str]) -> str:
    """What to say beside `field`: the check's words, plainer for a field left empty."""
    if field in FIELD_NAMES and not values.get(field, "").strip():
        return f"This cannot be empty ({problem})."
    return problem
