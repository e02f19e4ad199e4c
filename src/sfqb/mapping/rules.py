"""QuickBooks' rules applied before sending: names, text lengths and decimal places."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from sfqb.mapping.result import MappingChange

AMOUNT_PLACES = 2
PRICE_PLACES = 5


@dataclass(frozen=True)
class NameRule:
    """How a list record's name is made acceptable to QuickBooks.

    `unique_format` is appended to make a name unique; it must contain "{n}" (2, 3, ...).
    `second_suffix` marks a party's second record in QuickBooks' shared name space (its
    vendor, when it is a customer too: " (V)"), the name cut so the suffix fits the limit.
    """

    field: str = "Name"
    limit: int = 41
    colon_replacement: str = "-"
    unique: bool = True
    unique_format: str = " ({n})"
    empty_name: str = "Unnamed"
    refused: str = ""  # characters the target refuses in a name, each sent as a space
    second_suffix: str = ""


_PUNCTUATION = re.compile(r"[^\w]+", re.UNICODE)


def fold_name(name: object) -> str:
    """A name as sfqb compares names: case, accents, spacing and punctuation ignored.

    QuickBooks compares names without regard to case; sfqb also ignores accents and
    punctuation because QuickBooks Desktop may store them transliterated ("—" as "-").
    """
    return _fold(name if isinstance(name, str) else str(name or ""))


# Every name a cycle has seen is compared with each new one (`_unique`), so the same names are
# folded again and again: remembered, that costs a look-up instead of a normalization.
@lru_cache(maxsize=65_536)
def _fold(name: str) -> str:
    text = unicodedata.normalize("NFKD", str(name or "")).encode("ascii", "ignore").decode()
    return " ".join(_PUNCTUATION.sub(" ", text.casefold()).split())


def apply_name_rule(
    rule: NameRule, original: object, taken: Collection[str], second: str = ""
) -> tuple[str, list[MappingChange]]:
    """The name to send and every change made to reach it (trim, colon, length, uniqueness).

    `second` is the suffix of a party's second record (" (V)"), added before uniqueness.
    """
    changes: list[MappingChange] = []
    field = rule.field

    def step(before: str, after: str, name: str) -> str:
        if after != before:
            changes.append(MappingChange(field, before, after, name))
        return after

    text = "" if original is None else str(original)
    text = step(text, unicodedata.normalize("NFC", text).strip(), "name_trim")
    text = step(text, text.replace(":", rule.colon_replacement).strip(), "name_no_colon")
    if rule.refused and any(ch in text for ch in rule.refused):
        spaced = "".join(" " if ch in rule.refused else ch for ch in text)
        text = step(text, " ".join(spaced.split()), "name_refused_characters")
    if not text:
        text = step(text, rule.empty_name, "name_empty")
    text = step(text, text[: rule.limit].rstrip(), "name_max_length")
    if second and not fold_name(text).endswith(fold_name(second)):
        base = text[: max(rule.limit - len(second), 0)].rstrip()
        text = step(text, (base + second)[: rule.limit], f"second_name {second!r}")
    if rule.unique:
        text = step(text, _unique(rule, text, taken), "name_unique")
    return text, changes


def _unique(rule: NameRule, name: str, taken: Collection[str]) -> str:
    folded = {fold_name(t) for t in taken}
    if fold_name(name) not in folded:
        return name
    n = 2
    while True:
        suffix = rule.unique_format.format(n=n)
        base = name[: max(rule.limit - len(suffix), 0)].rstrip()
        candidate = (base + suffix)[: rule.limit]
        if fold_name(candidate) not in folded and candidate.strip():
            return candidate
        n += 1


def quantize(value: Decimal, places: int, at_most: bool) -> Decimal:
    """Round half-up to `places` (or only when it has more places, if `at_most`)."""
    exponent = value.as_tuple().exponent
    if at_most and isinstance(exponent, int) and exponent >= -places:
        return value
    return value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def truncate(field: str, value: str, limit: int) -> tuple[str, MappingChange | None]:
    """Cut text to `limit` characters (trailing space removed), reporting the change."""
    if len(value) <= limit:
        return value, None
    sent = value[:limit].rstrip()
    return sent, MappingChange(field, value, sent, "max_length")
