"""The custom fields sfqb needs in Salesforce (data/custom_fields.yaml) and checking an org."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from sfqb.connectors.salesforce.models import SObjectDescription, check_name

FIELD_TYPES = ("Text", "LongTextArea", "Picklist", "Currency", "Date")
# The describe `type` each metadata type shows up as.
DESCRIBE_TYPES = {
    "Text": "string",
    "LongTextArea": "textarea",
    "Picklist": "picklist",
    "Currency": "currency",
    "Date": "date",
}


@dataclass(frozen=True, slots=True)
class CustomFieldSpec:
    """One custom field sfqb needs, with what its metadata definition says."""

    object: str
    name: str
    label: str
    type: str
    description: str = ""
    length: int | None = None
    visible_lines: int | None = None
    precision: int | None = None
    scale: int | None = None
    values: tuple[str, ...] = ()
    external_id: bool = False
    unique: bool = False

    @property
    def full_name(self) -> str:
        """Object.Field, as package.xml and permission sets name it."""
        return f"{self.object}.{self.name}"

    @property
    def summary(self) -> str:
        """The type in a person's words, e.g. "Text(255), External ID, Unique"."""
        if self.type in ("Text", "LongTextArea"):
            text = f"{self.type}({self.length})"
        elif self.type == "Currency":
            text = f"Currency({self.precision}, {self.scale})"
        elif self.type == "Picklist":
            text = "Picklist: " + ", ".join(self.values)
        else:
            text = self.type
        flags = [
            flag for flag, on in (("External ID", self.external_id), ("Unique", self.unique)) if on
        ]
        return ", ".join([text, *flags])


class CustomFieldError(ValueError):
    """data/custom_fields.yaml is malformed."""


def load_custom_fields(text: str | None = None) -> tuple[CustomFieldSpec, ...]:
    """The bundled field list (or the YAML `text` given); raises CustomFieldError."""
    if text is None:
        text = (
            resources.files("sfqb.connectors.salesforce")
            .joinpath("data/custom_fields.yaml")
            .read_text(encoding="utf-8")
        )
    raw: Any = yaml.safe_load(text)
    if not isinstance(raw, dict) or not isinstance(raw.get("fields"), list):
        raise CustomFieldError("custom_fields.yaml needs a list under 'fields'")
    specs = tuple(_spec(i, item) for i, item in enumerate(raw["fields"]))
    seen = {s.full_name.lower() for s in specs}
    if len(seen) != len(specs):
        raise CustomFieldError("custom_fields.yaml lists a field twice")
    return specs


def _spec(index: int, item: Any) -> CustomFieldSpec:
    where = f"custom_fields.yaml: fields/{index}"
    if not isinstance(item, dict):
        raise CustomFieldError(f"{where}: not a mapping")
    try:
        spec = CustomFieldSpec(**{**item, "values": tuple(item.get("values", ()))})
        check_name("sObject", spec.object)
        check_name("field", spec.name)
    except (TypeError, ValueError) as exc:
        raise CustomFieldError(f"{where}: {exc}") from None
    if not spec.name.endswith("__c"):
        raise CustomFieldError(f"{where}: custom field names end in __c")
    if spec.type not in FIELD_TYPES:
        raise CustomFieldError(f"{where}: type must be one of {', '.join(FIELD_TYPES)}")
    needs: dict[str, Sequence[object]] = {
        "Text": (spec.length,),
        "LongTextArea": (spec.length, spec.visible_lines),
        "Currency": (spec.precision, spec.scale),
        "Picklist": (spec.values or None,),
        "Date": (),
    }
    if any(value is None for value in needs[spec.type]):
        raise CustomFieldError(f"{where}: {spec.type} needs its size or values")
    return spec


@dataclass(frozen=True, slots=True)
class FieldCheck:
    """How one needed field looks in the connected org."""

    spec: CustomFieldSpec
    present: bool
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the field exists as sfqb needs it."""
        return self.present and not self.problems


def check_org(
    specs: Sequence[CustomFieldSpec], describe: Callable[[str], SObjectDescription]
) -> list[FieldCheck]:
    """Compare the needed fields with the org's describe results (one describe per object)."""
    described: dict[str, SObjectDescription] = {}
    checks = []
    for spec in specs:
        if spec.object not in described:
            described[spec.object] = describe(spec.object)
        found = described[spec.object].get(spec.name)
        if found is None:
            checks.append(FieldCheck(spec, present=False))
            continue
        problems = []
        expected = DESCRIBE_TYPES[spec.type]
        if found.type and found.type != expected:
            problems.append(f"is {found.type}, not {expected}")
        if spec.external_id and not found.external_id:
            problems.append("is not marked External ID")
        if spec.unique and not found.unique:
            problems.append("is not Unique")
        checks.append(FieldCheck(spec, present=True, problems=tuple(problems)))
    return checks
