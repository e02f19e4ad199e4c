"""Text QuickBooks Desktop can store: the rule sfqb applies to every text field it sends.

QuickBooks Desktop stores text in Windows-1252, not Unicode. Escaping (`& < > " '`) is left to
lxml; this module decides which characters are sent at all. The rule, kept with its
transliteration table in `data/text.yaml`:

1. NFC normalization (letter + combining accent -> one accented letter).
2. Tabs and line breaks are kept in multi-line fields (Notes, Memo, Desc...) and become a space
   elsewhere; other control characters are removed.
3. Curly quotes, dashes, ellipsis, no-break space... become their ASCII form.
4. Windows-1252 characters (accented Latin letters, the euro sign) are kept.
5. Combining marks, joiners, variation selectors and emoji skin tones left over are removed.
6. Anything else is NFKD-decomposed with accents stripped when that gives Windows-1252 text
   ("ő" -> "o", "ﬁ" -> "fi"); otherwise (emoji, other scripts) it becomes "?".

Every change is returned as a `TextChange`; the result is always valid XML text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

_KEEP_IN_MULTILINE = frozenset("\t\n\r")
_SKIN_TONES = range(0x1F3FB, 0x1F400)
_INVISIBLE_CATEGORIES = frozenset({"Mn", "Me", "Cf"})


@dataclass(frozen=True, slots=True)
class TextChange:
    """One field whose text was changed to be storable in QuickBooks Desktop."""

    field: str
    original: str
    sent: str
    reason: str


@dataclass(frozen=True, slots=True)
class TextRules:
    """The transliteration table and field lists of `data/text.yaml`."""

    encoding: str
    replacement: str
    transliterate: Mapping[str, str]
    multiline: frozenset[str]
    # Printable ASCII is sent as it is: the code page has it and no rule transliterates it.
    keeps_printable_ascii: bool = False

    def storable(self, ch: str) -> bool:
        """True when QuickBooks' code page has the character (controls excluded)."""
        if unicodedata.category(ch) == "Cc":
            return False
        try:
            ch.encode(self.encoding)
        except UnicodeEncodeError:
            return False
        return True


def load_text_rules(document: Mapping[str, Any] | None = None) -> TextRules:
    """The bundled text rules (or those of an already-loaded document)."""
    if document is None:
        raw = resources.files("sfqb.connectors.qbd.qbxml").joinpath("data", "text.yaml")
        document = yaml.safe_load(raw.read_text(encoding="utf-8"))
    return TextRules(
        encoding=str(document["encoding"]),
        replacement=str(document["replacement"]),
        transliterate=MappingProxyType(
            {str(k): str(v) for k, v in document["transliterate"].items()}
        ),
        multiline=frozenset(str(x) for x in document["multiline"]),
        keeps_printable_ascii=_keeps_printable_ascii(
            str(document["encoding"]), document["transliterate"]
        ),
    )


def _keeps_printable_ascii(encoding: str, transliterate: Mapping[str, Any]) -> bool:
    printable = "".join(chr(c) for c in range(0x20, 0x7F))
    try:
        stored = printable.encode(encoding).decode(encoding) == printable
    except (UnicodeError, LookupError):
        return False
    return stored and not any(str(k).isascii() for k in transliterate)


def _describe(ch: str) -> str:
    return f"U+{ord(ch):04X}" if not ch.isprintable() or ch.isspace() else f"{ch!r}"


def _fallback(ch: str, rules: TextRules) -> str | None:
    """NFKD with accents stripped, when that yields storable text."""
    decomposed = unicodedata.normalize("NFKD", ch)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    if stripped and all(rules.storable(c) for c in stripped):
        return stripped
    return None


def _convert(ch: str, multiline: bool, rules: TextRules) -> tuple[str, str | None]:
    """The text sent for one character and, when it differs, why."""
    if ch in _KEEP_IN_MULTILINE:
        return (ch, None) if multiline else (" ", f"{_describe(ch)} became a space")
    if unicodedata.category(ch) == "Cc":
        return "", f"control character {_describe(ch)} removed"
    if ch in rules.transliterate:
        sent = rules.transliterate[ch]
        return sent, f"{_describe(ch)} became {sent!r}"
    if rules.storable(ch):
        return ch, None
    if unicodedata.category(ch) in _INVISIBLE_CATEGORIES or ord(ch) in _SKIN_TONES:
        return "", f"invisible character {_describe(ch)} removed"
    plain = _fallback(ch, rules)
    if plain is not None:
        return plain, f"{_describe(ch)} became {plain!r}"
    return rules.replacement, f"{_describe(ch)} is not storable, sent as {rules.replacement!r}"


def sanitize(value: str, field: str, rules: TextRules) -> tuple[str, TextChange | None]:
    """Apply the text rule to one field's value; returns the text to send and the change made.

    `field` is the element path (e.g. "CustomerAdd/Name"); its last element decides whether
    line breaks are kept.
    """
    if value.isascii() and value.isprintable() and rules.keeps_printable_ascii:
        return value, None  # most text: nothing to change, checked without a pass per character
    multiline = field.rsplit("/", 1)[-1] in rules.multiline
    reasons: list[str] = []
    normalized = unicodedata.normalize("NFC", value)
    if normalized != value:
        reasons.append("normalized to composed Unicode (NFC)")
    parts: list[str] = []
    for ch in normalized:
        sent, reason = _convert(ch, multiline, rules)
        parts.append(sent)
        if reason is not None and reason not in reasons:
            reasons.append(reason)
    result = "".join(parts)
    if result == value:
        return value, None
    shown = reasons[:6] + ([f"{len(reasons) - 6} more changes"] if len(reasons) > 6 else [])
    return result, TextChange(field=field, original=value, sent=result, reason="; ".join(shown))
