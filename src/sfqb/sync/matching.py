"""Deciding whether an existing QuickBooks record is the same party as a Salesforce record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sfqb.domain.entities import QbKind
from sfqb.domain.policy import MatchRule
from sfqb.mapping import fold_name


@dataclass(frozen=True, slots=True)
class MatchFields:
    """Where a target's customer keeps what a match rule compares, as dotted paths into the
    mapped fields and the read record (both are the target's own field names)."""

    phone: str = "Phone"
    email: str = "Email"
    street: str = "BillAddress.Addr1"
    postal_code: str = "BillAddress.PostalCode"


DESKTOP_MATCH = MatchFields()


def field_at(fields: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path, or None."""
    value: Any = fields
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _digits(value: object) -> str:
    digits = "".join(ch for ch in str(value or "") if ch.isdigit())
    return digits[-10:]  # compare national numbers: ignore a country prefix


def _email(value: object) -> str:
    return str(value or "").strip().casefold()


def _address(fields: Mapping[str, Any], paths: MatchFields) -> tuple[str, str]:
    return (
        fold_name(field_at(fields, paths.street)),
        fold_name(field_at(fields, paths.postal_code)),
    )


def matches(
    rule: MatchRule,
    ours: Mapping[str, Any],
    theirs: Mapping[str, Any],
    name_field: str,
    paths: MatchFields = DESKTOP_MATCH,
) -> bool:
    """Does QuickBooks' record `theirs` satisfy `rule` against our mapped values `ours`?

    `name_field` is the field both keep the name in (the flow's name rule field); `paths` where
    the target keeps the phone, e-mail and address (the target profile's `match_fields`).
    """
    if rule is MatchRule.NEVER:
        return False
    name = fold_name(ours.get(name_field))
    if not name or name != fold_name(theirs.get(name_field)):
        return False
    if rule is MatchRule.NAME:
        return True
    our_phone = _digits(field_at(ours, paths.phone))
    phone = bool(our_phone) and our_phone == _digits(field_at(theirs, paths.phone))
    if rule is MatchRule.NAME_AND_PHONE:
        return phone
    if rule is MatchRule.NAME_AND_EMAIL_OR_PHONE:
        our_email = _email(field_at(ours, paths.email))
        email = bool(our_email) and our_email == _email(field_at(theirs, paths.email))
        return phone or email
    ours_address, theirs_address = _address(ours, paths), _address(theirs, paths)
    return bool(ours_address[0]) and ours_address == theirs_address


def rule_for(rule: MatchRule, kind: QbKind | None) -> MatchRule:
    """The rule for a binding kind: an item has no phone, e-mail or address, so its
    (normalised) name identifies it; customers and vendors use the company's rule."""
    if rule is MatchRule.NEVER or kind in (QbKind.CUSTOMER, QbKind.VENDOR):
        return rule
    return MatchRule.NAME
