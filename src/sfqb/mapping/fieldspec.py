"""Field-map parsing: one flow's YAML document checked key by key into a FlowMap, every error
naming the file, the line and the key (`MappingConfigError`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import yaml

from sfqb.mapping.errors import MappingConfigError
from sfqb.mapping.flowmap import (
    DISCOUNT_PER,
    SETTINGS,
    SWITCHES,
    VALUE_TYPES,
    DiscountSpec,
    FieldSpec,
    FlowMap,
    LinesSpec,
    Owner,
    Step,
)
from sfqb.mapping.mapsets import MapSet
from sfqb.mapping.rules import NameRule
from sfqb.mapping.sobjects import salesforce_objects
from sfqb.mapping.soql import Condition, FilterError, parse_condition
from sfqb.mapping.transforms import Transform

_FIELD_KEYS = frozenset({"source", "const", "setting", "ref", "transforms", "type", "max_length",
                         "owner", "kinds", "when", "enabled_by"})  # fmt: skip
_FLOW_KEYS = frozenset(
    {
        "source",
        "id_field",
        "kind",
        "kinds",
        "default_owner",
        "require",
        "filter",
        "name_rule",
        "fields",
        "lines",
    }
)
_LINES_KEYS = frozenset({"source", "target", "fields", "discount"})
_DISCOUNT_KEYS = frozenset({"percent", "quantity", "price", "per", "fields"})
_NAME_RULE_KEYS = frozenset(
    {
        "field",
        "limit",
        "colon_replacement",
        "unique",
        "unique_format",
        "empty_name",
        "refused",
        "second_suffix",
    }
)


@dataclass(frozen=True)
class Targets:
    """The QuickBooks fields each target kind accepts (mapping/data/targets.yaml)."""

    system: Mapping[str, str]
    address: frozenset[str]
    fields: Mapping[str, frozenset[str]]

    def allows(self, kind: str, target: str) -> bool:
        known = self.fields.get(kind, frozenset())
        if target in known:
            return True
        if self.system.get(kind) == "salesforce" and target.endswith("__c") and "/" not in target:
            return True
        parent, _, child = target.partition("/")
        return parent in known and parent.endswith("Address") and child in self.address


def read_yaml(text: str, source: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        problem = str(exc).splitlines()[0] if str(exc) else "syntax error"
        raise MappingConfigError(source, "(document)", f"not valid YAML: {problem}") from None


def load_targets(maps: MapSet) -> Targets:
    """The target fields of a map set."""
    doc = read_yaml(maps.read("targets.yaml"), "targets.yaml")
    return Targets(
        system=MappingProxyType(dict(doc["system"])),
        address=frozenset(doc["address"]),
        fields=MappingProxyType({k: frozenset(v) for k, v in doc["fields"].items()}),
    )


class FlowChecker:
    """Validates one flow document, raising errors that name the file, line and key."""

    def __init__(
        self, source: str, targets: Targets, transforms: Mapping[str, Transform],
        locate: Callable[[str], tuple[str, int | None]] | None = None,
    ):  # fmt: skip
        self.source = source
        self.targets = targets
        self.transforms = transforms
        self.locate = locate  # a key -> the key and line to name (the file's own words)

    def fail(self, key: str, problem: str) -> MappingConfigError:
        key, line = self.locate(key) if self.locate is not None else (key, None)
        return MappingConfigError(self.source, key, problem, line)

    def mapping(self, value: object, key: str, allowed: frozenset[str]) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(key, "must be a mapping")
        unknown = sorted(str(k) for k in value if k not in allowed)
        if unknown:
            raise self.fail(
                f"{key}.{unknown[0]}", f"unknown key (allowed: {', '.join(sorted(allowed))})"
            )
        return value

    def text(self, value: object, key: str) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(key, "must be non-empty text")
        return value

    def count(self, value: object, key: str, minimum: int) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise self.fail(key, f"must be an integer of at least {minimum}")
        return value

    def owner(self, value: object, key: str) -> Owner:
        try:
            return Owner(str(value))
        except ValueError:
            raise self.fail(
                key, f"unknown owner {value!r} (salesforce, quickbooks or newest)"
            ) from None

    def flow(self, name: str, doc: object) -> FlowMap:
        key = f"flows.{name}"
        doc = self.mapping(doc, key, _FLOW_KEYS)
        kinds_raw = doc.get("kinds")
        if not isinstance(kinds_raw, list) or not kinds_raw:
            raise self.fail(f"{key}.kinds", "must be a non-empty list of target kinds")
        kinds = tuple(self.text(k, f"{key}.kinds") for k in kinds_raw)
        for kind in kinds:
            if kind not in self.targets.fields:
                raise self.fail(f"{key}.kinds", f"unknown target kind {kind!r}")
        kind = self.text(doc.get("kind"), f"{key}.kind")
        if kind not in kinds:
            raise self.fail(f"{key}.kind", f"{kind!r} is not one of {', '.join(kinds)}")
        default_owner = self.owner(doc.get("default_owner", "newest"), f"{key}.default_owner")
        fields = self.fields(doc.get("fields"), f"{key}.fields", kinds, default_owner)
        lines = None
        if doc.get("lines") is not None:
            lkey = f"{key}.lines"
            ldoc = self.mapping(doc["lines"], lkey, _LINES_KEYS)
            lines = LinesSpec(
                source=self.text(ldoc.get("source"), f"{lkey}.source"),
                target=self.text(ldoc.get("target"), f"{lkey}.target"),
                fields=self.fields(ldoc.get("fields"), f"{lkey}.fields", ("Line",), default_owner),
                discount=self.discount(ldoc.get("discount"), f"{lkey}.discount", default_owner),
            )
        require = doc.get("require") or {}
        if not isinstance(require, Mapping):
            raise self.fail(f"{key}.require", "must be a mapping of source field to value")
        rule = None
        if doc.get("name_rule") is not None:
            rule = self.name_rule(doc["name_rule"], f"{key}.name_rule")
            if not any(f.target == rule.field for f in fields):
                raise self.fail(f"{key}.name_rule.field", f"{rule.field!r} is not a mapped field")
        source = self.text(doc.get("source"), f"{key}.source")
        return FlowMap(
            where=self.filter(doc.get("filter"), source, f"{key}.filter"),
            name=name,
            source=source,
            id_field=self.text(doc.get("id_field", "Id"), f"{key}.id_field"),
            kind=kind,
            kinds=kinds,
            require=MappingProxyType(dict(require)),
            name_rule=rule,
            fields=fields,
            lines=lines,
        )

    def filter(self, text: object, sobject: str, key: str) -> Condition | None:
        """A map's source filter, checked as a company's is (sfqb.mapping.soql)."""
        if text is None:
            return None
        if not isinstance(text, str) or not text.strip():
            raise self.fail(key, "must be a SOQL condition in quotes")
        if salesforce_objects().get(sobject) is None:
            raise self.fail(key, f"{sobject} is not a Salesforce object sfqb reads")
        try:
            return parse_condition(text, sobject)
        except FilterError as exc:
            raise self.fail(key, str(exc)) from None

    def discount(self, doc: object, key: str, default_owner: Owner) -> DiscountSpec | None:
        if doc is None:
            return None
        doc = self.mapping(doc, key, _DISCOUNT_KEYS)
        per = doc.get("per", "line")
        if per not in DISCOUNT_PER:
            raise self.fail(f"{key}.per", f"must be {' or '.join(DISCOUNT_PER)}")
        return DiscountSpec(
            percent=self.text(doc.get("percent"), f"{key}.percent"),
            quantity=self.text(doc.get("quantity"), f"{key}.quantity"),
            price=self.text(doc.get("price"), f"{key}.price"),
            per=str(per),
            fields=self.fields(doc.get("fields"), f"{key}.fields", ("Line",), default_owner),
        )

    def name_rule(self, doc: object, key: str) -> NameRule:
        doc = self.mapping(doc, key, _NAME_RULE_KEYS)
        default = NameRule()
        rule = NameRule(
            field=self.text(doc.get("field", default.field), f"{key}.field"),
            limit=self.count(doc.get("limit", default.limit), f"{key}.limit", 10),
            colon_replacement=str(doc.get("colon_replacement", default.colon_replacement)),
            unique=bool(doc.get("unique", default.unique)),
            unique_format=self.text(
                doc.get("unique_format", default.unique_format), f"{key}.unique_format"
            ),
            empty_name=self.text(doc.get("empty_name", default.empty_name), f"{key}.empty_name"),
            refused=str(doc.get("refused", default.refused)),
            second_suffix=str(doc.get("second_suffix", default.second_suffix)),
        )
        if ":" in rule.second_suffix or len(rule.second_suffix) > 10:
            raise self.fail(f"{key}.second_suffix", "must be at most 10 characters, no colon")
        if ":" in rule.colon_replacement or set(rule.colon_replacement) & set(rule.refused):
            raise self.fail(f"{key}.colon_replacement", "must not contain a colon")
        fmt = rule.unique_format
        if set(fmt.replace("{n}", "") + rule.empty_name) & set(rule.refused):
            raise self.fail(f"{key}.refused", "unique_format and empty_name must not use them")
        if "{n}" not in fmt or ":" in fmt or fmt.replace("{n}", "").count("{") or len(fmt) > 8:
            raise self.fail(f"{key}.unique_format", 'must contain "{n}", no colon, ≤ 8 characters')
        name = rule.empty_name
        if ":" in name or name != name.strip() or len(name) > rule.limit:
            raise self.fail(f"{key}.empty_name", "must be trimmed, without colon, within the limit")
        return rule

    def fields(
        self, doc: object, key: str, kinds: tuple[str, ...], default_owner: Owner
    ) -> tuple[FieldSpec, ...]:
        if not isinstance(doc, Mapping) or not doc:
            raise self.fail(key, "must be a non-empty mapping of target field to spec")
        specs: list[FieldSpec] = []
        for target, spec in doc.items():
            fkey = f"{key}.{target}"
            if not isinstance(target, str) or not any(
                self.targets.allows(k, target) for k in kinds
            ):
                raise self.fail(fkey, f"unknown target field for {'/'.join(kinds)}")
            field = self.field(target, spec, fkey, default_owner)
            earlier = {s.target for s in specs}
            for name in field.when or {}:
                if name not in earlier:
                    raise self.fail(f"{fkey}.when.{name}", "must name a field mapped before it")
            specs.append(field)
        return tuple(specs)

    def when(self, value: object, key: str) -> Mapping[str, str] | None:
        if value is None:
            return None
        if not isinstance(value, Mapping) or not value:
            raise self.fail(key, "must map target fields to the values they must have")
        for name, want in value.items():
            if not isinstance(want, str | int | float) or isinstance(want, bool):
                raise self.fail(f"{key}.{name}", "must be a text or a number")
        return MappingProxyType({str(k): str(v) for k, v in value.items()})

    def field(self, target: str, doc: object, key: str, default_owner: Owner) -> FieldSpec:
        doc = self.mapping(doc, key, _FIELD_KEYS)
        setting = doc.get("setting")
        if setting is not None and setting not in SETTINGS:
            raise self.fail(
                f"{key}.setting", f"unknown setting {setting!r} ({', '.join(sorted(SETTINGS))})"
            )
        if "const" in doc and ("source" in doc or setting is not None):
            raise self.fail(key, "give exactly one of source and const (a const takes no setting)")
        if "source" not in doc and "const" not in doc and setting is None:
            raise self.fail(key, "give exactly one of source and const, or a setting")
        raw = doc.get("source")
        multi = isinstance(raw, list)
        sources = tuple(raw) if isinstance(raw, list) else (() if raw is None else (raw,))
        for src in sources:
            self.text(src, f"{key}.source")
        steps = []
        raw_steps = doc.get("transforms") or []
        if not isinstance(raw_steps, list):
            raise self.fail(f"{key}.transforms", "must be a list")
        for i, entry in enumerate(raw_steps):
            steps.append(self.step(entry, f"{key}.transforms[{i}]"))
        computed = "const" in doc or setting is not None
        value_type = str(doc.get("type", "any" if computed else "text"))
        if value_type not in VALUE_TYPES:
            raise self.fail(
                f"{key}.type", f"unknown type {value_type!r} ({', '.join(sorted(VALUE_TYPES))})"
            )
        max_length = doc.get("max_length")
        if max_length is not None:
            max_length = self.count(max_length, f"{key}.max_length", 1)
        kinds = doc.get("kinds")
        ref = doc.get("ref")
        enabled_by = doc.get("enabled_by")
        if enabled_by is not None and enabled_by not in SWITCHES:
            raise self.fail(
                f"{key}.enabled_by",
                f"unknown switch {enabled_by!r} ({', '.join(sorted(SWITCHES))})",
            )
        return FieldSpec(
            target=target,
            sources=sources,
            multi=multi,
            const=doc.get("const"),
            ref=None if ref is None else self.text(ref, f"{key}.ref"),
            steps=tuple(steps),
            value_type=value_type,
            max_length=max_length,
            owner=self.owner(doc.get("owner", default_owner), f"{key}.owner"),
            kinds=None if kinds is None else frozenset(str(k) for k in kinds),
            setting=None if setting is None else str(setting),
            when=self.when(doc.get("when"), f"{key}.when"),
            enabled_by=None if enabled_by is None else str(enabled_by),
        )

    def step(self, entry: object, key: str) -> Step:
        if isinstance(entry, str):
            name, arg = entry, None
        elif isinstance(entry, Mapping) and len(entry) == 1:
            name, arg = next(iter(entry.items()))
        else:
            raise self.fail(key, "must be a transform name or {name: argument}")
        fn = self.transforms.get(str(name))
        if fn is None:
            raise self.fail(
                key, f"unknown transform {name!r} (known: {', '.join(sorted(self.transforms))})"
            )
        try:
            fn(None, arg)
        except (TypeError, ValueError) as exc:
            raise self.fail(key, f"bad argument for {name}: {exc}") from None
        return Step(str(name), fn, arg)
