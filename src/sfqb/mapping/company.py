"""A company's own settings applied to its field maps: the config file's `flows:` section
(target kind, field overrides, filter, default switch) and the checks of the source fields a
company's override names. The config file's lines come along so every error names its line."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import yaml

from sfqb.mapping.errors import MappingConfigError
from sfqb.mapping.flowconfig import FlowConfig, source_problem
from sfqb.mapping.flowmap import SELF
from sfqb.mapping.marks import Marks, load_marked, yaml_problem
from sfqb.mapping.sobjects import SObjects, salesforce_objects
from sfqb.mapping.soql import FilterError, parse_condition

if TYPE_CHECKING:
    from sfqb.mapping.flowmap import FlowMap


class Checker(Protocol):
    """What sfqb.mapping.config's checker offers here."""

    def flow(self, name: str, doc: object) -> FlowMap: ...

    def fail(self, key: str, problem: str) -> MappingConfigError: ...


def marked(text: str, source: str) -> tuple[Any, Marks]:
    """A mapping file's document and its lines; MappingConfigError naming the bad line."""
    try:
        return load_marked(text)
    except yaml.YAMLError as exc:
        line, problem = yaml_problem(exc)
        raise MappingConfigError(source, "(document)", f"not valid YAML: {problem}", line) from None


def key_path(key: str) -> tuple[str, ...]:
    """A checker key ("flows.x.fields.Phone.transforms[0]") as a YAML key path."""
    return tuple(key.replace("[", ".").replace("]", "").split("."))


def configured(checker: Checker, config: FlowConfig, base: Mapping[str, Any]) -> FlowMap:
    """A flow map with a company's config file settings applied and checked by `checker`."""
    from sfqb.mapping.config import merge

    override = config.override()
    objects = salesforce_objects()
    if config.sobject is not None:
        base = custom_base(config, base)
        objects = objects.with_custom(config.sobject)
    flow = checker.flow(config.flow, merge(base, override))
    check_sources(checker, flow, override, objects)
    where = flow.where  # the map's own filter (the vendor rule), unless the company sets one
    if config.filter is not None:
        if objects.get(flow.source) is None:
            raise config.fail(("filter",), f"{flow.source} is not a Salesforce object sfqb reads")
        try:
            where = parse_condition(config.filter, flow.source, objects)
        except FilterError as exc:
            raise config.fail(("filter",), str(exc)) from None
    return replace(
        flow,
        where=where,
        enabled=flow.enabled if config.enabled is None else config.enabled,
        overridden=config.overridden(),
    )


def custom_base(config: FlowConfig, base: Mapping[str, Any]) -> dict[str, Any]:
    """A flow's bundled map read from the custom object of `config.sobject` instead: the
    fields it fills from its own object, its filter and its `require` go (they name the
    object's fields), so the company's `map:` says every field read; the fields filled from
    settings or constants stay. MappingConfigError when the map leaves the name unfilled."""
    assert config.sobject is not None
    rule = base.get("name_rule")
    named = rule.get("field") if isinstance(rule, Mapping) else None
    if named is not None and config.fields.get(named) is None:
        raise config.fail(
            ("map",),
            f"with source: {config.sobject} the map must fill {named} (the record's name in "
            f"QuickBooks) from a field of {config.sobject}, e.g. {named}: {{source: Name}}",
        )
    fields = {
        k: v
        for k, v in (base.get("fields") or {}).items()
        if isinstance(v, Mapping) and "source" not in v
    }
    kept = {k: v for k, v in base.items() if k not in ("filter", "require", "fields")}
    return {**kept, "source": config.sobject, "fields": fields}


