"""Salesforce Ids people paste: 15 characters (case-sensitive) become 18; the rest are refused.

Salesforce, "What is a Salesforce ID?" / the 18-character case-insensitive Id (help article):
three suffix characters encode the capitals of each five-character block of the 15.
"""

from __future__ import annotations

import pytest

from sfqb.domain.entities import SfObject
from sfqb.domain.sfid import IdError, normalize, sobject_of, to15


def test_a_15_character_id_becomes_its_18_character_form() -> None:
    # blocks 001A0 (capital at 3: I), 00001 (none: A), Xyz9q (capital at 0: B)
    assert normalize("001A000001Xyz9q") == "001A000001Xyz9qIAB"
    long = normalize("001A000001Xyz9q")
    assert len(long) == 18 and to15(long) == "001A000001Xyz9q"


def test_15_character_ids_are_case_sensitive() -> None:
    assert normalize("001a000001xyz9q") != normalize("001A000001Xyz9q")


def test_an_18_character_id_in_any_case_is_the_same_record() -> None:
    long = normalize("0018d000000G800")
    assert normalize(long.lower()) == long


@pytest.mark.parametrize(
    "bad", ["", "80000002", "001A000001Xyz9", "001A000001Xyz9q!", "0011000000000A0999"]
)
def test_malformed_ids_are_refused(bad: str) -> None:
    with pytest.raises(IdError):
        normalize(bad)


def test_the_key_prefix_names_the_object() -> None:
    assert sobject_of(normalize("001A000001Xyz9q")) is SfObject.ACCOUNT
    assert sobject_of(normalize("01tA000001Xyz9q")) is SfObject.PRODUCT2
    assert sobject_of(normalize("006A000001Xyz9q")) is SfObject.OPPORTUNITY
    assert sobject_of(normalize("003A000001Xyz9q")) is None
