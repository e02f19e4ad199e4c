"""The Salesforce fields sfqb knows (data/salesforce_objects.yaml): what a filter or a map may
name on each sObject, and the kind of value each field holds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from types import MappingProxyType

import yaml


class FieldKind(StrEnum):
    """The kind of value a Salesforce field holds, as far as filters and maps care."""

    ID = "id"
    TEXT = "text"
    LONGTEXT = "longtext"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    CUSTOM = "custom"  # a custom field (…__c): its kind is the org's, checked by the preflight


@dataclass(frozen=True, slots=True)
class SObjectInfo:
    """One sObject: its fields by name, and the relationships a path may follow."""

    name: str
    fields: Mapping[str, FieldKind]
    parents: Mapping[str, str]
    children: Mapping[str, str]
    payload: Mapping[str, str]

    def field(self, name: str) -> FieldKind | None:
        """The kind of a field (any case); custom fields are CUSTOM; None when unknown."""
        for known, kind in self.fields.items():
            if known.lower() == name.lower():
                return kind
        if name.lower().endswith("__c") and name[:-3].replace("_", "").isalnum():
            return FieldKind.CUSTOM
        return None


_NONE: Mapping[str, str] = MappingProxyType({})
# The fields of a custom object that are not its own: the system fields, its Name (text or
# an auto-number) and its owner.
_CUSTOM_STANDARD = ("Id", "IsDeleted", "CreatedDate", "CreatedById", "LastModifiedDate",
                    "LastModifiedById", "SystemModstamp", "Name", "OwnerId")  # fmt: skip


class UnknownField(ValueError):
    """A field path that names no field sfqb knows; the message says which part."""


@dataclass(frozen=True, slots=True)
class SObjects:
    """Every sObject sfqb knows."""

    objects: Mapping[str, SObjectInfo]

    def with_custom(self, name: str) -> SObjects:
        """These sObjects and the custom object `name` as sfqb knows one before the org's
        describe: the fields every custom object has (the system fields, Name and OwnerId;
        Salesforce Help, "Custom Object Definition" and "System Fields"), its own ones CUSTOM."""
        if self.get(name) is not None:
            return self
        account = self.objects["Account"]
        standard = {k: account.fields[k] for k in _CUSTOM_STANDARD}
        info = SObjectInfo(name, MappingProxyType(standard), _NONE, _NONE, _NONE)
        return SObjects(MappingProxyType({**self.objects, name: info}))

    def get(self, name: str) -> SObjectInfo | None:
        """The sObject of that name (any case), or None."""
        return next((o for n, o in self.objects.items() if n.lower() == name.lower()), None)

    def resolve(self, sobject: str, path: str, *, via: str = "parents") -> FieldKind:
        """The kind of the field `path` ("Name", "Account.Name") names on `sobject`.

        `via` names the relationships a dotted path may follow: "parents" (a SOQL filter)
        or "payload" (a map's source). UnknownField when a part is not known.
        """
        current = self.get(sobject)
        if current is None:
            raise UnknownField(f"sfqb does not know the sObject {sobject}")
        *relations, last = path.split(".")
        for relation in relations:
            related: Mapping[str, str] = getattr(current, via)
            target = next((t for r, t in related.items() if r.lower() == relation.lower()), None)
            found = self.get(target) if target else None
            if found is None:
                raise UnknownField(f"{current.name} has no relationship {relation!r}")
            current = found
        kind = current.field(last)
        if kind is None:
            raise UnknownField(f"{current.name} has no field {last!r}")
        return kind


@cache
def salesforce_objects() -> SObjects:
    """The bundled list of sObjects and fields."""
    text = resources.files("sfqb.mapping").joinpath("data", "salesforce_objects.yaml")
    doc = yaml.safe_load(text.read_text(encoding="utf-8"))
    system = {str(k): FieldKind(v) for k, v in doc["system_fields"].items()}
    objects = {}
    for name, entry in doc["objects"].items():
        fields = {**system, **{str(k): FieldKind(v) for k, v in entry["fields"].items()}}
        objects[str(name)] = SObjectInfo(
            name=str(name),
            fields=MappingProxyType(fields),
            parents=MappingProxyType(dict(entry.get("parents") or {})),
            children=MappingProxyType(dict(entry.get("children") or {})),
            payload=MappingProxyType(dict(entry.get("payload") or {})),
        )
    return SObjects(MappingProxyType(objects))