def mirrored(back: FlowMap, out: FlowMap) -> FlowMap:
    """The QuickBooks-to-Salesforce map `back` (vendor_to_account) for a flow `out` that reads
    a custom object: each field it writes becomes the custom object's field the company's map
    fills that QuickBooks field from (Name <- Name; Phone <- Phone__c); a field the map does not
    read from one field of the object is not written back."""
    fields = []
    for spec in back.fields:
        # A QuickBooks path reads "PrimaryPhone.FreeFormNumber" and is written "…/FreeFormNumber".
        read = {source.replace(".", "/") for source in spec.sources}
        sent = [s.sources for s in out.fields if s.target in read and len(s.sources) == 1]
        if len(spec.sources) == 1 and sent and "." not in sent[0][0]:
            fields.append(replace(spec, target=sent[0][0]))
    return replace(back, kind=out.source, kinds=(out.source,), fields=tuple(fields))


def check_sources(
    checker: Checker,
    flow: FlowMap,
    override: Mapping[str, Any],
    objects: SObjects | None = None,
) -> None:
    """The source fields a company's override names must exist with a fitting type."""
    objects = objects or salesforce_objects()
    named = override.get("fields") or {}
    key = f"flows.{flow.name}"
    checks = [(flow.source, spec, f"{key}.fields") for spec in flow.fields if spec.target in named]
    if flow.lines is not None:
        info = objects.get(flow.source)
        child = info.children.get(flow.lines.source, flow.lines.source) if info else ""
        if flow.lines.source == SELF:
            child = flow.source  # one line made from the record itself
        line_named = (override.get("lines") or {}).get("fields") or {}
        checks += [
            (child, spec, f"{key}.lines.fields")
            for spec in flow.lines.fields
            if spec.target in line_named
        ]
    for sobject, spec, where in checks:
        direct = not spec.steps and len(spec.sources) == 1
        for source in spec.sources:
            problem = source_problem(objects, sobject, source, spec.value_type, direct=direct)
            if problem is not None:
                raise checker.fail(f"{where}.{spec.target}.source", problem)


def check_company_flows(override: Path | None, company: Mapping[str, FlowConfig]) -> None:
    """Check a company's `flows:` section (with its mapping file) against the field maps of
    each QuickBooks sfqb syncs with; MappingConfigError (the first) when it fits none of them.

    Which QuickBooks a company uses is known only once it is connected: `load_flows` checks
    the section again against that one's maps when a cycle or a plan builds them.
    """
    from sfqb.mapping.config import load_flows
    from sfqb.mapping.mapsets import DESKTOP_MAPS, ONLINE_MAPS

    errors: list[MappingConfigError] = []
    for maps in (DESKTOP_MAPS, ONLINE_MAPS):
        try:
            load_flows(override, maps=maps, company=company)
            return
        except MappingConfigError as exc:
            errors.append(exc)
    raise errors[0]


# The field a custom source's records keep their QuickBooks Id in, by the flow reading it
# (sync.writeback's: a vendor's apart from a customer's, a credit's the main one).
CUSTOM_ID_FIELDS = {
    "account_to_vendor": "QuickBooks_Vendor_ID__c",
    "refund_to_credit_memo": "QuickBooks_ID__c",
}


def read_fields(
    flows: Mapping[str, FlowMap], switch: Callable[[str], bool] = lambda _: False
) -> dict[str, list[str]]:
    """sObject -> the fields of its own the flows' maps read (sources and `require`), so a field
    a company's override names is in the query (the connector's `extra_fields`). A field a
    company switch turns on (`enabled_by`) is read only while `switch(name)` says it is on."""
    objects = salesforce_objects()
    found: dict[str, list[str]] = {}
    for flow in flows.values():
        if objects.get(flow.source) is None and not flow.source.endswith("__c"):
            continue  # a QuickBooks record's map
        specs = [s for s in flow.fields if s.enabled_by is None or switch(s.enabled_by)]
        if flow.lines is not None and flow.lines.source == SELF:
            specs += [s for s in flow.lines.fields if s.enabled_by is None or switch(s.enabled_by)]
        names = [*flow.require, *(s for spec in specs for s in spec.sources)]
        if flow.source.endswith("__c") and flow.name in CUSTOM_ID_FIELDS:
            names.insert(0, CUSTOM_ID_FIELDS[flow.name])
        wanted = found.setdefault(flow.source, [])
        wanted.extend(n for n in names if "." not in n and n not in wanted)
    return found
