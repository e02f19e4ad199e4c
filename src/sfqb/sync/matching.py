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
    """Where a target's records keep what a match rule compares: `/`-separated paths, read
    from a flat mapped key ("BillAddress/Addr1") or from nested JSON alike. The defaults are
    QuickBooks Desktop's names; a target profile gives its own."""

    phone: str = "Phone"
    email: str = "Email"
    street: str = "BillAddress/Addr1"
    postal_code: str = "BillAddress/PostalCode"


DESKTOP_MATCH_FIELDS = MatchFields()


def field_value(fields: Mapping[str, Any], path: str) -> Any:
    """The value at `path` in `fields`: a flat key of that name first, else nested parts."""
    if path in fields:
        return fields[path]
    value: Any = fields
    for part in path.split("/"):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _digits(value: object) -> str:
    digits = "".join(ch for ch in str(value or "") if ch.isdigit())
    return digits[-10:]  # compare national numbers: ignore a country prefix


def _email(value: object) -> str:
    return str(value or "").strip().casefold()


def _address(fields: Mapping[str, Any], where: MatchFields) -> tuple[str, str]:
    street, postal = field_value(fields, where.street), field_value(fields, where.postal_code)
    return (fold_name(street), fold_name(postal))


def matches(
    rule: MatchRule,
    ours: Mapping[str, Any],
    theirs: Mapping[str, Any],
    name_field: str,
    where: MatchFields = DESKTOP_MATCH_FIELDS,
) -> bool:
    """Does QuickBooks' record `theirs` satisfy `rule` against our mapped values `ours`?

    `name_field` is the field both keep the name in (the flow's name rule field); `where`
    says where the target keeps phone, e-mail and address.
    """
    if rule is MatchRule.NEVER:
        return False
    name = fold_name(ours.get(name_field))
    if not name or name != fold_name(theirs.get(name_field)):
        return False
    if rule is MatchRule.NAME:
        return True
    ours_phone = _digits(field_value(ours, where.phone))
    phone = bool(ours_phone) and ours_phone == _digits(field_value(theirs, where.phone))
    if rule is MatchRule.NAME_AND_PHONE:
        return phone
    if rule is MatchRule.NAME_AND_EMAIL_OR_PHONE:
        ours_email = _email(field_value(ours, where.email))
        email = bool(ours_email) and ours_email == _email(field_value(theirs, where.email))
        return phone or email
    ours_address, theirs_address = _address(ours, where), _address(theirs, where)
    return bool(ours_address[0]) and ours_address == theirs_address


def rule_for(rule: MatchRule, kind: QbKind | None) -> MatchRule:
    """The rule for a binding kind: an item has no phone, e-mail or address, so its
    (normalised) name identifies it; customers use the company's rule."""
    if rule is MatchRule.NEVER or kind is QbKind.CUSTOMER:
        return rule
    return MatchRule.NAME
