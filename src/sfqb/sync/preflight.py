"""What sfqb checks before sending, and how a company-level hold names what to change.

The facts (which preference a record needs, which user-rights area covers a type, how a missing
account is reported) are data, one file per target (`TargetProfile.preflight`):
`sfqb/sync/data/preflight.yaml` for QuickBooks Desktop, `preflight_qbo.yaml` for Online.
A feature's `when` says which records need it (`When`); the loader refuses an unknown key there
with the file and line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

from sfqb.codes import Catalog
from sfqb.domain.status import Category, DecodedStatus, System
from sfqb.mapping import Mapped
from sfqb.sync.ops import QbAction, QbOp

Facts = Mapping[str, Any]
WHEN_KEYS = ("kind", "field", "fields")
_NO_VALUES: Mapping[str, str] = MappingProxyType({})


class PreflightDataError(ValueError):
    """A preflight data file sfqb cannot use: names the file and line."""


@dataclass(frozen=True, slots=True)
class When:
    """Which records need a feature: all its conditions hold (an empty one matches nothing).

    `kind`: the record's QuickBooks type (QuickBooks Desktop's ItemInventory; QuickBooks
    Online's Item). `field`: a field the record carries (CurrencyRef). `fields`: field values
    the record has ({"Type": "Inventory"}: QuickBooks Online's one Item entity says by its
    Type what kind of item it is); a nested field is written "Parent/Child".
    """

    kind: str | None = None
    field: str | None = None
    fields: Mapping[str, str] = dc_field(default_factory=lambda: _NO_VALUES)

    def matches(self, kind: str, values: Mapping[str, Any]) -> bool:
        """True when a record of `kind` with `values` meets every condition."""
        if self.kind is None and self.field is None and not self.fields:
            return False
        if self.kind is not None and self.kind != kind:
            return False
        if self.field is not None and self.field not in values:
            return False
        return all(_text(_at(values, path)) == want for path, want in self.fields.items())

    def covers(self) -> str:
        """What the condition's field values add to a hold's key ("" without any):
        "[Type=Inventory]", so a hold on inventory items leaves other items alone."""
        if not self.fields:
            return ""
        return "[" + ",".join(f"{k}={v}" for k, v in sorted(self.fields.items())) + "]"


def _at(values: Mapping[str, Any], path: str) -> Any:
    value: Any = values
    for part in path.split("/"):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, Mapping | list | tuple):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@cache
def preflight(name: str = "preflight.yaml") -> dict[str, Any]:
    """A target's preflight data file, loaded once (PreflightDataError when it is wrong)."""
    text = resources.files("sfqb.sync").joinpath(f"data/{name}").read_text("utf-8")
    return load_preflight(text, name)


def load_preflight(text: str, name: str) -> dict[str, Any]:
    """Preflight facts from YAML `text` (`name` for messages): each feature's `when` as a
    `When`. An unknown key or a malformed value is a PreflightDataError naming the line."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        raise PreflightDataError(f"{name}: not YAML: {exc}") from None
    if not isinstance(root, yaml.MappingNode):
        raise PreflightDataError(f"{name}: must be a mapping of preflight facts")
    loaded: dict[str, Any] = yaml.safe_load(text)
    features = _child(root, "features")
    if not isinstance(features, yaml.SequenceNode):
        raise PreflightDataError(f"{name} line {_line(features or root)}: features must be a list")
    facts = dict(loaded)
    facts["features"] = [
        {**dict(raw), "when": _when(_child(node, "when"), node, name)}
        for node, raw in zip(features.value, loaded["features"], strict=True)
    ]
    return facts


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _child(node: yaml.Node, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((v for k, v in node.value if getattr(k, "value", None) == key), None)


def _scalar(node: yaml.Node, name: str, what: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or not str(node.value):
        raise PreflightDataError(f"{name} line {_line(node)}: {what} must be a non-empty text")
    return str(node.value)


def _when(node: yaml.Node | None, feature: yaml.Node, name: str) -> When:
    if not isinstance(node, yaml.MappingNode) or not node.value:
        where = node if node is not None else feature
        raise PreflightDataError(
            f"{name} line {_line(where)}: a feature needs `when:`, a mapping with "
            f"{', '.join(WHEN_KEYS)}"
        )
    given: dict[str, yaml.Node] = {}
    for key, value in node.value:
        if key.value not in WHEN_KEYS:
            raise PreflightDataError(
                f"{name} line {_line(key)}: unknown key {key.value!r} in when "
                f"(known: {', '.join(WHEN_KEYS)})"
            )
        given[str(key.value)] = value
    values: dict[str, str] = {}
    if "fields" in given:
        mapping = given["fields"]
        if not isinstance(mapping, yaml.MappingNode) or not mapping.value:
            raise PreflightDataError(
                f"{name} line {_line(mapping)}: when.fields must map field names to values"
            )
        for key, value in mapping.value:
            values[_scalar(key, name, "a field name")] = _scalar(value, name, "a field value")
    kind, has = given.get("kind"), given.get("field")
    return When(
        kind=None if kind is None else _scalar(kind, name, "when.kind"),
        field=None if has is None else _scalar(has, name, "when.field"),
        fields=MappingProxyType(values),
    )


def features_off(op: QbOp, preferences: Mapping[str, Any], facts: Facts) -> list[dict[str, Any]]:
    """The preferences that are off and that `op` needs (or the only one off); [] if unknown."""
    off = [f for f in facts["features"] if preferences.get(f["preference"]) is False]
    needed = [f for f in off if f["when"].matches(op.qb_type, op.fields)]
    return needed or (off if len(off) == 1 else [])


def hold_key(kind: str, action: str, fields: Mapping[str, Any], facts: Facts) -> str:
    """The key of the company-level hold a write falls under: "<kind>:<action>", narrowed by
    the field values of a feature it needs ("Item[Type=Inventory]:add")."""
    narrowed = next(
        (
            f["when"].covers()
            for f in facts["features"]
            if f["when"].fields and f["when"].matches(kind, fields)
        ),
        "",
    )
    return f"{kind}{narrowed}:{action}"


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
        off = preferences.get(feature["preference"]) is False
        if off and feature["when"].matches(kind, fields):
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
