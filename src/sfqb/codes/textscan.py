"""The lenient reader: statuses in logs, pasted excerpts and documents that do not parse.

It reads what a person pastes: Web Connector logs, XML with several roots or cut short, an
HTTP status line before a body, JavaScript, Ruby or Python object literals, curly quotes. A
code is read only where its context names its system: a qbXML `*Rs` tag or `statusMessage`, a
QuickBooks Online `Error` with a code, a Salesforce `errorCode`, an OAuth `error`, an HRESULT,
a QBWC code, or a message QuickBooks writes for one code. Free text such as `statusCode: 500`
inside a QuickBooks Online message is not qbXML 500.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from sfqb.codes.catalog import Catalog
from sfqb.codes.finding import Finding, Unreadable, decode
from sfqb.codes.objects import ObjectReading, read_objects
from sfqb.codes.readings import templates
from sfqb.domain.status import System

_CURLY = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'", "\u00a0": " "})
_ATTR = re.compile(r"""([A-Za-z]\w*)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_RS_TAG = re.compile(r"<([A-Za-z]\w*Rs)\b([^<>]*)")
_QBO_ERROR = re.compile(r"<(?:\w+:)?Error\b([^<>]*\bcode\s*=\s*[\"']?(\d{1,6})[\"']?[^<>]*)>", re.I)
_QBO_ERROR_END = re.compile(r"</(?:\w+:)?Error\s*>|<(?:\w+:)?Error\b|</(?:\w+:)?Fault\s*>", re.I)
_XML_HRESULT = re.compile(r"<(?:\w+:)?hresult\s*>\s*([^<\s]+)\s*</", re.I)
_XML_SF = re.compile(r"<(?:\w+:)?statusCode\s*>\s*([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\s*</", re.I)
_XML_FAULT = re.compile(r"<(?:\w+:)?faultcode\s*>\s*sf:([A-Za-z_]+)\s*</", re.I)
_STATUS = re.compile(r"""\bstatusCode\s*[=:]\s*["']?(-?\d{1,10})(?![\w.])""", re.I)
_STATUS_MESSAGE = re.compile(r"""\bstatusMessage\s*[=:]\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_QBXML_CONTEXT = re.compile(r"\bstatus(?:Message|Severity)\b|<\w+Rs\b", re.I)
_HRESULT = re.compile(r"(?<![\w-])(0x8[0-9a-f]{7})(?!\w)", re.I)
_HRESULT_DECIMAL = re.compile(r"""\bhresult\s*[=:]\s*["']?(-2\d{9})(?!\d)""", re.I)
_QBWC = re.compile(r"\b(QBWC\d{3,5})\b", re.I)
_SF_KEY = re.compile(r"""\berrorCode["']?\s*(?:=>|[:=])\s*["']?([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b""")
_SF_TOKEN = re.compile(r"(?<![\w.])([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?![\w.])")
_QBO_GATEWAY = re.compile(r"\bmessage=\w+;\s*errorCode=0*(\d{1,6})\b", re.I)
_QBO_SDK = re.compile(r"\bIntuit\s*Error\s*Code(?:\s+is)?\s*[:=]\s*\{?\s*(\d{1,6})\b", re.I)
_OAUTH = re.compile(
    r"""(?:\berror["']?\s*[:=]\s*["']?|(?<![\w-]))(invalid_grant|invalid_client(?:_id)?|"""
    r"""unsupported_grant_type|redirect_uri_mismatch|inactive_user|inactive_org)\b"""
)
_MESSAGE = re.compile(r"""\bmessage\s*[=:]\s*(.*)$""", re.I)
_NEW_ENTRY = re.compile(r"^\s*(?:\d{8}\.|\d{4}-\d\d-\d\d|\[)")
_QUOTES = "\"' \t:=,;-"
_OPEN_ENDED = ("message.", "message:", ":", "following error message")


@dataclass(slots=True)
class _Hit:
    start: int
    end: int
    finding: Finding


def scan(text: str, catalog: Catalog) -> list[Finding]:
    """Every status the lenient reading finds in `text`, in document order."""
    work = text.translate(_CURLY)
    if "&lt;" in work:  # escaped XML (a SOAP body or a log line): read it as XML
        work = html.unescape(work)
    hits: list[_Hit] = []
    taken = _Spans()
    for rule in (_rs_tags, _qbo_errors, _xml_hresults, _xml_salesforce):
        for hit in rule(work, catalog):
            if not taken.covers(hit.start):
                hits.append(hit)
                taken.add(hit.start, hit.end)
    for reading in read_objects(work, catalog, qbo_context=_mentions_qbo(work)):
        if not taken.covers(reading.start):
            hits.append(_object_hit(work, reading))
            taken.add(reading.start, reading.end)
    blanked = _blank(work, taken.spans())
    hits.extend(_line_hits(blanked, catalog))
    hits.sort(key=lambda h: h.start)
    return [h.finding for h in hits]


def _mentions_qbo(text: str) -> bool:
    return re.search(r"intuit|quickbooks|qbo|\bFault\b", text, re.I) is not None


class _Spans:
    """The parts of the text a structured reading has taken, found by bisection."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def covers(self, offset: int) -> bool:
        i = bisect.bisect_right(self._starts, offset) - 1
        return i >= 0 and offset < self._ends[i]

    def add(self, start: int, end: int) -> None:
        i = bisect.bisect_right(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)

    def spans(self) -> list[tuple[int, int]]:
        return list(zip(self._starts, self._ends, strict=True))


@lru_cache(maxsize=1)
def _line_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in re.finditer("\n", text))]


def _line_of(text: str, offset: int) -> int:
    return bisect.bisect_right(_line_starts(text), offset)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        for i in range(start, min(end, len(chars))):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


def _attributes(text: str) -> dict[str, str]:
    return {m.group(1): html.unescape(m.group(2) or m.group(3) or "") for m in _ATTR.finditer(text)}


def _decoded(
    catalog: Catalog,
    system: System,
    code: str,
    message: str,
    where: str,
    *,
    detail: str = "",
    severity: str | None = None,
) -> Finding | None:
    """A finding, or None where the text only looked like a code."""
    try:
        return decode(catalog, system, code, message, where, detail=detail, severity=severity)
    except Unreadable:
        return None


def _element_text(body: str, name: str) -> str:
    found = re.search(rf"<(?:\w+:)?{name}\s*>(.*?)</(?:\w+:)?{name}\s*>", body, re.I | re.S)
    return html.unescape(" ".join(found.group(1).split())) if found else ""


# -- XML tags, read wherever they are (cut short, several roots, inside a log line) ------------


def _rs_tags(text: str, catalog: Catalog) -> Iterator[_Hit]:
    for tag in _RS_TAG.finditer(text):
        attrs = _attributes(tag.group(2))
        if "statusCode" not in attrs:
            continue
        label = f"line {_line_of(text, tag.start())}, {tag.group(1)}"
        if "requestID" in attrs:
            label += f" requestID={attrs['requestID']}"
        found = _decoded(
            catalog,
            System.QBXML,
            attrs["statusCode"],
            attrs.get("statusMessage", ""),
            label,
            severity=attrs.get("statusSeverity"),
        )
        if found is not None:
            yield _Hit(tag.start(), tag.end(), found)


def _qbo_errors(text: str, catalog: Catalog) -> Iterator[_Hit]:
    for tag in _QBO_ERROR.finditer(text):
        end = _QBO_ERROR_END.search(text, tag.end(), tag.end() + 4000)
        stop = end.start() if end else min(len(text), tag.end() + 4000)
        body = text[tag.end() : stop]
        attrs = _attributes(tag.group(1))
        label = f"line {_line_of(text, tag.start())}, Error"
        if attrs.get("element"):
            label += f" element={attrs['element']}"
        message, detail = _element_text(body, "Message"), _element_text(body, "Detail")
        found = _decoded(catalog, System.QBO, tag.group(2), message, label, detail=detail)
        if found is not None:
            yield _Hit(tag.start(), end.end() if end else stop, found)


def _xml_hresults(text: str, catalog: Catalog) -> Iterator[_Hit]:
    for tag in _XML_HRESULT.finditer(text):
        message = _element_text(text[tag.end() : tag.end() + 2000], "message")
        label = f"line {_line_of(text, tag.start())}, hresult"
        found = _decoded(catalog, System.HRESULT, tag.group(1), message, label)
        if found is not None:
            yield _Hit(tag.start(), tag.end(), found)


def _xml_salesforce(text: str, catalog: Catalog) -> Iterator[_Hit]:
    for pattern, text_name in ((_XML_SF, "message"), (_XML_FAULT, "faultstring")):
        for tag in pattern.finditer(text):
            around = text[max(0, tag.start() - 2000) : tag.end() + 2000]
            message = _element_text(around, text_name)
            label = f"line {_line_of(text, tag.start())}, {text_name.removesuffix('string')}"
            code = tag.group(1)
            found = _decoded(catalog, System.SALESFORCE, code, message, label)
            if found is not None:
                yield _Hit(tag.start(), tag.end(), found)


def _object_hit(text: str, reading: ObjectReading) -> _Hit:
    where = f"line {_line_of(text, reading.start)}"
    finding = Finding(reading.finding.status, where, reading.finding.detail)
    return _Hit(reading.start, reading.end, finding)


# -- line by line: Web Connector logs, exception texts, pasted lines ---------------------------


def _line_hits(text: str, catalog: Catalog) -> list[_Hit]:
    hits: list[_Hit] = []
    lines = text.split("\n")
    offset = 0
    continued: set[int] = set()
    for index, raw in enumerate(lines):
        line = raw.rstrip("\r")
        following = lines[index + 1].rstrip("\r") if index + 1 < len(lines) else ""
        found, used_next = _one_line(line, index + 1, following, catalog, index in continued)
        if used_next:
            continued.add(index + 1)
        hits.extend(_Hit(offset + column, offset + column + 1, f) for column, f in found)
        offset += len(raw) + 1
    return hits


def _trailing(rest: str) -> str:
    found = _MESSAGE.search(rest)
    text = found.group(1) if found else rest
    return text.strip(_QUOTES).strip()


def _continues(message: str, following: str) -> bool:
    """True when the cause is on the next line (the Web Connector logs it there)."""
    if not following.strip() or _NEW_ENTRY.match(following):
        return False
    return not message or message.rstrip().lower().endswith(_OPEN_ENDED)


def _one_line(
    line: str, number: int, following: str, catalog: Catalog, is_continuation: bool
) -> tuple[list[tuple[int, Finding]], bool]:
    where = f"line {number}"
    found: list[tuple[int, Finding]] = []
    seen: set[tuple[System, str]] = set()
    used_next = False

    def add(column: int, system: System, code: str, message: str) -> None:
        finding = _decoded(catalog, system, code, message, where)
        if finding is not None and (system, finding.status.code) not in seen:
            seen.add((system, finding.status.code))
            found.append((column, finding))

    if _QBXML_CONTEXT.search(line):
        said = _STATUS_MESSAGE.search(line)
        message = html.unescape(said.group(1) or said.group(2) or "") if said else ""
        for match in _STATUS.finditer(line):
            add(match.start(), System.QBXML, match.group(1), message)
    for match in [*_HRESULT.finditer(line), *_HRESULT_DECIMAL.finditer(line)]:
        message = _trailing(line[match.end() :])
        if not message:
            # connectionError's parameters are logged one per line: hresult, then Message.
            follow = _MESSAGE.search(following)
            message = follow.group(1).strip(_QUOTES).strip() if follow else ""
            used_next = used_next or bool(follow)
        add(match.start(), System.HRESULT, match.group(1), message)
    for match in _QBWC.finditer(line):
        message = _trailing(line[match.end() :])
        if _continues(message, following):
            message, used_next = f"{message} {following.strip()}".strip(), True
        add(match.start(), System.QBWC, match.group(1), message)
    for pattern in (_QBO_GATEWAY, _QBO_SDK):
        for match in pattern.finditer(line):
            add(match.start(), System.QBO, match.group(1), line[match.start() :].strip())
    for match in _SF_KEY.finditer(line):
        add(match.start(), System.SALESFORCE, match.group(1), "")
    for match in _OAUTH.finditer(line):
        add(
            match.start(), System.SALESFORCE, match.group(1).upper(), _trailing(line[match.end() :])
        )
    for match in _SF_TOKEN.finditer(line):
        # Only codes Salesforce is known to send identify their system in prose.
        if catalog.entry(System.SALESFORCE, match.group(1)) is not None:
            add(match.start(), System.SALESFORCE, match.group(1), _trailing(line[match.end() :]))
    if not is_continuation:
        for template in templates(catalog):
            hit = template.pattern.search(line)
            if hit is None or (template.system, template.code) in seen:
                continue
            message = line[hit.start() :].strip()
            if _continues(message, following):
                message, used_next = f"{message} {following.strip()}", True
            add(hit.start(), template.system, template.code, message)
    return found, used_next
