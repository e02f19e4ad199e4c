"""What every repository of the store shares: the session factory, the clock, JSON payloads."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session

from sfqb.sync.records import Direction

__all__ = [
    "Clock",
    "Direction",
    "Sessions",
    "StoreError",
    "require_aware",
    "to_jsonable",
    "utc_now",
]


class Sessions(Protocol):
    """Where a repository gets its sessions: a `sessionmaker`, or one open transaction that
    every call joins (`sfqb.store.work`)."""

    def __call__(self) -> AbstractContextManager[Session]: ...

    def begin(self) -> AbstractContextManager[Session]: ...


Clock = Callable[[], datetime]


class StoreError(ValueError):
    """A store operation that cannot be done as asked; the text says why."""


T = TypeVar("T")
CHUNK = 500  # values per IN (...)


def chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    """`values` in runs of at most CHUNK (the values of one IN (...))."""
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def utc_now() -> datetime:
    """The current time, aware UTC."""
    return datetime.now(UTC)


def require_aware(value: datetime, what: str) -> datetime:
    """`value` in UTC; a naive datetime is refused with a StoreError."""
    if value.tzinfo is None:
        raise StoreError(f"{what} must be an aware datetime (UTC), got naive {value.isoformat()}")
    return value.astimezone(UTC)


# Exact types that are JSON already, and the containers most payloads are made of: tested
# first by type (an isinstance chain per value was a tenth of reading a Salesforce page).
_PLAIN = frozenset({type(None), bool, int, float, str})


def to_jsonable(value: Any) -> Any:
    """A plain JSON value: datetimes as ISO strings, Decimals as strings, enums as values.

    Mappings become dicts with string keys, sequences become lists; anything else not
    representable in JSON is a StoreError.
    """
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict:
        return {k if type(k) is str else str(k): to_jsonable(v) for k, v in value.items()}
    if kind is list:
        return [to_jsonable(v) for v in value]
    return _jsonable(value)


def _jsonable(value: Any) -> Any:
    """`to_jsonable` of any other value (subclasses, enums, dates, dataclasses...)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, Enum):
        return to_jsonable(value.value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_jsonable({f.name: getattr(value, f.name) for f in dataclasses.fields(value)})
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return [to_jsonable(v) for v in items]
    raise StoreError(f"cannot store a {type(value).__name__} in a JSON payload")
