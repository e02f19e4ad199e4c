"""A Salesforce record beside each QuickBooks record of the same name, field by field.

A person deciding "same party or not" on the review list sees both sides' values with the
fields that match and differ marked, and why sfqb did not bind the candidate by itself: which
part of the company's match rule failed, or that the candidate serves another record.
Values are compared as the match rule compares them (`sfqb.sync.matching`): names with case,
accents and punctuation ignored, phones by their last ten digits, emails without case.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sfqb.domain.entities import QbKind
from sfqb.domain.policy import MatchRule
from sfqb.mapping import fold_name
from sfqb.sync.matching import rule_for

# (label, Salesforce field, candidate key); Accounts have no email field of their own.
_FIELDS = (("name", "Name", "name"), ("phone", "Phone", "phone"), ("email", "Email", "email"))


def _digits(value: object) -> str:
    return "".join(ch for ch in str(value or "") if ch.isdigit())[-10:]


def _email(value: object) -> str:
    return str(value or "").strip().casefold()


_FOLD = {"name": fold_name, "phone": _digits, "email": _email}


@dataclass(frozen=True, slots=True)
class FieldCompare:
    """One field on both sides; `same` is None when either side has no value."""

    field: str
    salesforce: str | None
    quickbooks: str | None
    same: bool | None

    @property
    def mark(self) -> str:
        """`same`, `differs`, or which side lacks the value ("not in Salesforce"), as a person
        reads it."""
        if self.same is not None:
            return "same" if self.same else "differs"
        if not self.salesforce and not self.quickbooks:
            return "in neither"
        return "not in Salesforce" if not self.salesforce else "not in QuickBooks"

    def to_json(self) -> dict[str, Any]:
        """The field as JSON."""
        return {
            "field": self.field,
            "salesforce": self.salesforce,
            "quickbooks": self.quickbooks,
            "match": self.mark,
        }


@dataclass(frozen=True, slots=True)
class CandidateView:
    """One QuickBooks candidate beside the Salesforce record, with the rule's verdict."""

    qb_id: str
    qb_type: str
    fields: tuple[FieldCompare, ...]
    bound_to: str | None
    verdict: str

    def to_json(self) -> dict[str, Any]:
        """The candidate as JSON."""
        return {
            "qb_id": self.qb_id,
            "type": self.qb_type,
            "bound_to": self.bound_to,
            "fields": [f.to_json() for f in self.fields],
            "verdict": self.verdict,
        }


def _text(value: object) -> str | None:
    return str(value).strip() or None if value not in (None, "") else None


def _compare(label: str, ours: object, theirs: object) -> FieldCompare:
    sf, qb = _text(ours), _text(theirs)
    fold = _FOLD[label]
    same = None if sf is None or qb is None else fold(sf) == fold(qb)
    return FieldCompare(label, sf, qb, same)


def _verdict(
    rule: MatchRule | None, fields: Mapping[str, FieldCompare], bound_to: str | None
) -> str:
    if bound_to:
        return (
            f"already bound to Salesforce {bound_to}: a QuickBooks record serves one "
            "Salesforce record"
        )
    if rule is None:
        return "compare the fields above"
    name, phone, email = fields["name"], fields["phone"], fields["email"]
    if rule is MatchRule.NEVER:
        return "the match rule is never: sfqb binds no record by itself"
    if not name.same:
        return f"the match rule {rule.value} needs the same name, and the names differ"
    if rule is MatchRule.NAME:
        return f"matches the rule {rule.value}"
    if rule is MatchRule.NAME_AND_ADDRESS:
        return (
            f"the match rule {rule.value} needs the same billing street and postal code on "
            "both sides; they are not the same"
        )

    def why(f: FieldCompare) -> str:
        if f.same is None:
            side = "Salesforce" if f.salesforce is None else "QuickBooks"
            return f"{f.field}: {side} has none"
        return f"{f.field} {'matches' if f.same else 'differs'}"

    if rule is MatchRule.NAME_AND_PHONE:
        return f"the match rule {rule.value} needs the same phone; {why(phone)}"
    if phone.same or email.same:
        return f"matches the rule {rule.value}"
    return f"the match rule {rule.value} needs the same phone or email; {why(phone)}, {why(email)}"


def compare_candidates(
    payload: Mapping[str, Any], candidates: Sequence[Any], rule: MatchRule | None
) -> list[CandidateView]:
    """Each candidate beside the Salesforce record `payload`, with the rule's verdict."""
    views: list[CandidateView] = []
    for candidate in candidates:
        if not isinstance(candidate, Mapping) or "qb_id" not in candidate:
            continue
        fields = {
            label: _compare(label, payload.get(sf_key), candidate.get(qb_key))
            for label, sf_key, qb_key in _FIELDS
        }
        qb_type = str(candidate.get("type") or "")
        # An item's subtype (ItemService...) is no kind of its own: rule_for treats it as an item.
        kind = QbKind(qb_type) if qb_type in {k.value for k in QbKind} else None
        applied = rule_for(rule, kind) if rule is not None else None
        bound = _text(candidate.get("bound_to"))
        shown = tuple(
            f for f in fields.values() if f.field == "name" or f.salesforce or f.quickbooks
        )
        views.append(
            CandidateView(
                str(candidate["qb_id"]), qb_type, shown, bound, _verdict(applied, fields, bound)
            )
        )
    return views
