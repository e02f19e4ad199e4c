"""Value transforms a field map names; TRANSFORMS is the whole registry, name -> function.

Every transform is called as fn(value, arg): `arg` is the YAML argument (None when the map
names the transform without one). A transform checks its argument first and raises
TypeError/ValueError on a bad one (the loader calls fn(None, arg) to validate a map), and then
passes None through unchanged. Multi-source fields hand a tuple of values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from types import MappingProxyType

Transform = Callable[[object, object], object]

_NO_ARG = "takes no argument"


def _no_arg(name: str, arg: object) -> None:
    if arg is not None:
        raise TypeError(f"{name} {_NO_ARG}")


def _int_arg(name: str, arg: object) -> int:
    if not isinstance(arg, int) or isinstance(arg, bool) or arg < 0:
        raise TypeError(f"{name} needs a non-negative integer argument")
    return arg


def _str_arg(name: str, arg: object, default: str) -> str:
    if arg is None:
        return default
    if not isinstance(arg, str):
        raise TypeError(f"{name} needs a text argument")
    return arg


def to_decimal(value: object) -> Decimal | None:
    """A Decimal from a number or numeric text (floats via their shortest text)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | float | str):
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"not a number: {value!r}") from None
    else:
        raise ValueError(f"not a number: {value!r}")
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def to_date(value: object) -> date | None:
    """A date from a date, datetime or ISO text (a dateTime keeps its date part)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            raise ValueError(f"not a date: {value!r}") from None
    raise ValueError(f"not a date: {value!r}")


def _text(value: object) -> str:
    return value if isinstance(value, str) else str(value)


def trim(value: object, arg: object) -> object:
    """Strip leading and trailing whitespace."""
    _no_arg("trim", arg)
    return None if value is None else _text(value).strip()


def upper(value: object, arg: object) -> object:
    """Upper-case text."""
    _no_arg("upper", arg)
    return None if value is None else _text(value).upper()


def lower(value: object, arg: object) -> object:
    """Lower-case text."""
    _no_arg("lower", arg)
    return None if value is None else _text(value).lower()


def first_n(value: object, arg: object) -> object:
    """The first `arg` characters."""
    n = _int_arg("first_n", arg)
    return None if value is None else _text(value)[:n]


def line(value: object, arg: object) -> object:
    """Line number `arg` (from 0) of multi-line text, stripped; None when there is none."""
    n = _int_arg("line", arg)
    if value is None:
        return None
    lines = [part.strip() for part in _text(value).splitlines() if part.strip()]
    return lines[n] if n < len(lines) else None


def join(value: object, arg: object) -> object:
    """Join the non-empty values of a multi-source field with `arg` (default a space)."""
    sep = _str_arg("join", arg, " ")
    if value is None:
        return None
    parts = value if isinstance(value, tuple) else (value,)
    texts = [_text(p).strip() for p in parts if p is not None and _text(p).strip()]
    return sep.join(texts) if texts else None


def coalesce(value: object, arg: object) -> object:
    """The first non-empty value of a multi-source field."""
    _no_arg("coalesce", arg)
    parts = value if isinstance(value, tuple) else (value,)
    for part in parts:
        if part is not None and part != "":
            return part
    return None


def two_decimals(value: object, arg: object) -> object:
    """A Decimal rounded half-up to two places."""
    _no_arg("two_decimals", arg)
    number = to_decimal(value)
    return None if number is None else number.quantize(Decimal("0.01"), ROUND_HALF_UP)


def absolute(value: object, arg: object) -> object:
    """The absolute value of a number (QuickBooks reports applied amounts as negatives)."""
    _no_arg("abs", arg)
    number = to_decimal(value)
    return None if number is None else abs(number)


def negate(value: object, arg: object) -> object:
    """The number with its sign turned (a discount line's amount is taken off the sale)."""
    _no_arg("negate", arg)
    number = to_decimal(value)
    return None if number is None else -number


def as_date(value: object, arg: object) -> object:
    """A date from ISO text, a date or a datetime."""
    _no_arg("date", arg)
    return to_date(value)


def as_bool(value: object, arg: object) -> object:
    """A bool from a bool or the texts true/false."""
    _no_arg("bool", arg)
    if value is None or isinstance(value, bool):
        return value
    text = _text(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise ValueError(f"not a yes/no value: {value!r}")


_SPACES = re.compile(r"\s+")


def phone(value: object, arg: object) -> object:
    """Trim a phone number and collapse runs of whitespace; None when it has no digit."""
    _no_arg("phone", arg)
    if value is None:
        return None
    text = _SPACES.sub(" ", _text(value)).strip()
    return text if any(ch.isdigit() for ch in text) else None


def latest_date(value: object, arg: object) -> object:
    """The latest date found under key `arg` (default TxnDate) in a list of records."""
    key = _str_arg("latest_date", arg, "TxnDate")
    if value is None:
        return None
    records = value if isinstance(value, Sequence) and not isinstance(value, str) else (value,)
    dates = [to_date(record.get(key)) for record in records if isinstance(record, Mapping)]
    known = [d for d in dates if d is not None]
    return max(known) if known else None


def _numbers(name: str, value: object) -> list[Decimal | None]:
    parts = value if isinstance(value, tuple) else (value,)
    try:
        return [to_decimal(p) for p in parts]
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


def multiply(value: object, arg: object) -> object:
    """The product of a multi-source field's numbers (a line's Qty x UnitPrice); None if any
    is missing."""
    _no_arg("multiply", arg)
    if value is None:
        return None
    numbers = _numbers("multiply", value)
    if any(n is None for n in numbers):
        return None
    product = Decimal(1)
    for n in numbers:
        assert n is not None
        product *= n
    return product


def subtract(value: object, arg: object) -> object:
    """The first number of a multi-source field less the others (a total less its balance)."""
    _no_arg("subtract", arg)
    if value is None:
        return None
    first, *rest = _numbers("subtract", value)
    if first is None:
        return None
    return first - sum((n for n in rest if n is not None), Decimal(0))


def payment_status(value: object, arg: object) -> object:
    """Unpaid / Partially Paid / Paid from a (balance remaining, amount paid) pair.

    With the argument `total` the pair is (balance remaining, total amount), as QuickBooks
    Online reports an invoice.
    """
    if arg not in (None, "total"):
        raise TypeError("payment_status takes no argument or `total`")
    if value is None:
        return None
    if not isinstance(value, tuple) or len(value) != 2:
        raise ValueError("payment_status needs two sources: balance and amount paid (or total)")
    balance, paid = (to_decimal(v) for v in value)
    if balance is None:
        return None
    if arg == "total" and paid is not None:
        paid -= balance
    if balance <= 0:
        return "Paid"
    if paid is not None and abs(paid) > 0:
        return "Partially Paid"
    return "Unpaid"


def credit_status(value: object, arg: object) -> object:
    """Open / Partially Applied / Applied from a credit memo's (credit remaining, total) pair."""
    _no_arg("credit_status", arg)
    if value is None:
        return None
    if not isinstance(value, tuple) or len(value) != 2:
        raise ValueError("credit_status needs two sources: credit remaining and total")
    remaining, total = (to_decimal(v) for v in value)
    if remaining is None or total is None:
        return None
    if remaining <= 0:
        return "Applied"
    return "Open" if remaining >= total else "Partially Applied"


def choose(value: object, arg: object) -> object:
    """The value `arg` maps the text to ({"Inventory": "Inventory", "*": "Service"}: "*" for
    any other text); a text `arg` does not name, without "*", is kept."""
    if not isinstance(arg, Mapping) or not arg:
        raise TypeError("choose needs a mapping of values to what they become")
    if any(not isinstance(k, str) or isinstance(v, Mapping | list) for k, v in arg.items()):
        raise TypeError("choose maps texts to single values")
    if value is None:
        return None
    text = _text(value)
    return arg[text] if text in arg else arg.get("*", value)


def default_value(value: object, arg: object) -> object:
    """`arg` when the value is missing or empty text."""
    return arg if value is None or value == "" else value


TRANSFORMS: Mapping[str, Transform] = MappingProxyType(
    {
        "trim": trim,
        "upper": upper,
        "lower": lower,
        "first_n": first_n,
        "line": line,
        "join": join,
        "coalesce": coalesce,
        "two_decimals": two_decimals,
        "abs": absolute,
        "negate": negate,
        "date": as_date,
        "bool": as_bool,
        "phone": phone,
        "latest_date": latest_date,
        "payment_status": payment_status,
        "credit_status": credit_status,
        "multiply": multiply,
        "subtract": subtract,
        "default": default_value,
        "choose": choose,
    }
)
