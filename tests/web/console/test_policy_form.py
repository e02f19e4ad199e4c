"""The policy form's fields (data/policy_form.yaml): each names a setting the checks know, and
the values a policy shows come back as the same policy."""

from __future__ import annotations

from dataclasses import replace

from sfqb.domain.policy import (
    AccountSettings,
    AlertSettings,
    CompanyPolicy,
    MatchRule,
    OnConflict,
    OnDeleted,
    OnInactive,
)
from sfqb.services.policy import setting_names, validate_policy
from sfqb.web.console.policy_form import FIELDS, to_mapping, values_of

POLICY = replace(
    CompanyPolicy(),
    match_rule=MatchRule.NAME_AND_ADDRESS,
    on_deleted=OnDeleted.RECREATE,
    on_conflict=OnConflict.NEWEST_WINS,
    on_inactive=OnInactive.REACTIVATE,
    accounts=AccountSettings("Income:Services"),
    binding_definition_id="5",
    cdc_sweep_at="23:05",
    alerts=AlertSettings(email_to=("a@x.example", "b@x.example"), webhook_url="https://h.example/"),
)


def test_the_shown_values_come_back_as_the_same_policy() -> None:
    assert validate_policy(to_mapping(values_of(POLICY))) == POLICY


def test_every_field_is_a_setting_with_a_label() -> None:
    names = setting_names(to_mapping(values_of(POLICY)))
    for field in FIELDS:
        assert field.name in names and field.label and field.help
    assert FIELDS[0].choices == tuple(m.value for m in MatchRule)
    assert len({f.control_id for f in FIELDS}) == len(FIELDS)
