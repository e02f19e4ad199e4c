"""The sObject schema the sandbox enforces, loaded from data/objects.yaml (one copy per org)."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

_NUMERIC = frozenset({"double", "currency", "percent", "int"})


@dataclass
class FieldDef:
    """One field of an sObject."""

    name: str
    type: str
    length: int | None = None
    reference_to: str | None = None
    readonly: bool = False
    required: bool = False
    external_id: bool = False
    unique: bool = False
    # Field-level security for the integration user: a hidden field does not exist for the
    # API (describe omits it, SOQL and writes name it INVALID_FIELD); a read-only one is
    # described with createable/updateable false and refused on writes.
    hidden: bool = False
    read_only_for_user: bool = False

    @property
    def writable(self) -> bool:
        """True when the integration user may set the field on create and update."""
        return not (self.readonly or self.read_only_for_user)

    @property
    def custom(self) -> bool:
        """True for custom fields (name ends in __c)."""
        return self.name.endswith("__c")

    @property
    def numeric(self) -> bool:
        """True for number-valued fields."""
        return self.type in _NUMERIC


@dataclass(frozen=True)
class ChildRelationship:
    """A parent-child relationship usable in a subquery, e.g. Opportunity.OpportunityLineItems."""

    name: str
    child: str
    field: str
    cascade: bool


@dataclass
class ObjectDef:
    """One sObject type: key prefix, fields, children."""

    name: str
    prefix: str
    label: str
    fields: dict[str, FieldDef]
    children: dict[str, ChildRelationship] = field(default_factory=dict)

    def field(self, name: str) -> FieldDef | None:
        """The field called `name` as the API sees it: case-insensitive, hidden ones absent."""
        found = self.fields.get(name)
        if found is None:
            lowered = name.lower()
            found = next((f for f in self.fields.values() if f.name.lower() == lowered), None)
        return None if found is None or found.hidden else found

    @property
    def visible(self) -> list[FieldDef]:
        """The fields the integration user can see (field-level security)."""
        return [f for f in self.fields.values() if not f.hidden]

    def child(self, name: str) -> ChildRelationship | None:
        """The child relationship called `name` (case-insensitive)."""
        found = self.children.get(name)  # spelt as described: one look-up a record's subquery
        if found is not None:
            return found
        lowered = name.lower()
        return next((c for c in self.children.values() if c.name.lower() == lowered), None)

    def parent_field(self, relationship: str) -> FieldDef | None:
        """The reference field behind a parent relationship name (Account -> AccountId)."""
        ref = self.field(relationship + "Id")
        return ref if ref is not None and ref.reference_to else None

    @property
    def required(self) -> list[str]:
        """Names of the fields that must be given on create."""
        return [f.name for f in self.fields.values() if f.required]


@dataclass(frozen=True)
class Stage:
    """An Opportunity stage and what it implies."""

    closed: bool
    won: bool
    probability: int


@dataclass
class Schema:
    """All sObjects of an org plus the Opportunity stages; mutable so tests can reshape it."""

    objects: dict[str, ObjectDef]
    stages: dict[str, Stage]
    order_statuses: dict[str, str] = field(default_factory=dict)  # Status -> StatusCode

    @classmethod
    def load(cls) -> Schema:
        """A fresh copy of the bundled schema."""
        text = resources.files("sfqb.sandbox.salesforce").joinpath("data/objects.yaml")
        raw = yaml.safe_load(text.read_text(encoding="utf-8"))
        system = raw["system_fields"]
        objects = {name: _object(name, spec, system) for name, spec in raw["objects"].items()}
        stages = {name: Stage(**spec) for name, spec in raw["stages"].items()}
        statuses = {str(k): str(v) for k, v in raw["order_statuses"].items()}
        return cls(objects=objects, stages=stages, order_statuses=statuses)

    def object(self, name: str) -> ObjectDef | None:
        """The sObject called `name` (case-insensitive)."""
        found = self.objects.get(name)
        if found is not None:
            return found
        lowered = name.lower()
        return next((o for o in self.objects.values() if o.name.lower() == lowered), None)

    def by_prefix(self, prefix: str) -> ObjectDef | None:
        """The sObject whose Ids start with `prefix`."""
        return next((o for o in self.objects.values() if o.prefix == prefix), None)

    def key_prefixes(self) -> dict[str, str]:
        """sObject name -> three-character key prefix."""
        return {o.name: o.prefix for o in self.objects.values()}

    def add_field(self, sobject: str, name: str, type_spec: str) -> None:
        """Add a field (type as in objects.yaml, e.g. "string:255"), as an admin would."""
        obj = self._need(sobject)
        obj.fields[name] = _field(name, type_spec)

    def remove_field(self, sobject: str, name: str) -> None:
        """Remove a field, e.g. to test what happens when a custom field is missing."""
        obj = self._need(sobject)
        found = obj.field(name)
        if found is None:
            raise KeyError(f"{sobject} has no field {name}")
        del obj.fields[found.name]

    def set_field_access(
        self, sobject: str, name: str, *, visible: bool = True, editable: bool = True
    ) -> None:
        """Field-level security of the integration user's profile, as an admin would set it.

        Salesforce's REST describe lists only the fields the user can see, with `createable`
        and `updateable` reflecting edit access ("sObject Describe", REST API Developer Guide;
        "Understanding Describe Information Permissions", Apex Developer Guide).
        """
        obj = self._need(sobject)
        lowered = name.lower()
        found = next((f for f in obj.fields.values() if f.name.lower() == lowered), None)
        if found is None:
            raise KeyError(f"{sobject} has no field {name}")
        found.hidden = not visible
        found.read_only_for_user = not editable

    def set_unique(self, sobject: str, name: str, unique: bool) -> None:
        """Turn the uniqueness of an external-ID field on or off."""
        found = self._need(sobject).field(name)
        if found is None or not found.external_id:
            raise KeyError(f"{sobject}.{name} is not an external ID field")
        found.unique = unique

    def _need(self, sobject: str) -> ObjectDef:
        obj = self.object(sobject)
        if obj is None:
            raise KeyError(f"no sObject {sobject}")
        return obj


def _field(name: str, spec: str) -> FieldDef:
    kind, _, arg = spec.partition(":")
    if kind == "reference":
        return FieldDef(name, kind, reference_to=arg or None)
    return FieldDef(name, kind, length=int(arg) if arg else None)


def _object(name: str, spec: dict[str, Any], system: dict[str, str]) -> ObjectDef:
    fields = {n: _field(n, s) for n, s in system.items()}
    for fdef in fields.values():
        fdef.readonly = True
    for n, s in spec["fields"].items():
        fields[n] = _field(n, s)
    for n in spec.get("required", []):
        fields[n].required = True
    for n in spec.get("readonly", []):
        fields[n].readonly = True
    for n, opts in (spec.get("external_ids") or {}).items():
        fields[n].external_id = True
        fields[n].unique = bool(opts.get("unique", False))
    children = {
        rel: ChildRelationship(rel, c["object"], c["field"], bool(c.get("cascade", False)))
        for rel, c in (spec.get("children") or {}).items()
    }
    return ObjectDef(name, spec["prefix"], spec["label"], fields, children)
