"""The typed field maps a flow runs on: what each target field is filled from, and how.

`sfqb.mapping.fieldspec` builds them from YAML (checking every key); `sfqb.mapping.config`
loads the bundled maps and a company's overrides into a FlowSet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from sfqb.mapping.rules import NameRule
from sfqb.mapping.soql import Condition
from sfqb.mapping.transforms import Transform

VALUE_TYPES = frozenset({"text", "amount", "price", "quantity", "date", "bool", "any"})
# Company switches a field may depend on (`enabled_by`); CompanyPolicy.flag gives their values.
SWITCHES = frozenset({"multicurrency", "credit_memos"})
# Company settings a map may name (`setting:`); CompanyPolicy.setting gives their values.
SETTINGS = frozenset({"income_account", "inventory_asset_account", "cogs_account", "tax_item",
                      "sales_tax_code", "discount_item"})  # fmt: skip
DISCOUNT_PER = ("line", "document")


class Owner(StrEnum):
    """Who wins when both sides changed a field since the last sync."""

    SALESFORCE = "salesforce"
    QUICKBOOKS = "quickbooks"
    NEWEST = "newest"


@dataclass(frozen=True)
class Step:
    """One transform of a field: its registry name, function and argument."""

    name: str
    fn: Transform
    arg: object


@dataclass(frozen=True)
class FieldSpec:
    """How one target field is filled."""

    target: str
    sources: tuple[str, ...]
    multi: bool
    const: object
    ref: str | None
    steps: tuple[Step, ...]
    value_type: str
    max_length: int | None
    owner: Owner
    kinds: frozenset[str] | None
    setting: str | None = None
    # Target fields mapped before this one, and the values they must have for it to be sent
    # ({"Type": "Inventory"}: QuickBooks Online's inventory-only fields).
    when: Mapping[str, str] | None = None
    # A company switch (SWITCHES) the field is sent under: off, the field is left out.
    enabled_by: str | None = None


@dataclass(frozen=True)
class DiscountSpec:
    """A line's discount fields (see sfqb.mapping.discounts) and the discount line's map;
    `per` "line" (one after each discounted line) or "document" (one for the form)."""

    percent: str
    quantity: str
    price: str
    per: str
    fields: tuple[FieldSpec, ...]


SELF = "."  # a `lines: source:` that makes one line of the record itself (a refund)


@dataclass(frozen=True)
class LinesSpec:
    """Child records mapped to transaction lines."""

    source: str
    target: str
    fields: tuple[FieldSpec, ...]
    discount: DiscountSpec | None = None


@dataclass(frozen=True)
class FlowMap:
    """One flow's validated field map."""

    name: str
    source: str
    id_field: str
    kind: str
    kinds: tuple[str, ...]
    require: Mapping[str, object]
    name_rule: NameRule | None
    fields: tuple[FieldSpec, ...]
    lines: LinesSpec | None
    # The source filter (the map's `filter`, e.g. the vendor rule Type = 'Vendor', or the
    # company's from its config file `flows:`), sent in the Salesforce read; the default
    # switch (a switch set in the console wins) and the fields the company overrides.
    where: Condition | None = None
    enabled: bool = True
    overridden: tuple[str, ...] = ()

    def owner_of(self, target: str) -> Owner:
        """The owner of a target field ("Lines/Rate" for a line field)."""
        specs = list(self.fields)
        if self.lines is not None:
            prefix = self.lines.target + "/"
            if target.startswith(prefix):
                target, specs = target[len(prefix) :], list(self.lines.fields)
        for spec in specs:
            if spec.target == target:
                return spec.owner
        raise KeyError(f"{self.name}: no mapped field {target}")


@dataclass(frozen=True)
class FlowSet:
    """All flows of one company, by name."""

    flows: Mapping[str, FlowMap]

    def __getitem__(self, name: str) -> FlowMap:
        return self.flows[name]
