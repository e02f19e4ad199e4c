"""The primary-contact rule: parsing the company setting and choosing among an account's
contacts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sfqb.domain.contacts import (
    PrimaryBy,
    PrimaryContactRule,
    PrimaryRuleError,
    contact_values,
    primary_contact,
)


def _at(minute: int) -> datetime:
    return datetime(2026, 1, 15, 9, minute, tzinfo=UTC)


ANN = {"Id": "003A", "FirstName": "Ann", "LastName": "Lee", "SystemModstamp": _at(1)}
BOB = {"Id": "003B", "FirstName": "Bob", "LastName": "Ray", "SystemModstamp": _at(5),
       "Primary__c": False}  # fmt: skip
CY = {"Id": "003C", "FirstName": "Cy", "LastName": "Oak", "SystemModstamp": _at(3),
      "Primary__c": True}  # fmt: skip
ROLES = [
    {"Id": "02ZA", "ContactId": "003A", "Role": "Buyer", "IsPrimary": True,
     "SystemModstamp": _at(2)},
    {"Id": "02ZC", "ContactId": "003C", "Role": "Billing", "IsPrimary": False,
     "SystemModstamp": _at(4)},
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "by", "value"),
    [
        ("role", PrimaryBy.ROLE, ""),
        ("role:Billing Contact", PrimaryBy.ROLE, "Billing Contact"),
        (" checkbox:Primary__c ", PrimaryBy.CHECKBOX, "Primary__c"),
        ("LATEST", PrimaryBy.LATEST, ""),
    ],
)
def test_the_rule_is_read_from_the_setting(text: str, by: PrimaryBy, value: str) -> None:
    rule = PrimaryContactRule.parse(text)
    assert (rule.by, rule.value) == (by, value)
    assert PrimaryContactRule.parse(str(rule)) == rule


@pytest.mark.parametrize(
    "text", ["newest", "checkbox:", "checkbox:Primary c", "latest:x", "role:" + "r" * 41]
)
def test_a_bad_rule_is_one_line_naming_the_choices(text: str) -> None:
    with pytest.raises(PrimaryRuleError) as error:
        PrimaryContactRule.parse(text)
    assert "\n" not in str(error.value)


def test_the_default_is_the_primary_role_else_the_newest_contact() -> None:
    rule = PrimaryContactRule()
    assert primary_contact(rule, [ANN, BOB, CY], ROLES) is ANN
    assert primary_contact(rule, [ANN, BOB, CY], ROLES[1:]) is BOB  # no primary role: newest
    assert primary_contact(rule, [], ROLES) is None


def test_a_named_role_a_checkbox_or_the_newest() -> None:
    assert primary_contact(PrimaryContactRule.parse("role:Billing"), [ANN, BOB, CY], ROLES) is CY
    assert primary_contact(PrimaryContactRule.parse("checkbox:Primary__c"), [ANN, BOB, CY]) is CY
    assert primary_contact(PrimaryContactRule.parse("latest"), [ANN, BOB, CY], ROLES) is BOB


def test_a_role_of_a_contact_gone_from_the_account_is_ignored() -> None:
    assert primary_contact(PrimaryContactRule(), [BOB, CY], ROLES) is BOB


def test_the_payload_carries_only_the_contact_fields() -> None:
    assert contact_values(ANN) == {
        "FirstName": "Ann", "LastName": "Lee", "Email": None, "Phone": None,
    }  # fmt: skip
    assert contact_values(None) is None
