"""The references a mapped record's values hold, found in any shape of nested values."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sfqb.domain.entities import SfObject, SfRef
from sfqb.mapping.result import freeze
from sfqb.sync.fields import is_reference, references

_placeholders = st.builds(
    lambda obj, i: {"ref": obj, "sf_id": f"id{i}"},
    st.sampled_from(["Account", "Product2", "Opportunity"]),
    st.integers(0, 5),
)
_scalars = st.one_of(st.none(), st.text(max_size=3), st.integers(), st.decimals(places=2))
_values = st.recursive(
    st.one_of(_scalars, _placeholders),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        # no "sf_id" key: a generated mapping is never a placeholder (those are made above)
        st.dictionaries(st.sampled_from(["a", "b", "ref", "Lines"]), inner, max_size=3),
    ),
    max_leaves=12,
)


def _every_reference(value: object, found: list[SfRef]) -> None:
    """The plain walk: each placeholder in order, none twice."""
    if is_reference(value):
        assert isinstance(value, Mapping)
        ref = SfRef(SfObject(value["ref"]), value["sf_id"])
        if ref not in found:
            found.append(ref)
    elif isinstance(value, Mapping):
        for item in value.values():
            _every_reference(item, found)
    elif isinstance(value, list | tuple):
        for item in value:
            _every_reference(item, found)


@settings(deadline=None)  # no timing asserted: the machines are shared and noisy
@given(st.dictionaries(st.sampled_from(["CustomerRef", "Lines", "Memo"]), _values))
def test_references_are_every_placeholder_in_order_once(fields: dict[str, Any]) -> None:
    expected: list[SfRef] = []
    _every_reference(fields, expected)
    assert references(fields) == expected
    assert references(freeze(fields)) == expected  # type: ignore[arg-type]  # read-only


def test_a_placeholder_in_a_mapping_of_another_type_is_found() -> None:
    class Values(Mapping[str, Any]):
        def __init__(self, data: dict[str, Any]) -> None:
            self._data = data

        def __getitem__(self, key: str) -> Any:
            return self._data[key]

        def __iter__(self) -> Any:
            return iter(self._data)

        def __len__(self) -> int:
            return len(self._data)

    line = Values({"ItemRef": Values({"ref": "Product2", "sf_id": "01t1"}), "Rate": Decimal(2)})
    fields = MappingProxyType({"Lines": (line,), "CustomerRef": {"ref": "Account", "sf_id": "1"}})
    assert references(fields) == [
        SfRef(SfObject.PRODUCT2, "01t1"),
        SfRef(SfObject.ACCOUNT, "1"),
    ]
