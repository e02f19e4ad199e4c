"""A company's `flows:` section of the config file: per flow, its default switch, its source
filter (a SOQL condition), its target kind and its field-map overrides.

Only the shape is read here; `sfqb.mapping.config.load_flows` applies a section to the field
maps and checks what it names (fields, types, kinds, the filter) against them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from sfqb.domain.entities import custom_object_problem
from sfqb.mapping.errors import MappingConfigError
from sfqb.mapping.marks import Marks
from sfqb.mapping.sobjects import FieldKind, SObjects, UnknownField
from sfqb.mapping.soql import Compare, InList, parse_condition, render

FLOW_KEYS = frozenset({"enabled", "filter", "target", "map", "source"})
# Flows whose records may come from a custom object the company names (`source:`).
CUSTOM_SOURCES = frozenset({"account_to_vendor", "refund_to_credit_memo"})
# The flow that reads only a custom object (it has no object of its own), and the fields its
# company map must fill: the credit's customer and its one line's amount.
REFUND_FLOW = "refund_to_credit_memo"
REFUND_NEEDS = ("CustomerRef", "lines.Amount")
# Flows whose kind a company policy setting chooses, so one setting decides it.
POLICY_KINDS = {"order_to_sales_order": "order_target"}
LINES_KEY = "lines"  # under `map:`, the overrides of a transaction's line fields
_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class FlowConfig:
    """One flow's settings in a company's config section (None: the flow's default)."""

    flow: str
    enabled: bool | None = None
    filter: str | None = None  # as written; checked and rendered anew by load_flows
    target: str | None = None
    fields: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)  # target -> spec | None
    lines: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    source: str = ""  # the config file
    path: tuple[str, ...] = ()  # the key path of this flow's entry in it
    marks: Marks = field(default_factory=Marks)
    sobject: str | None = None  # `source:`, a custom object read in place of the flow's own

    def line(self, *keys: str) -> int | None:
        """The line of a key under this flow's entry (or of the entry itself)."""
        return self.marks.line((*self.path, *keys))

    def fail(self, keys: tuple[str, ...], problem: str) -> MappingConfigError:
        """An error naming the file, the line and the key."""
        return MappingConfigError(
            self.source, ".".join((*self.path, *keys)), problem, self.line(*keys)
        )

    def override(self) -> dict[str, Any]:
        """The part a flow map merges in (the same shape as a mapping file's flow entry)."""
        doc: dict[str, Any] = {}
        if self.target is not None:
            doc["kind"] = self.target
        if self.fields:
            doc["fields"] = dict(self.fields)
        if self.lines:
            doc["lines"] = {"fields": dict(self.lines)}
        return doc

    def overridden(self) -> tuple[str, ...]:
        """The fields the section sets or removes, e.g. ("Phone", "lines/Rate")."""
        return (*self.fields, *(f"{LINES_KEY}/{name}" for name in self.lines))

    def locate(self, checker_key: str) -> tuple[str, int | None]:
        """The config file's key and line behind a key of a flow map ("flows.X.fields.Phone")."""
        parts = checker_key.replace("[", ".").replace("]", "").split(".")[2:]
        match parts:
            case ["fields", *rest]:
                keys: tuple[str, ...] = ("map", *rest)
            case ["lines", "fields", *rest]:
                keys = ("map", LINES_KEY, *rest)
            case ["kind", *_]:
                keys = ("target",)
            case _:
                keys = ()
        return ".".join((*self.path, *keys)), self.line(*keys)


def parse_flows(
    section: object,
    known: Collection[str],
    *,
    source: str,
    path: tuple[str, ...],
    marks: Marks,
) -> Mapping[str, FlowConfig]:
    """Read a company's `flows:` section; MappingConfigError naming the line of a bad key."""
    if section is None:
        return _EMPTY

    def fail(keys: tuple[str, ...], problem: str) -> MappingConfigError:
        return MappingConfigError(
            source, ".".join((*path, *keys)), problem, marks.line((*path, *keys))
        )

    if not isinstance(section, Mapping):
        raise fail((), "must map flow names to their settings")
    found: dict[str, FlowConfig] = {}
    for name, given in section.items():
        flow = str(name)
        if flow not in known:
            raise fail((flow,), f"unknown flow (flows are {', '.join(known)})")
        entry = {} if given is None else given
        if not isinstance(entry, Mapping):
            raise fail((flow,), "must be a mapping of enabled, filter, target and map")
        unknown = sorted(str(k) for k in entry if k not in FLOW_KEYS)
        if unknown:
            raise fail((flow, unknown[0]), f"unknown key (allowed: {', '.join(sorted(FLOW_KEYS))})")
        enabled = entry.get("enabled")
        if enabled is not None and not isinstance(enabled, bool):
            raise fail((flow, "enabled"), "must be true or false")
        text = entry.get("filter")
        if text is not None and (not isinstance(text, str) or not text.strip()):
            raise fail((flow, "filter"), "must be a SOQL condition in quotes")
        target = entry.get("target")
        if target is not None and (not isinstance(target, str) or not target):
            raise fail((flow, "target"), "must name a target kind")
        if target is not None and flow in POLICY_KINDS:
            setting = POLICY_KINDS[flow]
            raise fail((flow, "target"), f"is the company's policy {setting} (policy: {setting}:)")
        sobject = _source(entry, flow, fail)
        fields, lines = _map(entry.get("map"), flow, fail)
        if flow == REFUND_FLOW:
            _refund_map(fields, lines, fail)
        found[flow] = FlowConfig(
            flow, enabled, text, target, fields, lines, source, (*path, flow), marks, sobject
        )
    return MappingProxyType(found)


