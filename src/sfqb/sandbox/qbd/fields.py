"""Reading field values out of request aggregates and writing them into Ret aggregates."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from lxml import etree

from sfqb.sandbox.qbd.records import ID_PATTERN, Value
from sfqb.sandbox.qbd.schema import FieldSpec, Schema

_NUMBER = re.compile(r"[+-]?[0-9]{1,13}(\.[0-9]{1,5})?")
_TRUE = {"true", "1"}
_FALSE = {"false", "0"}
CENT = Decimal("0.01")


def qb_text(value: str) -> str:
    """Text as QuickBooks Desktop stores it: characters outside Windows-1252 become '?'."""
    return value.encode("cp1252", errors="replace").decode("cp1252")


def money(value: Decimal) -> str:
    """An AMTTYPE string (two decimals)."""
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return "0.00" if rounded == 0 else str(rounded)


def to_decimal(value: Value | None) -> Decimal:
    """A stored number as a Decimal (0 when absent)."""
    if not isinstance(value, str) or not value:
        return Decimal(0)
    return Decimal(value)


def element_text(element: etree._Element, name: str) -> str | None:
    """The stripped text of a direct child element, or None when it is absent."""
    child = element.find(name)
    if child is None:
        return None
    return (child.text or "").strip()


def check_id(schema: Schema, value: str, field: str) -> str:
    """A ListID/TxnID in QuickBooks' format, upper-cased; 3000 when malformed."""
    if not ID_PATTERN.fullmatch(value):
        raise schema.status("invalid_id", value=value, field=field)
    return value.upper()


def parse_value(schema: Schema, spec: FieldSpec, element: etree._Element) -> Value:
    """One request element as a stored value; raises QBStatusError on a bad value."""
    if spec.type == "ref":
        ref: dict[str, str] = {}
        list_id = element_text(element, "ListID")
        full_name = element_text(element, "FullName")
        if list_id is not None:
            ref["ListID"] = check_id(schema, list_id, "ListID")
        if full_name is not None:
            ref["FullName"] = qb_text(full_name)
        return ref
    if spec.type == "agg":
        parts: dict[str, Value] = {}
        for child_spec in spec.children:
            child = element.find(child_spec.name)
            if child is not None:
                parts[child_spec.name] = parse_value(schema, child_spec, child)
        return parts
    text = (element.text or "").strip() if spec.type != "text" else (element.text or "")
    return _scalar(schema, spec, text)


def _scalar(schema: Schema, spec: FieldSpec, text: str) -> str:
    if spec.type == "text":
        value = qb_text(text)
        if spec.max is not None and len(value) > spec.max:
            raise schema.status("too_long", value=value, field=spec.name)
        return value
    if spec.type == "bool":
        if text.lower() in _TRUE:
            return "true"
        if text.lower() in _FALSE:
            return "false"
        raise schema.status("invalid_bool", value=text, field=spec.name)
    if spec.type == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise schema.status("invalid_date", value=text, field=spec.name) from None
    if spec.type == "int":
        if not text.lstrip("+-").isdigit():
            raise schema.status("invalid_amount", value=text, field=spec.name)
        return str(int(text))
    if not _NUMBER.fullmatch(text):
        raise schema.status("invalid_amount", value=text, field=spec.name)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise schema.status("invalid_amount", value=text, field=spec.name) from None
    if spec.type in ("amount", "percent"):
        return money(number)
    return format(number.normalize(), "f")


def parse_fields(
    schema: Schema, fields: tuple[FieldSpec, ...], element: etree._Element, *, mod: bool
) -> dict[str, Value]:
    """The values an Add/Mod aggregate sets; elements the sandbox does not keep are ignored."""
    values: dict[str, Value] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        spec = next(
            (
                f
                for f in fields
                if not f.computed and (child.tag == f.name or (mod and child.tag == f.mod_name))
            ),
            None,
        )
        if spec is not None:
            values[spec.name] = parse_value(schema, spec, child)
    return values


def merge(
    fields: tuple[FieldSpec, ...], current: dict[str, Value], changes: dict[str, Value]
) -> None:
    """Apply a Mod's values: scalars and refs replace, aggregates merge child by child."""
    for name, value in changes.items():
        spec = next(f for f in fields if f.name == name)
        old = current.get(name)
        if spec.type == "agg" and isinstance(old, dict) and isinstance(value, dict):
            current[name] = {**old, **value}
        else:
            current[name] = value


RefNamer = Callable[[str], str | None]


def render_fields(
    parent: etree._Element,
    fields: tuple[FieldSpec, ...],
    values: dict[str, Value],
    ref_name: RefNamer,
) -> None:
    """Append the present values as child elements, in the fields' (schema) order."""
    for spec in fields:
        value = values.get(spec.name)
        if value is None:
            continue
        element = etree.SubElement(parent, spec.name)
        if spec.type == "ref" and isinstance(value, dict):
            list_id = value.get("ListID")
            full_name = ref_name(list_id) if isinstance(list_id, str) else None
            if isinstance(list_id, str):
                etree.SubElement(element, "ListID").text = list_id
            name = full_name if full_name is not None else value.get("FullName")
            if isinstance(name, str):
                etree.SubElement(element, "FullName").text = name
        elif spec.type == "agg" and isinstance(value, dict):
            render_fields(element, spec.children, value, ref_name)
        else:
            element.text = str(value)
