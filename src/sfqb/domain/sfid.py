"""Salesforce record Ids: the 15-character case-sensitive form and the 18-character form.

The 18-character form appends three characters; each encodes which of five characters in one
third of the 15-character Id are upper-case letters (bit i set for position i), as an index
into A-Z0-5. That makes the long form unique even when compared case-insensitively. People
paste 15-character Ids from Salesforce URLs: `normalize` turns either form into the 18.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping

from sfqb.domain.entities import SfObject

_SUFFIX = string.ascii_uppercase + "012345"
_ID_RE = re.compile(r"[0-9A-Za-z]{15}(?:[A-Za-z0-5]{3})?")
_PREFIXES = {"001": SfObject.ACCOUNT, "01t": SfObject.PRODUCT2, "006": SfObject.OPPORTUNITY,
             "801": SfObject.ORDER}  # fmt: skip


class IdError(ValueError):
    """A string that is not a well-formed 15- or 18-character Salesforce Id."""


def to18(id15: str) -> str:
    """The 18-character form of a 15-character Id (an 18-character Id is checked and repaired)."""
    if len(id15) == 18:
        return repair_case(id15)
    if len(id15) != 15 or not _ID_RE.fullmatch(id15):
        raise IdError(f"not a 15-character Salesforce Id: {id15!r}")
    suffix = ""
    for start in (0, 5, 10):
        bits = 0
        for pos, char in enumerate(id15[start : start + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << pos
        suffix += _SUFFIX[bits]
    return id15 + suffix


def to15(id_: str) -> str:
    """The 15-character, case-sensitive form of a 15- or 18-character Id."""
    return normalize(id_)[:15]


def repair_case(id18: str) -> str:
    """Restore the letter case of an 18-character Id from its suffix (input case is ignored)."""
    if len(id18) != 18 or not _ID_RE.fullmatch(id18):
        raise IdError(f"not an 18-character Salesforce Id: {id18!r}")
    chars = list(id18[:15])
    for chunk, code in enumerate(id18[15:].upper()):
        bits = _SUFFIX.index(code)
        for pos in range(5):
            i = chunk * 5 + pos
            if chars[i].isalpha():
                chars[i] = chars[i].upper() if bits & (1 << pos) else chars[i].lower()
            elif bits & (1 << pos):
                raise IdError(f"checksum of {id18!r} marks a digit as a capital letter")
    repaired = "".join(chars)
    return repaired + id18[15:].upper()


def normalize(id_: str) -> str:
    """The canonical 18-character form of a 15- or 18-character Id; raises IdError otherwise."""
    if len(id_) == 15:
        return to18(id_)
    if len(id_) == 18:
        return repair_case(id_)
    raise IdError(f"not a Salesforce Id: {id_!r}")


def is_id(value: str) -> bool:
    """True when `value` is a well-formed 15- or 18-character Id."""
    try:
        normalize(value)
    except IdError:
        return False
    return True


def sobject_of(id_: str, custom: Mapping[str, SfObject] | None = None) -> SfObject | None:
    """The object sfqb syncs that an Id's key prefix names (001, 01t, 006, or a company's custom
    object's: `custom`, prefix -> object, from the org's describe), else None."""
    return _PREFIXES.get(id_[:3]) or (custom or {}).get(id_[:3])


def same_id(value: str, id18: str) -> bool:
    """True when `value` (either form, as pasted) is the Id `id18`; False for anything else."""
    try:
        return normalize(value.strip()) == normalize(id18)
    except IdError:
        return False