def _source(
    entry: Mapping[str, Any],
    flow: str,
    fail: Callable[[tuple[str, ...], str], MappingConfigError],
) -> str | None:
    """The custom object a flow reads (`source:`), checked for its shape; None: the flow's own.
    The object's existence and fields are the org's: the preflight checks them (describe)."""
    if "source" not in entry:
        if flow == REFUND_FLOW:
            raise fail(
                (flow,), "needs `source:`, the custom object whose records are credits (Refund__c)"
            )
        return None
    value = entry["source"]
    if flow not in CUSTOM_SOURCES:
        allowed = ", ".join(sorted(CUSTOM_SOURCES))
        raise fail((flow, "source"), f"only {allowed} can read a custom object")
    if not isinstance(value, str) or not value.strip():
        raise fail((flow, "source"), "must name a custom object (its API name, e.g. Supplier__c)")
    problem = custom_object_problem(value.strip())
    if problem is not None:
        raise fail((flow, "source"), f"{value.strip()!r}: {problem}")
    if entry.get("map") is None:
        raise fail(
            (flow, "source"),
            "a custom source needs its own `map:` (the default map reads the flow's own object)",
        )
    return value.strip()


def _refund_map(
    fields: Mapping[str, Any],
    lines: Mapping[str, Any],
    fail: Callable[[tuple[str, ...], str], MappingConfigError],
) -> None:
    """The refund flow's map fills the credit's customer and its line's amount."""
    for need in REFUND_NEEDS:
        given = lines.get(need.split(".")[1]) if "." in need else fields.get(need)
        if given is None:
            raise fail(
                (REFUND_FLOW, "map"),
                f"must fill {need} from a field of the refund object "
                "(CustomerRef: {source: Account__c, ref: Account}; lines: {Amount: ...})",
            )


def _map(
    value: object, flow: str, fail_at: Callable[[tuple[str, ...], str], MappingConfigError]
) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    def fail(keys: tuple[str, ...], problem: str) -> MappingConfigError:
        return fail_at((flow, "map", *keys), problem)

    if value is None:
        return _EMPTY, _EMPTY
    if not isinstance(value, Mapping):
        raise fail((), "must map target fields to field specs (or null to leave one out)")
    fields: dict[str, Any] = {}
    lines: dict[str, Any] = {}
    for key, spec in value.items():
        if key == LINES_KEY:
            if not isinstance(spec, Mapping):
                raise fail((LINES_KEY,), "must map line fields to field specs")
            for name, line_spec in spec.items():
                _spec(line_spec, (LINES_KEY, str(name)), fail)
                lines[str(name)] = line_spec
            continue
        _spec(spec, (str(key),), fail)
        fields[str(key)] = spec
    return MappingProxyType(fields), MappingProxyType(lines)


def _spec(
    spec: object, keys: tuple[str, ...], fail: Callable[[tuple[str, ...], str], Exception]
) -> None:
    if spec is not None and not isinstance(spec, Mapping):
        raise fail(keys, "must be a field spec ({source: ...}) or null to leave the field out")


# The Salesforce field kinds a map's value type takes straight from a field (no transforms).
_TYPE_KINDS: Mapping[str, frozenset[FieldKind]] = MappingProxyType(
    {
        "amount": frozenset({FieldKind.NUMBER}),
        "price": frozenset({FieldKind.NUMBER}),
        "quantity": frozenset({FieldKind.NUMBER}),
        "date": frozenset({FieldKind.DATE, FieldKind.DATETIME}),
        "bool": frozenset({FieldKind.BOOLEAN}),
        "text": frozenset(set(FieldKind) - {FieldKind.BOOLEAN}),
    }
)


