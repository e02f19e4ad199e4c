"""The review list's side-by-side comparison: marks and the match rule's verdict."""

from __future__ import annotations

from sfqb.domain.policy import MatchRule
from sfqb.jobs.comparison import compare_candidates

SF = {"Name": "Acme Tools", "Phone": "+1 (512) 555-0101", "Email": "AP@acme.example"}


def candidate(**fields: object) -> dict[str, object]:
    return {"qb_id": "80000001-1700000000", "type": "Customer", "name": "ACME  tools", **fields}


def test_fields_are_marked_as_the_match_rule_compares_them() -> None:
    (view,) = compare_candidates(
        SF, [candidate(phone="512-555-0101", email="other@x.example")], None
    )
    marks = {f.field: f.mark for f in view.fields}
    assert marks == {"name": "same", "phone": "same", "email": "differs"}


def test_the_verdict_names_the_rule_part_that_failed() -> None:
    (view,) = compare_candidates(SF, [candidate(phone="(737) 555-0199")], MatchRule.NAME_AND_PHONE)
    assert view.verdict == "the match rule name+phone needs the same phone; phone differs"
    (view,) = compare_candidates(
        {"Name": "Acme Tools"}, [candidate(phone="1")], MatchRule.NAME_AND_EMAIL_OR_PHONE
    )
    assert "phone: Salesforce has none, email: Salesforce has none" in view.verdict
    (view,) = compare_candidates(SF, [candidate(bound_to="001X")], MatchRule.NAME)
    assert view.verdict.startswith("already bound to Salesforce 001X")
    (view,) = compare_candidates(SF, [candidate(name="Acme")], MatchRule.NAME)
    assert "names differ" in view.verdict
