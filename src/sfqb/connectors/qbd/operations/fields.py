"""qbXML-shaped field dicts -> the codec's request dataclasses.

There is no hand-written table: the codec's own dataclass metadata (each field's qbXML element
name and value kind) and type hints say where a key goes and what it must become. A key is an
element name (`CompanyName`, `BillAddress`, `SalesOrPurchase`); a Mod's `...Mod` aggregates
also answer to their Add name, and `Lines` is the transaction's line list. Values are
converted by the target's type: nested dicts for aggregates and references, Decimal (or text
or int) for amounts, `date` or ISO text for dates, bool (or "true"/"false") for flags.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import cache
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from sfqb.connectors.qbd.operations.errors import AMOUNT, BOOLEAN, DATE, OpRefused
from sfqb.connectors.qbd.qbxml import NEW_LINE_ID, LineMod, QbxmlFieldError, format_decimal
from sfqb.connectors.qbd.qbxml.model import Kind

T = TypeVar("T")
LINES = "Lines"
_MOD_SUFFIX = "Mod"
_NUMERIC = frozenset({Kind.AMOUNT, Kind.PRICE, Kind.QUANTITY})


@dataclass(frozen=True, slots=True)
class _Slot:
    attr: str
    hint: Any
    kind: Kind


# The codec's classes are fixed: their type hints (slow to resolve) are read once per class.
_SLOTS: dict[type[Any], dict[str, _Slot]] = {}
_REQUIRED: dict[type[Any], dict[str, str]] = {}


def _slots(cls: type[Any]) -> dict[str, _Slot]:
    """The keys a field dict may use for `cls`, each with its attribute, type and kind."""
    known = _SLOTS.get(cls)
    if known is not None:
        return known
    hints = get_type_hints(cls)
    slots: dict[str, _Slot] = {}
    for f in dataclasses.fields(cls):
        element = f.metadata.get("qb")
        if element is None:
            continue
        slot = _Slot(f.name, hints[f.name], f.metadata.get("kind", Kind.TEXT))
        slots[element] = slot
        if element.endswith(_MOD_SUFFIX):
            slots.setdefault(element.removesuffix(_MOD_SUFFIX), slot)
        if f.name == "lines":
            slots[LINES] = slot
    _SLOTS[cls] = slots
    return slots


def _required(cls: type[Any]) -> dict[str, str]:
    """Attribute -> element name of the fields `cls` cannot be built without."""
    if cls not in _REQUIRED:
        _REQUIRED[cls] = {
            f.name: str(f.metadata.get("qb", f.name))
            for f in dataclasses.fields(cls)
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        }
    return _REQUIRED[cls]


def build(
    cls: type[T], values: Mapping[str, Any], path: str, preset: Mapping[str, Any] | None = None
) -> T:
    """An instance of the codec dataclass `cls` from a qbXML-shaped dict.

    `preset` holds attributes set by the caller (ListID, EditSequence...); they win over the
    dict. None values are skipped (not sent). Raises OpRefused naming the field at fault.
    """
    slots = _slots(cls)
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        if value is None:
            continue
        slot = slots.get(str(key))
        if slot is None:
            raise OpRefused(f"{path}: {key} is not a field sfqb sends in {cls.__name__}")
        kwargs[slot.attr] = _convert(slot.hint, slot.kind, value, f"{path}/{key}")
    kwargs.update(preset or {})
    missing = [element for attr, element in _required(cls).items() if attr not in kwargs]
    if missing:
        raise OpRefused(f"{path}: {cls.__name__} needs {', '.join(missing)}")
    return cls(**kwargs)


def _unwrap_optional(hint: Any) -> Any:
    if get_origin(hint) in (Union, types.UnionType):
        args = [a for a in get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return hint


@cache
def _shape(hint: Any) -> tuple[Any, Any, bool]:
    """What a field's hint asks for, read once per hint: the type (Optional unwrapped), a
    tuple's item hint (else None), and whether the type is a codec dataclass."""
    target = _unwrap_optional(hint)
    if get_origin(target) is tuple:
        return target, get_args(target)[0], False
    return target, None, isinstance(target, type) and dataclasses.is_dataclass(target)


def _convert(hint: Any, kind: Kind, value: Any, path: str) -> Any:
    target, item_type, codec = _shape(hint)
    if item_type is not None:
        if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
            raise OpRefused(f"{path} must be a list, not {type(value).__name__}")
        return tuple(_convert(item_type, kind, v, f"{path}[{i}]") for i, v in enumerate(value))
    if codec:
        if isinstance(value, target):
            return value
        if not isinstance(value, Mapping):
            raise OpRefused(f"{path} must be a dict of {target.__name__} fields")
        # A Mod's lines replace the transaction's lines: every one is sent as a new line.
        preset = {"txn_line_id": NEW_LINE_ID} if target is LineMod else None
        return build(target, value, path, preset)
    if target is Decimal:
        return _decimal(value, kind, path)
    if target is date:
        return _date(value, path)
    if target is bool:
        return _bool(value, path)
    if isinstance(target, type) and issubclass(target, Enum):
        try:
            return target(value)
        except ValueError:
            raise OpRefused(f"{path} {value!r} is not one of {[e.value for e in target]}") from None
    if target is str:
        if not isinstance(value, str):
            raise OpRefused(f"{path} must be text, not {type(value).__name__} {value!r}")
        return value
    if target is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    raise OpRefused(f"{path} cannot take {type(value).__name__} {value!r}")


def _decimal(value: Any, kind: Kind, path: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
        raise OpRefused(f"{path} {value!r} is not a number", AMOUNT)
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise OpRefused(f"{path} {value!r} is not a number", AMOUNT) from None
    if kind in _NUMERIC:
        try:
            format_decimal(number, kind, path)
        except QbxmlFieldError as exc:
            raise OpRefused(str(exc), AMOUNT) from None
    return number


def _date(value: Any, path: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for parse in (date.fromisoformat, lambda t: datetime.fromisoformat(t).date()):
            try:
                return parse(text)
            except ValueError:
                continue
    raise OpRefused(f"{path} {value!r} is not a date (YYYY-MM-DD)", DATE)


def _bool(value: Any, path: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise OpRefused(f"{path} {value!r} is not true or false", BOOLEAN)
