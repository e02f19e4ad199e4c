"""A simple field condition that picks records for a flow: `Type = 'Vendor'`, as data.

Only three operators: `=`, `!=` and `IN`. Values are compared as text, case-insensitively, as
SOQL compares picklist and text values; a record without the field matches only `!=`
(SOQL's `Type != 'Vendor'` also returns records whose Type is null).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class SelectionError(ValueError):
    """A condition that cannot be used; the message is one line naming what is wrong."""


class Operator(StrEnum):
    """The comparisons a field condition may make."""

    EQ = "="
    NE = "!="
    IN = "IN"


@dataclass(frozen=True, slots=True)
class FieldCondition:
    """`field op value(s)`, e.g. FieldCondition("Type", Operator.EQ, ("Vendor",))."""

    field: str
    op: Operator
    values: tuple[str, ...]

    def matches(self, record: Mapping[str, Any]) -> bool:
        """True when the record's field meets the condition."""
        raw = record.get(self.field)
        value = None if raw is None or raw == "" else str(raw).casefold()
        wanted = {v.casefold() for v in self.values}
        if self.op is Operator.NE:
            return value not in wanted
        return value is not None and value in wanted

    def __str__(self) -> str:
        quoted = ", ".join("'" + v.replace("'", "\\'") + "'" for v in self.values)
        return (
            f"{self.field} IN ({quoted})"
            if self.op is Operator.IN
            else f"{self.field} {self.op} {quoted}"
        )

    @classmethod
    def parse(cls, doc: Any, fields: tuple[str, ...] | None = None) -> FieldCondition:
        """A condition from `{field: Type, op: "=", value: Vendor}` (`value` a list for IN).

        `fields` lists the field names the record has, when known (case as Salesforce spells
        them, compared case-insensitively); SelectionError says what is wrong.
        """
        if not isinstance(doc, Mapping):
            raise SelectionError("must be a mapping with field, op and value")
        unknown = sorted(str(k) for k in set(doc) - {"field", "op", "value"})
        if unknown:
            raise SelectionError(f"unknown key {unknown[0]!r} (known: field, op, value)")
        field = doc.get("field")
        if (
            not isinstance(field, str)
            or not field.replace("_", "").isalnum()
            or not field[:1].isalpha()
        ):
            raise SelectionError(f"field must be a field's API name, not {field!r}")
        if fields is not None:
            known = {f.casefold(): f for f in fields}
            if field.casefold() not in known:
                raise SelectionError(
                    f"field {field!r} is not one sfqb reads (known: {', '.join(fields)})"
                )
            field = known[field.casefold()]
        try:
            op = Operator(str(doc.get("op", "=")).strip().upper())
        except ValueError:
            raise SelectionError(f"op must be =, != or IN, not {doc.get('op')!r}") from None
        value = doc.get("value")
        given = value if isinstance(value, list) else [value]
        if op is not Operator.IN and isinstance(value, list):
            raise SelectionError(f"op {op} takes one value; use IN for a list")
        if not given or not all(
            isinstance(v, str | int) and not isinstance(v, bool) for v in given
        ):
            raise SelectionError(f"value must be text (a list of texts for IN), not {value!r}")
        values = tuple(str(v) for v in given)
        if any(not v.strip() for v in values):
            raise SelectionError("value must not be empty")
        return cls(field, op, values)
