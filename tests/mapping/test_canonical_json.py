"""The canonical JSON behind mapping fingerprints: its text is stored in every binding's
fingerprint, so it must not change between versions (a changed text re-syncs every record)."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from sfqb.mapping import canonical_json
from sfqb.mapping.result import fingerprint, freeze


def test_the_text_is_sorted_compact_and_tags_decimals_and_dates() -> None:
    value = freeze(
        {"Name": "Café", "Lines": [{"Amount": Decimal("1.50"), "On": date(2026, 1, 2)}],
         "At": datetime(2026, 1, 2, 3, 4, tzinfo=UTC), "Qty": 3, "Rate": 1.5, "Off": None,
         "Taxable": True}
    )  # fmt: skip
    assert canonical_json(value) == (
        '{"At":{"$date":"2026-01-02T03:04:00+00:00"},"Lines":[{"Amount":{"$decimal":"1.50"},'
        '"On":{"$date":"2026-01-02"}}],"Name":"Caf\\u00e9","Off":null,"Qty":3,"Rate":1.5,'
        '"Taxable":true}'
    )
    text = '{"fields":{"Name":"Acme"},"kind":"Customer"}'
    expected = hashlib.sha256(text.encode()).hexdigest()
    assert fingerprint("Customer", freeze({"Name": "Acme"})) == expected


def test_a_value_json_cannot_hold_is_refused() -> None:
    with pytest.raises(TypeError, match="set is not JSON serializable"):
        canonical_json({"Tags": {"a"}})
