"""Applies a flow's field map to one plain record and reports every change it makes."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sfqb.domain.policy import CompanyPolicy, DiscountMode
from sfqb.mapping.discounts import DISCOUNT_AMOUNT, price_line
from sfqb.mapping.errors import MappingInputError, RecordNotEligible
from sfqb.mapping.flowmap import SELF, FieldSpec, FlowMap, FlowSet, LinesSpec
from sfqb.mapping.result import Mapped, MappingChange, Reference, fingerprint, freeze
from sfqb.mapping.rules import AMOUNT_PLACES, PRICE_PLACES, apply_name_rule, quantize, truncate
from sfqb.mapping.soql import Condition, Logic, Negation
from sfqb.mapping.transforms import as_bool, to_date, to_decimal

_PLACES = {
    "amount": (AMOUNT_PLACES, False, "amount_two_decimals"),
    "price": (PRICE_PLACES, True, "price_five_decimals"),
    "quantity": (PRICE_PLACES, True, "quantity_five_decimals"),
}


@dataclass(frozen=True, slots=True)
class FlowRead:
    """One Salesforce read of a flow's changes: the condition sent (None: every record), and
    whether only the records already bound in the flow's role are taken from it."""

    where: Condition | None
    bound_only: bool = False


def _both(first: Condition | None, second: Condition) -> Condition:
    return second if first is None else Logic("AND", (first, second))


def lookup(record: Mapping[str, object], path: str) -> object:
    """The value at a dotted path ("PricebookEntry.UnitPrice"); None when any part is missing."""
    value: object = record
    for part in path.split("."):
        if type(value) is not dict and not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _children(value: object) -> Sequence[Mapping[str, object]]:
    # A REST child relationship is {"totalSize": n, "records": [...]} (or null when empty).
    if isinstance(value, Mapping):
        value = value.get("records")
    if value is None:
        return ()
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [v for v in value if isinstance(v, Mapping)]
    return ()


def _same(a: object, b: object) -> bool:
    if isinstance(a, int | float | Decimal | str) and isinstance(b, Decimal):
        try:
            return to_decimal(a) == b
        except ValueError:
            return False
    if isinstance(b, date) and isinstance(a, str | date):
        try:
            return to_date(a) == b
        except ValueError:
            return False
    return a == b


def _put(target: dict[str, object], path: str, value: object) -> None:
    head, _, rest = path.partition("/")
    if not rest:
        target[head] = value
        return
    child = target.setdefault(head, {})
    assert isinstance(child, dict)
    _put(child, rest, value)


def _applies(spec: FieldSpec, mapped: Mapping[str, object]) -> bool:
    """True when the fields mapped so far meet the spec's `when` (always without one)."""
    for target, want in (spec.when or {}).items():
        value: object = mapped
        for part in target.split("/"):
            value = value.get(part) if isinstance(value, Mapping) else None
        if value is None or str(value) != want:
            return False
    return True


