"""What the store keeps of a value in a JSON column: `to_jsonable`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfqb.store.common import StoreError, to_jsonable


class Colour(Enum):
    RED = "red"


@dataclass
class Point:
    x: int
    y: Decimal


def test_every_kind_of_value_becomes_plain_json() -> None:
    value = {
        1: [Decimal("1.50"), date(2026, 1, 2), datetime(2026, 1, 2, 3, 4, tzinfo=UTC)],
        "t": (True, None, 2.5, Colour.RED),
        "m": MappingProxyType({"p": Point(1, Decimal(2))}),
        "s": frozenset({"b", "a"}),
        "raw": b"\x00",
    }
    assert to_jsonable(value) == {
        "1": ["1.50", "2026-01-02", "2026-01-02T03:04:00+00:00"],
        "t": [True, None, 2.5, "red"],
        "m": {"p": {"x": 1, "y": "2"}},
        "s": ["a", "b"],
        "raw": "AA==",
    }
    with pytest.raises(StoreError, match="cannot store a object"):
        to_jsonable({"x": [object()]})


_leaves = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=4), st.decimals(allow_nan=False)
)
_values = st.recursive(
    _leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner, inner),
        st.dictionaries(st.one_of(st.text(max_size=3), st.integers()), inner, max_size=3),
    ),
    max_leaves=15,
)


@settings(deadline=None)  # no timing asserted: the machines are shared and noisy
@given(_values)
def test_a_plain_value_reads_back_as_stored(value: Any) -> None:
    plain = to_jsonable(value)
    assert json.loads(json.dumps(plain)) == plain
    assert to_jsonable(plain) == plain