def source_problem(
    objects: SObjects, sobject: str, source: str, value_type: str, *, direct: bool
) -> str | None:
    """Why a map's `source:` field cannot fill a value of `value_type` from `sobject`, or None.

    Objects sfqb does not list (a QuickBooks record, a custom object) are not checked here;
    custom fields are checked against the org by the preflight. `direct` is False when
    transforms change the value first (its type is then theirs, not the field's).
    """
    if objects.get(sobject) is None:
        return None
    try:
        kind = objects.resolve(sobject, source, via="payload")
    except UnknownField as exc:
        return f"unknown source field {source!r}: {exc}"
    allowed = _TYPE_KINDS.get(value_type)
    if direct and allowed is not None and kind is not FieldKind.CUSTOM and kind not in allowed:
        return f"{source} holds {kind.value}: it cannot fill a field of type {value_type}"
    return None


# The older spelling of the vendor rule, `policy: vendors: rule: {field, op, value}` (op =, !=
# or IN), still read: it is the same condition as the vendor flow's `filter`.
VENDOR_FLOW = "account_to_vendor"
_RULE_OPS = {"=": "=", "!=": "!=", "IN": "IN"}


def rule_filter(doc: object) -> str:
    """The SOQL filter an older vendor rule means, e.g. {field: Type, value: Vendor} ->
    "Type = 'Vendor'"; ValueError saying what is wrong (its fields are checked as a filter's).
    """
    if not isinstance(doc, Mapping):
        raise ValueError("must be a mapping with field, op and value")
    unknown = sorted(str(k) for k in set(doc) - {"field", "op", "value"})
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} (known: field, op, value)")
    name = doc.get("field")
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        raise ValueError(f"field must be a field's API name, not {name!r}")
    op = _RULE_OPS.get(str(doc.get("op", "=")).strip().upper())
    if op is None:
        raise ValueError(f"op must be =, != or IN, not {doc.get('op')!r}")
    value = doc.get("value")
    if op != "IN" and isinstance(value, list):
        raise ValueError(f"op {op} takes one value; use IN for a list")
    given = value if isinstance(value, list) else [value]
    if not given or not all(
        isinstance(v, str | int) and not isinstance(v, bool) and str(v).strip() for v in given
    ):
        raise ValueError(f"value must be text (a list of texts for IN), not {value!r}")
    texts = tuple(str(v) for v in given)
    return render(InList(name, texts) if op == "IN" else Compare(name, op, texts[0]))


def split_vendor_rule(section: object) -> tuple[object, object]:
    """A `policy:` section without the older vendor rule (`vendors: rule:`), and that rule
    (None when it has none): the rule is the vendor flow's filter now."""
    vendors = section.get("vendors") if isinstance(section, Mapping) else None
    if not isinstance(section, Mapping) or not isinstance(vendors, Mapping):
        return section, None
    if "rule" not in vendors:
        return section, None
    rest = {k: v for k, v in vendors.items() if k != "rule"}
    return {**section, "vendors": rest}, vendors["rule"]


def with_vendor_rule(
    section: object, rule: object, *, source: str, path: tuple[str, ...], marks: Marks
) -> object:
    """A company's `flows:` section with an older `policy: vendors: rule:` as the vendor
    flow's `filter:` (the same condition in SOQL); `path` is the company's key path.
    MappingConfigError naming the rule's line when it is wrong, or a filter is set too."""
    if rule is None:
        return section
    at = (*path, "policy", "vendors", "rule")

    def fail(problem: str) -> MappingConfigError:
        return MappingConfigError(source, ".".join(at), problem, marks.line(at))

    try:
        text = rule_filter(rule)
        parse_condition(text, "Account")
    except ValueError as exc:  # FilterError too: a field Account does not have
        raise fail(str(exc)) from None
    if section is not None and not isinstance(section, Mapping):
        return section  # parse_flows names what is wrong with it
    flows = dict(section or {})
    entry = flows.get(VENDOR_FLOW)
    entry = dict(entry) if isinstance(entry, Mapping) else {}
    if entry.get("filter") is not None:
        other = (*path, "flows", VENDOR_FLOW, "filter")
        raise fail(
            f"the vendor rule is the {VENDOR_FLOW} flow's filter, which {'.'.join(other)} "
            f"(line {marks.line(other)}) sets too: keep only the filter"
        )
    flows[VENDOR_FLOW] = {**entry, "filter": text}
    return flows
