"""What sfqb checks before sending, and how a company-level hold names what to change.

The facts (which preference a record needs, which user-rights area covers a type, how a missing
account is reported) are data, one file per target (`TargetProfile.preflight`):
`sfqb/sync/data/preflight.yaml` for QuickBooks Desktop, `preflight_qbo.yaml` for Online.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

import yaml

from sfqb.codes import Catalog
from sfqb.domain.status import Category, DecodedStatus, System
from sfqb.mapping import Mapped
from sfqb.sync.ops import QbAction, QbOp

Facts = Mapping[str, Any]


@cache
def preflight(name: str = "preflight.yaml") -> dict[str, Any]:
    """A target's preflight data file, loaded once."""
    text = resources.files("sfqb.sync").joinpath(f"data/{name}").read_text("utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def features_off(op: QbOp, preferences: Mapping[str, Any], facts: Facts) -> list[dict[str, Any]]:
    """The preferences that are off and that `op` needs (or the only one off); [] if unknown."""
    off = [f for f in facts["features"] if preferences.get(f["preference"]) is False]
    needed = [
        f for f in off if f["when"].get("type") == op.qb_type or f["when"].get("field") in op.fields
    ]
    return needed or (off if len(off) == 1 else [])


def feature_values(features: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """The values of 3250's placeholders that name the exact feature and preference."""
    names = " and ".join(str(f["name"]) for f in features)
    return {
        "feature": f"{names}, which is turned off in this QuickBooks company file",
        "preference": " ".join(" ".join(str(f["setting"]).split()) for f in features),
    }


def block_message(
    op: QbOp, status: DecodedStatus, preferences: Mapping[str, Any], facts: Facts
) -> str:
    """The company message of a hold: the exact preference or user right to change."""
    if status.category is Category.FEATURE_OFF:
        features = features_off(op, preferences, facts)
        if features:
            return " ".join(str(f["setting"]) for f in features)
    if status.category is Category.PERMISSION:
        area = facts["permissions"].get(op.qb_type, op.qb_type)
        verb = "create" if op.action is QbAction.ADD else "modify"
        text = str(facts["permission_message"]).format(verb=verb, type=op.qb_type, area=area)
        return " ".join(text.split())
    return f"{status.title}: {status.fix_text()}"


def missing_account(
    fields: Mapping[str, Any], accounts: Sequence[Mapping[str, Any]], facts: Facts
) -> tuple[str, str] | None:
    """(account name, company message) when a mapped account is not in the chart of accounts."""
    data = facts["accounts"]
    known = {str(a.get("FullName") or a.get("Name") or "").casefold() for a in accounts}
    for path in data["paths"]:
        value: Any = fields
        for part in path.split("/"):
            value = value.get(part) if isinstance(value, Mapping) else None
        name = value.get("FullName") if isinstance(value, Mapping) else None
        if isinstance(name, str) and name.casefold() not in known:
            income = sorted(
                str(a.get("FullName") or a.get("Name"))
                for a in accounts
                if a.get("AccountType") in data["income_types"]
            )
            listed = ", ".join(f'"{n}"' for n in income) or "none"
            return name, " ".join(data["message"].format(name=name, income=listed).split())
    return None


def missing_feature(
    kind: str, fields: Mapping[str, Any], preferences: Mapping[str, Any], facts: Facts
) -> dict[str, Any] | None:
    """The preference (the facts' `features`) a record needs that QuickBooks has off."""
    for feature in facts["features"]:
        when = feature["when"]
        needed = when.get("type") == kind or (when.get("field") in fields)
        if needed and preferences.get(feature["preference"]) is False:
            return dict(feature)
    return None


def known_problem(
    catalog: Catalog,
    mapped: Mapped,
    is_add: bool,
    preferences: Mapping[str, Any],
    accounts: Sequence[Mapping[str, Any]] | None,
    *,
    facts: Facts,
) -> tuple[DecodedStatus, str] | None:
    """(status, company message) of what the cycle's first reads say QuickBooks would refuse:
    a preference that is off (FEATURE_OFF: QuickBooks would refuse the feature), or an account
    an Add names that it lacks (the target's invalid-reference status, from the facts)."""
    missing = missing_feature(mapped.kind, mapped.fields, preferences, facts)
    if missing is not None:
        setting = str(missing["setting"])
        return catalog.decode(System.TRANSPORT, "FEATURE_OFF", setting), setting
    if is_add and accounts is not None:
        account = missing_account(mapped.fields, accounts, facts)
        if account is not None:
            name, message = account
            refused = facts["accounts"]["status"]
            text = str(refused["message"]).format(name=name, kind=mapped.kind)
            values = {k: str(v) for k, v in dict(refused.get("values") or {}).items()}
            status = catalog.decode(System(refused["system"]), str(refused["code"]), text, values)
            return status, message
    return None