class Mapper:
    """Maps records with a company's flows: `map(flow, record, taken=...)` -> Mapped.

    `policy` gives the company settings a map names (`setting:`, e.g. the income account).
    """

    def __init__(self, flows: FlowSet, policy: CompanyPolicy | None = None) -> None:
        self.flows = flows
        self.policy = policy or CompanyPolicy()

    def map(
        self,
        flow_name: str,
        record: Mapping[str, object],
        taken: Collection[str] = (),
        kind: str | None = None,
        overrides: Mapping[str, object] | None = None,
        *,
        second: bool = False,
    ) -> Mapped:
        """Map one record; `taken` holds names already used in QuickBooks (any case).

        `second` says the record is a party's second record in QuickBooks' shared name space
        (a customer's vendor): its name takes the second-name suffix (`second_suffix`).

        `overrides` are values a person set for this record's fields (by target path): they
        are sent in place of the mapped values, unconverted, and reported as changes.
        Raises RecordNotEligible when the flow's `require` condition fails and
        MappingInputError when a value cannot be converted.
        """
        overrides = overrides or {}
        flow = self.flows[flow_name]
        kind = kind or flow.kind
        if kind not in flow.kinds:
            raise MappingInputError(
                flow.name, "kind", f"{kind!r} is not one of {', '.join(flow.kinds)}"
            )
        for key, expected in flow.require.items():
            if lookup(record, key) != expected:
                raise RecordNotEligible(
                    flow.name, f"{key} is {lookup(record, key)!r}, needs {expected!r}"
                )
        suffix = self.second_suffix(flow_name) if second else ""
        fields: dict[str, object] = {}
        refs: list[Reference] = []
        changes: list[MappingChange] = []
        for spec in flow.fields:
            if spec.kinds is not None and kind not in spec.kinds:
                continue
            if not _applies(spec, fields) or not self._enabled(spec):
                continue
            if spec.target in overrides:
                value = overrides[spec.target]
                changes.append(
                    MappingChange(
                        spec.target, self._mapped(flow, spec, record), value, "set by a person"
                    )
                )
            else:
                value = self._field(flow, spec, record, spec.target, refs=refs, changes=changes)
            if flow.name_rule is not None and spec.target == flow.name_rule.field:
                value, name_changes = apply_name_rule(flow.name_rule, value, taken, suffix)
                changes.extend(name_changes)
            if value is not None:
                _put(fields, spec.target, value)
        if flow.lines is not None:
            fields[flow.lines.target] = self._lines(flow, flow.lines, record, refs, changes)
        frozen = freeze(fields)
        assert isinstance(frozen, Mapping)
        return Mapped(kind, frozen, tuple(refs), tuple(changes), fingerprint(kind, fields))

    def _lines(
        self,
        flow: FlowMap,
        spec: LinesSpec,
        record: Mapping[str, object],
        refs: list[Reference],
        changes: list[MappingChange],
    ) -> list[dict[str, object]]:
        """The transaction's lines, with each discount sent as the company's policy says."""
        lines: list[dict[str, object]] = []
        discount = spec.discount
        net = self.policy.discounts.mode is DiscountMode.NET_PRICE
        taken_off = Decimal(0)

        def add(specs: Sequence[FieldSpec], source: Mapping[str, object]) -> None:
            line: dict[str, object] = {}
            for field in specs:
                if not self._enabled(field):
                    continue
                path = f"{spec.target}[{len(lines)}]/{field.target}"
                value = self._field(flow, field, source, path, refs=refs, changes=changes)
                if value is not None:
                    _put(line, field.target, value)
            lines.append(line)

        # `source: .`: one line made from the record itself (a refund's amount).
        given_lines = [record] if spec.source == SELF else _children(lookup(record, spec.source))
        for given in given_lines:
            child = given
            if discount is None:
                add(spec.fields, child)
                continue
            try:
                names = (discount.percent, discount.quantity, discount.price)
                priced = price_line(child, names, net=net)
            except ValueError as exc:
                where = f"{spec.target}[{len(lines)}]/{discount.percent}"
                raise MappingInputError(flow.name, where, str(exc)) from None
            if priced.net:
                changes.append(
                    MappingChange(
                        f"{spec.target}[{len(lines)}]/{discount.price}",
                        given.get(discount.price),
                        priced.price,
                        f"net_price: less the {child.get(discount.percent)}% discount",
                    )
                )
                child = {**given, discount.price: priced.price}
            add(spec.fields, child)
            if priced.discount and discount.per == "line":
                add(discount.fields, {**child, DISCOUNT_AMOUNT: priced.discount})
            taken_off += priced.discount
        if discount is not None and discount.per == "document" and taken_off:
            add(discount.fields, {DISCOUNT_AMOUNT: taken_off})
        return lines

    def field_value(self, flow_name: str, target: str, record: Mapping[str, object]) -> object:
        """What a flow's map sends in `target` (nested parts included) for `record`; None when
        it sends nothing there (e.g. the currency an account's map gives a currency code)."""
        flow = self.flows[flow_name]
        fields: dict[str, object] = {}
        for spec in flow.fields:
            if spec.target.split("/")[0] == target and self._enabled(spec):
                value = self._field(flow, spec, record, spec.target, refs=[], changes=[])
                if value is not None:
                    _put(fields, spec.target, value)
        return fields.get(target)

    def _enabled(self, spec: FieldSpec) -> bool:
        return spec.enabled_by is None or self.policy.flag(spec.enabled_by)

    def kept_out(self, flow_name: str) -> Condition | None:
        """The records a customer flow leaves to the vendor flow of the same source (the
        vendor flow's filter, the vendor rule), unless the company's vendors are customers
        too; None: it keeps none. Records already bound as customers stay customers."""
        flow = self.flows[flow_name]
        if flow.kind != "Customer" or self.policy.vendors.also_customers:
            return None
        for other in self.flows.flows.values():
            if other.kind == "Vendor" and other.source == flow.source and other.where:
                return other.where
        return None

    def reads(self, flow_name: str) -> tuple[FlowRead, ...]:
        """The Salesforce reads of a flow's changes: its filter, and for a customer flow
        beside a vendor flow, the vendor rule's records apart (taken only when bound)."""
        where, out = self.flows[flow_name].where, self.kept_out(flow_name)
        if out is None:
            return (FlowRead(where),)
        return (FlowRead(_both(where, Negation(out))), FlowRead(_both(where, out), True))

    def second_suffix(self, flow_name: str) -> str:
        """The suffix of a second record's name in the flow ("" when it has none)."""
        rule = self.flows[flow_name].name_rule
        if rule is None:
            return ""
        override = self.policy.vendors.second_name_suffix
        return override if override is not None and rule.second_suffix else rule.second_suffix

    def targets(self, flow_name: str) -> tuple[str, ...]:
        """The QuickBooks fields (target paths) a flow writes, outside its lines."""
        return tuple(dict.fromkeys(spec.target for spec in self.flows[flow_name].fields))

    def _mapped(self, flow: FlowMap, spec: FieldSpec, record: Mapping[str, object]) -> object:
        """The value the map gives a field a person overrode (None when it cannot be mapped)."""
        try:
            return self._field(flow, spec, record, spec.target, refs=[], changes=[])
        except MappingInputError:
            return None

    def _field(
        self,
        flow: FlowMap,
        spec: FieldSpec,
        record: Mapping[str, object],
        path: str,
        *,
        refs: list[Reference],
        changes: list[MappingChange],
    ) -> object:
        if spec.sources:
            values = tuple(lookup(record, s) for s in spec.sources)
            value: object = values if spec.multi else values[0]
        else:
            value = spec.const
        if spec.setting is not None:
            value = self._setting(flow, spec, path, value)
        for step in spec.steps:
            try:
                after = step.fn(value, step.arg)
            except (TypeError, ValueError) as exc:
                raise MappingInputError(flow.name, path, f"{step.name}: {exc}") from None
            # Multi-source fields compute a value; only edits of one value are changes.
            if not isinstance(value, tuple) and not _same(value, after):
                changes.append(MappingChange(path, value, after, step.name))
            value = after
        if value is None or value == "":
            return None
        if spec.ref is not None:
            if not isinstance(value, str):
                raise MappingInputError(
                    flow.name, path, f"reference id must be text, got {value!r}"
                )
            refs.append(Reference(spec.ref, value, path))
            return {"ref": spec.ref, "sf_id": value}
        return self._typed(flow, spec, path, value, changes)

    def _setting(self, flow: FlowMap, spec: FieldSpec, path: str, flag: object) -> object:
        """A company setting as the field's value: a reference by FullName for a *Ref."""
        try:
            given = None if flag is None or flag == "" else as_bool(flag, None)
        except ValueError as exc:
            raise MappingInputError(flow.name, path, str(exc)) from None
        value = self.policy.setting(str(spec.setting), given)
        if not value:
            return None
        return {"FullName": value} if spec.target.endswith("Ref") else value

    def _typed(
        self, flow: FlowMap, spec: FieldSpec, path: str, value: object, changes: list[MappingChange]
    ) -> object:
        try:
            if spec.value_type in _PLACES:
                places, at_most, rule = _PLACES[spec.value_type]
                number = to_decimal(value)
                assert number is not None
                sent = quantize(number, places, at_most)
                if sent != number:
                    changes.append(MappingChange(path, value, sent, rule))
                return sent
            if spec.value_type == "date":
                return to_date(value)
            if spec.value_type == "bool":
                return as_bool(value, None)
        except ValueError as exc:
            raise MappingInputError(flow.name, path, str(exc)) from None
        if spec.value_type == "text":
            text = value if isinstance(value, str) else str(value)
            if spec.max_length is not None:
                text, change = truncate(path, text, spec.max_length)
                if change is not None:
                    changes.append(change)
            return text or None
        return value
