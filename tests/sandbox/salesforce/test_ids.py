"""Salesforce Ids: 15 -> 18 characters, case repair, and the case-insensitive uniqueness."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sfqb.sandbox.salesforce import IdError, normalize, repair_case, to15, to18
from sfqb.sandbox.salesforce.ids import BASE62, IdMinter

# The first is the example used throughout Salesforce's own help; the others are derived by hand
# from the documented rule (bit i of each suffix character = position i of the chunk is A-Z).
KNOWN = [
    ("001A0000006Vm9r", "001A0000006Vm9rIAC"),
    ("00570000001ZwTi", "00570000001ZwTiAAK"),
    ("000000000000000", "000000000000000AAA"),
    ("ZZZZZZZZZZZZZZZ", "ZZZZZZZZZZZZZZZ555"),
    ("aaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaAAA"),
]

ids15 = st.text(alphabet=BASE62, min_size=15, max_size=15)


@pytest.mark.parametrize(("short", "long"), KNOWN)
def test_known_examples(short: str, long: str) -> None:
    assert to18(short) == long
    assert to15(long) == short
    assert repair_case(long.lower()) == long
    assert repair_case(long.upper()) == long


@given(ids15)
def test_case_insensitive_form_restores_the_original(id15: str) -> None:
    long = to18(id15)
    assert long[:15] == id15
    assert repair_case(long.lower())[:15] == id15
    assert normalize(long.swapcase()) == long


@given(ids15, ids15)
def test_long_ids_are_unique_ignoring_case(a: str, b: str) -> None:
    if a != b:
        assert to18(a).lower() != to18(b).lower()


@pytest.mark.parametrize("bad", ["", "001", "001A0000006Vm9r!", "001A0000006Vm9rIA9", "x" * 16])
def test_malformed_ids_are_refused(bad: str) -> None:
    with pytest.raises(IdError):
        normalize(bad)


def test_minted_ids_carry_the_key_prefix_and_a_valid_checksum() -> None:
    minter = IdMinter()
    ids = [minter.mint("001") for _ in range(50)]
    assert len(set(ids)) == 50
    assert all(i.startswith("001") and len(i) == 18 and to18(i[:15]) == i for i in ids)
    assert any(c.islower() for i in ids for c in i[:15])
