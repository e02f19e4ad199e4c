"""Deciding whether an existing QuickBooks record is the same party as a Salesforce record."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sfqb.domain.entities import QbKind
from sfqb.domain.policy import MatchRule
from sfqb.mapping import fold_name


def _digits(value: object) -> str:
    digits = "".join(ch for ch in str(value or "") if ch.isdigit())
    return digits[-10:]  # compare national numbers: ignore a country prefix


def _email(value: object) -> str:
    return str(value or "").strip().casefold()


def _address(fields: Mapping[str, Any]) -> tuple[str, str]:
    address = fields.get("BillAddress") or {}
    if not isinstance(address, Mapping):
        return ("", "")
    return (fold_name(address.get("Addr1")), fold_name(address.get("PostalCode")))


def matches(
    rule: MatchRule, ours: Mapping[str, Any], theirs: Mapping[str, Any], name_field: str
) -> bool:
    """Does QuickBooks' record `theirs` satisfy `rule` against our mapped values `ours`?

    `name_field` is the field both keep the name in (the flow's name rule field).
    """
    if rule is MatchRule.NEVER:
        return False
    name = fold_name(ours.get(name_field))
    if not name or name != fold_name(theirs.get(name_field)):
        return False
    if rule is MatchRule.NAME:
        return True
    phone = bool(_digits(ours.get("Phone"))) and _digits(ours.get("Phone")) == _digits(
        theirs.get("Phone")
    )
    if rule is MatchRule.NAME_AND_PHONE:
        return phone
    if rule is MatchRule.NAME_AND_EMAIL_OR_PHONE:
        email = bool(_email(ours.get("Email"))) and _email(ours.get("Email")) == _email(
            theirs.get("Email")
        )
        return phone or email
    ours_address, theirs_address = _address(ours), _address(theirs)
    return bool(ours_address[0]) and ours_address == theirs_address


def rule_for(rule: MatchRule, kind: QbKind | None) -> MatchRule:
    """The rule for a binding kind: an item has no phone, e-mail or address, so its
    (normalised) name identifies it; customers use the company's rule."""
    if rule is MatchRule.NEVER or kind is QbKind.CUSTOMER:
        return rule
    return MatchRule.NAME
