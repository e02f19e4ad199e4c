"""Declarative field maps between Salesforce and QuickBooks, with QuickBooks' rules applied.

Layer: imports only sfqb.domain and sfqb.codes (and its own modules).
"""

from sfqb.mapping.config import load_flows, merge
from sfqb.mapping.errors import MappingConfigError, MappingInputError, RecordNotEligible
from sfqb.mapping.flowmap import FieldSpec, FlowMap, FlowSet, LinesSpec, Owner
from sfqb.mapping.mapper import Mapper
from sfqb.mapping.mapsets import DESKTOP_MAPS, ONLINE_MAPS, MapSet
from sfqb.mapping.result import Mapped, MappingChange, Reference, canonical_json, fingerprint
from sfqb.mapping.rules import NameRule, apply_name_rule, fold_name
from sfqb.mapping.transforms import TRANSFORMS, Transform

__all__ = [
    "DESKTOP_MAPS",
    "ONLINE_MAPS",
    "TRANSFORMS",
    "FieldSpec",
    "FlowMap",
    "FlowSet",
    "LinesSpec",
    "MapSet",
    "Mapped",
    "Mapper",
    "MappingChange",
    "MappingConfigError",
    "MappingInputError",
    "NameRule",
    "Owner",
    "RecordNotEligible",
    "Reference",
    "Transform",
    "apply_name_rule",
    "canonical_json",
    "fingerprint",
    "fold_name",
    "load_flows",
    "merge",
]
