"""Match rules read phone, e-mail and address where the target keeps them (chaos finding: a
QuickBooks Online customer created by a killed run was never recognised by name + phone)."""

from __future__ import annotations

from sfqb.connectors.qbo.profile import QBO_PROFILE
from sfqb.domain.policy import MatchRule
from sfqb.sync.matching import MatchFields, field_at, matches

# Our mapped values and QuickBooks Online's answer: both nested, in the target's own names.
OURS = {
    "DisplayName": "Wonka Labs",
    "PrimaryPhone": {"FreeFormNumber": "+1 555 709 8673"},
    "BillAddr": {"Line1": "106 Market Street", "PostalCode": "97201"},
}
THEIRS = {
    "Id": "32",
    "DisplayName": "Wonka Labs",
    "PrimaryPhone": {"FreeFormNumber": "(555) 709-8673"},
    "PrimaryEmailAddr": {"Address": "Orders@Wonka.test"},
    "BillAddr": {"Line1": "106 Market Street", "PostalCode": "97201"},
}


def test_field_at_reads_nested_values() -> None:
    assert field_at(OURS, "BillAddr.Line1") == "106 Market Street"
    assert field_at(THEIRS, "BillAddr.Line1") == "106 Market Street"
    assert field_at(THEIRS, "BillAddr.Line1.Oops") is None
    assert field_at(THEIRS, "ShipAddr.Line1") is None


def test_online_records_match_by_name_and_phone_with_the_online_profile() -> None:
    where = QBO_PROFILE.match_fields
    for rule in (MatchRule.NAME_AND_PHONE, MatchRule.NAME_AND_EMAIL_OR_PHONE):
        assert matches(rule, OURS, THEIRS, "DisplayName", where)
        # Desktop's field names find no phone in an Online record: the bug the chaos run met.
        assert not matches(rule, OURS, THEIRS, "DisplayName")
    assert matches(MatchRule.NAME_AND_ADDRESS, OURS, THEIRS, "DisplayName", where)
    email = {"DisplayName": "Wonka Labs", "PrimaryEmailAddr": {"Address": "orders@wonka.test"}}
    assert matches(MatchRule.NAME_AND_EMAIL_OR_PHONE, email, THEIRS, "DisplayName", where)
    other = {**OURS, "PrimaryPhone": {"FreeFormNumber": "+1 555 000 0000"}}
    assert not matches(MatchRule.NAME_AND_PHONE, other, THEIRS, "DisplayName", where)


def test_desktop_names_stay_the_default() -> None:
    ours = {"Name": "Acme", "Phone": "555-1234", "BillAddress": {"Addr1": "1 Road"}}
    theirs = {"Name": "Acme", "Phone": "5551234", "BillAddress": {"Addr1": "1 road"}}
    assert MatchFields().phone == "Phone"
    assert matches(MatchRule.NAME_AND_PHONE, ours, theirs, "Name")
    assert matches(MatchRule.NAME_AND_ADDRESS, ours, theirs, "Name")
    moved = {**ours, "BillAddress": {"Addr1": "2 Road"}}
    assert not matches(MatchRule.NAME_AND_ADDRESS, moved, theirs, "Name")
