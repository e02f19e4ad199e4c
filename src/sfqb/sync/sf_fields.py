"""The Salesforce fields a company's maps read and write, per object, for the preflight.

Reads: the source fields of the flows from Salesforce (their lines and related records
included, through `data/salesforce_fields.yaml`). Writes: the target fields of the flows into
Salesforce, and the sync status fields sfqb writes on every record it syncs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from functools import cache
from importlib import resources

import yaml

from sfqb.domain.entities import SfObject
from sfqb.mapping.flowmap import SELF, FieldSpec, FlowSet, Owner
from sfqb.mapping.soql import fields_of
from sfqb.sync.records import VENDOR_FLOW, flow_sources, sf_flows
from sfqb.sync.writeback import QB_ID, QB_VENDOR_ID, SYNC_ERROR, SYNC_STATUS


class Access(StrEnum):
    """What sfqb does with a field: read it, or also write it."""

    READ = "read"
    WRITE = "write"


@cache
def _relationships() -> dict[str, str]:
    text = resources.files("sfqb.sync").joinpath("data/salesforce_fields.yaml").read_text("utf-8")
    return {str(k): str(v) for k, v in yaml.safe_load(text)["relationships"].items()}


def needed_fields(
    flows: FlowSet, switched_on: Callable[[str], bool] = lambda name: True
) -> dict[str, dict[str, Access]]:
    """sObject -> field -> the access sfqb needs to it, for every flow of the company.

    A field sent only under a company switch that is off (`enabled_by`, e.g. multicurrency:
    CurrencyIsoCode exists only in orgs with multiple currencies) is not needed.
    """
    needed: dict[str, dict[str, Access]] = {}

    def need(sobject: str, field: str, access: Access) -> None:
        if "." in field:  # a related record's field: check it on its own object
            relation, _, rest = field.partition(".")
            sobject, field = _relationships().get(relation, relation), rest
        fields = needed.setdefault(sobject, {})
        if fields.get(field) is not Access.WRITE:
            fields[field] = access

    sobjects = {o.value for o in SfObject}
    for flow in flows.flows.values():
        if flow.source in sobjects or flow.source.endswith("__c"):  # a custom `source:`
            for field in (
                flow.id_field,
                *flow.require,
                *_sources(flow.fields, switched_on),
            ):
                need(flow.source, field, Access.READ)
            # The company's filter: its own fields (custom ones are checked only here).
            filtered = fields_of(flow.where) if flow.where is not None else []
            for field in filtered:
                if "." not in field:
                    need(flow.source, field, Access.READ)
            if flow.lines is not None:
                child = _relationships().get(flow.lines.source, flow.lines.source)
                if flow.lines.source == SELF:
                    child = flow.source  # one line made from the record itself (refunds)
                for field in _sources(flow.lines.fields, switched_on):
                    need(child, field, Access.READ)
        if flow.kind in sobjects or flow.kind.endswith("__c"):  # written back to it
            for spec in flow.fields:
                if spec.enabled_by is not None and not switched_on(spec.enabled_by):
                    continue
                if spec.owner is not Owner.SALESFORCE:  # Salesforce's own: never written back
                    need(flow.kind, spec.target, Access.WRITE)
    for flow_name, sobject in sf_flows(flow_sources(flows)):
        id_field = QB_VENDOR_ID if flow_name == VENDOR_FLOW else QB_ID
        for field in (id_field, SYNC_STATUS, SYNC_ERROR):
            need(sobject.value, field, Access.WRITE)
    return needed


def _sources(specs: Iterable[FieldSpec], switched_on: Callable[[str], bool]) -> list[str]:
    return [
        source
        for spec in specs
        if spec.enabled_by is None or switched_on(spec.enabled_by)
        for source in spec.sources
    ]


def describe_problems(
    needed: Mapping[str, Mapping[str, Access]],
    described: Mapping[str, Mapping[str, tuple[bool, bool]]],
) -> list[str]:
    """What the integration user lacks, one phrase per field, e.g. "cannot see Account.Phone".

    `described` is sObject -> field name (as the org spells it) -> (createable, updateable),
    holding only the fields the user can see.
    """
    problems = []
    for sobject, fields in sorted(needed.items()):
        seen = {name.lower(): rights for name, rights in described.get(sobject, {}).items()}
        for field, access in sorted(fields.items()):
            rights = seen.get(field.lower())
            if rights is None:
                problems.append(f"cannot see {sobject}.{field}")
            elif access is Access.WRITE and not rights[1]:
                problems.append(f"cannot edit {sobject}.{field}")
    return problems
