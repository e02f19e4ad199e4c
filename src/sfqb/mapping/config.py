"""Typed field maps: loaded from the bundled YAML files, with a company's overrides merged in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from sfqb.mapping.company import check_sources, configured, key_path, marked, mirrored
from sfqb.mapping.errors import MappingConfigError
from sfqb.mapping.fieldspec import FlowChecker, Targets, load_targets, read_yaml
from sfqb.mapping.flowconfig import FlowConfig
from sfqb.mapping.flowmap import FlowMap, FlowSet
from sfqb.mapping.mapsets import DESKTOP_MAPS, MapSet
from sfqb.mapping.transforms import TRANSFORMS, Transform

FLOW_NAMES = (
    "account_to_customer",
    "product_to_item",
    "opportunity_to_invoice",
    "order_to_sales_order",
    "payment_to_opportunity",
    "customer_to_account",
    "credit_to_opportunity",
    "account_to_vendor",
    "vendor_to_account",
    "refund_to_credit_memo",
    "credit_to_refund",
)

# The flow that writes a record's QuickBooks changes back to the object another flow reads.
BACK_FLOWS = {"account_to_vendor": "vendor_to_account"}
# The flow that writes a credit memo's values back to the refund flow's object (its source:).
REFUND_BACK = {"refund_to_credit_memo": "credit_to_refund"}


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge `override` over `base`: mappings merge, a null removes a key, others replace."""
    result = dict(base)
    for key, value in override.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = merge(result[key], value)
        else:
            result[key] = value
    return result


def load_flows(
    override: Path | None = None,
    transforms: Mapping[str, Transform] = TRANSFORMS,
    *,
    maps: MapSet = DESKTOP_MAPS,
    company: Mapping[str, FlowConfig] | None = None,
) -> FlowSet:
    """The field maps of `maps` (QuickBooks Desktop's by default), with a company's override
    file (YAML `flows: {...}`) merged in, then its config file's `flows:` section (`company`:
    target kinds, field overrides, filters and default switches)."""
    targets = load_targets(maps)
    defaults: dict[str, Any] = {}
    flows: dict[str, FlowMap] = {}
    for name in FLOW_NAMES:
        source = f"{name}.yaml"
        defaults[name] = read_yaml(maps.read(source), source)
        flows[name] = FlowChecker(source, targets, transforms).flow(name, defaults[name])
    if override is not None:
        _override(override, transforms, targets, defaults, flows)
    for name, config in (company or {}).items():
        checker = FlowChecker(config.source, targets, transforms, config.locate)
        flows[name] = configured(checker, config, defaults[name])
    for out, back in BACK_FLOWS.items():
        if flows[out].source != defaults[out]["source"]:  # a custom object (`source:`)
            flows[back] = mirrored(flows[back], flows[out])
    for out, back in REFUND_BACK.items():
        source = flows[out].source
        if source.endswith("__c"):  # the company's refund object: the credits' values go to it
            flows[back] = replace(flows[back], kind=source, kinds=(source,))
    return FlowSet(MappingProxyType(flows))


def _override(
    override: Path,
    transforms: Mapping[str, Transform],
    targets: Targets,
    defaults: dict[str, Any],
    flows: dict[str, FlowMap],
) -> None:
    """Merge a company's mapping file (YAML `flows: {...}`) into `defaults` and `flows`."""
    source = str(override)
    try:
        text = override.read_text(encoding="utf-8")
    except OSError as exc:
        raise MappingConfigError(source, "(file)", f"cannot read: {exc.strerror}") from None
    doc, marks = marked(text, source)
    doc = doc or {}
    checker = FlowChecker(source, targets, transforms, lambda key: (key, marks.line(key_path(key))))
    doc = checker.mapping(doc, "(document)", frozenset({"flows"}))
    overrides = checker.mapping(doc.get("flows") or {}, "flows", frozenset(FLOW_NAMES))
    for name, flow_override in overrides.items():
        if flow_override is None:
            continue
        if not isinstance(flow_override, Mapping):
            raise checker.fail(f"flows.{name}", "must be a mapping")
        defaults[name] = merge(defaults[name], flow_override)
        flows[name] = checker.flow(name, defaults[name])
        check_sources(checker, flows[name], flow_override)
