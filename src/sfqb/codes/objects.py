"""Error objects written as JSON, JavaScript, Ruby or Python literals, read by their keys.

`{ Message: '...', code: '6000', element: '' }`, `{:error_code=>"120", :fault_type=>...}`,
`{u'code': u'2010', u'Detail': ...}` and `"fault": {"error": [...]}` (a fragment of JSON) are
all one object with keys. Each `{...}` is read on its own level: a QuickBooks Online error has a
numeric `code` (or `error_code`) beside its Message, Detail or element; a Salesforce error has an
`errorCode` (or a `statusCode` that is a name); an OAuth answer has an `error` such as
`invalid_grant`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from sfqb.codes.catalog import Catalog
from sfqb.codes.finding import Finding, Unreadable, decode
from sfqb.codes.jsonreader import OAUTH_ERRORS
from sfqb.domain.status import System

_MAX_OBJECTS = 5000
_PAIR = re.compile(
    r"""(?<![\w$])(?:u?["']|:)?(?P<key>[A-Za-z_][\w]*)["']?\s*(?:=>|:|=)\s*"""
    r"""(?:u?"(?P<dq>(?:[^"\\\n]|\\.)*)"|u?'(?P<sq>(?:[^'\\\n]|\\.)*)'|(?P<bare>[^\s,;{}\[\]]+))"""
)
_SNAKE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{3,}")
_QBO_KEYS = {"detail", "element", "fault_type", "error_detail"}


@dataclass(frozen=True, slots=True)
class ObjectReading:
    """A status read from one object literal, and the object's span in the text."""

    start: int
    end: int
    finding: Finding


def read_objects(text: str, catalog: Catalog, *, qbo_context: bool) -> Iterator[ObjectReading]:
    """Every error object in `text`, innermost first within each nesting."""
    for start, end, own in _objects(text):
        pairs = _pairs(own)
        finding = _classify(pairs, catalog, qbo_context)
        if finding is not None:
            yield ObjectReading(start, end, finding)


def _objects(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, the object's own text with nested objects blanked), closing order."""
    stack: list[tuple[int, list[tuple[int, int]]]] = []
    quote = ""
    count = 0
    i = 0
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif char in (quote, "\n"):
                quote = ""
        elif char in "\"'" and stack and _opens_string(text, i):
            quote = char
        elif char == "{":
            stack.append((i, []))
        elif char == "}" and stack:
            start, children = stack.pop()
            own = list(text[start : i + 1])
            for child_start, child_end in children:
                for j in range(child_start - start, child_end - start):
                    own[j] = " "
            if stack:
                stack[-1][1].append((start, i + 1))
            count += 1
            if count > _MAX_OBJECTS:
                return
            yield start, i + 1, "".join(own)
        i += 1


def _opens_string(text: str, i: int) -> bool:
    """A quote opens a string unless it is an apostrophe inside a word (can't; not u'x')."""
    if text[i] != "'" or i < 2:
        return True
    return not (text[i - 2].isalnum() and text[i - 1].isalnum() and text[i + 1 : i + 2].isalpha())


def _pairs(own: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for match in _PAIR.finditer(own):
        value = match.group("dq")
        if value is None:
            value = match.group("sq")
        if value is None:
            value = match.group("bare") or ""
        pairs.setdefault(match.group("key").lower(), value.replace('\\"', '"').strip())
    return pairs


def _classify(pairs: dict[str, str], catalog: Catalog, qbo_context: bool) -> Finding | None:
    try:
        code = pairs.get("code") or pairs.get("error_code") or ""
        if code.isdigit() and len(code) <= 6 and (qbo_context or _QBO_KEYS & set(pairs)):
            message = pairs.get("message") or pairs.get("error_message") or ""
            detail = pairs.get("detail") or pairs.get("error_detail") or ""
            if _null(detail):
                detail = ""
            return decode(catalog, System.QBO, code, message, "object", detail=detail)
        sf = pairs.get("errorcode") or pairs.get("statuscode") or ""
        if _SNAKE.fullmatch(sf) and ("message" in pairs or "errorcode" in pairs):
            return decode(catalog, System.SALESFORCE, sf, pairs.get("message", ""), "object")
        error = pairs.get("error", "").lower()
        if error in OAUTH_ERRORS:
            description = pairs.get("error_description", "")
            return decode(catalog, System.SALESFORCE, error.upper(), description, "object")
    except Unreadable:
        return None
    return None


def _null(value: str) -> bool:
    return value.lower() in {"null", "nil", "none", "undefined"}
