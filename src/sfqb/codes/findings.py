"""Finding every status in a document: qbXML responses, QBO faults, Salesforce errors, QWC logs.

`find_statuses` takes the raw text or bytes of one document, works out which of the four
formats it is, and returns one `Finding` per status it carries, in document order. Anything it
cannot read (bad encoding, malformed XML or JSON, a DTD, a status that is not a code) raises
`FindingsError` with a one-line reason; no other exception escapes.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from sfqb.codes.catalog import Catalog
from sfqb.codes.doctext import UndecodableText, document_text, without_encoding_declaration
from sfqb.codes.normalize import UnknownCodeFormat
from sfqb.codes.safexml import MAX_XML_BYTES, UnsafeXMLError, parse_xml
from sfqb.domain.status import DecodedStatus, System

MAX_INPUT_BYTES = MAX_XML_BYTES
_MAX_JSON_DEPTH = 64
_MAX_EMBEDDED = 3  # SOAP envelope > escaped qbXML > (one more level at most)
_MAX_MESSAGE = 1000  # longer messages are cut before template matching
_RECORD_KEYS = ("bId", "referenceId", "graphId", "id", "Id")


class FindingsError(ValueError):
    """The document is not one sfqb can read; the text says why, in one line."""


class _Unreadable(Exception):
    """Raised inside the readers; find_statuses prefixes the source and re-raises."""


@dataclass(frozen=True, slots=True)
class Finding:
    """A decoded status, where in the document it was found, and extra text from there."""

    status: DecodedStatus
    location: str
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        """The status as `sfqb explain --json` prints it, plus `location` and `detail`."""
        return {**self.status.to_json(), "location": self.location, "detail": self.detail}


def find_statuses(data: str | bytes, catalog: Catalog, source: str = "input") -> list[Finding]:
    """Decode every status code in a document, whatever its format; raises FindingsError."""
    try:
        text = document_text(data, MAX_INPUT_BYTES)
        stripped = text.lstrip()
        if not stripped.strip():
            raise _Unreadable("empty document")
        if stripped.startswith("<"):
            skipped = text[: len(text) - len(stripped)].count("\n")
            return list(_from_xml(stripped, catalog, "", 0, skipped))
        if stripped[0] in "[{":
            try:
                document = json.loads(text)
            except RecursionError:
                raise _Unreadable("JSON is nested too deeply") from None
            except ValueError as exc:
                if not _looks_like_log(stripped):
                    raise _Unreadable(_json_problem(exc)) from None
            else:
                return list(_from_json(document, catalog, "$", (), 0))
        return list(_from_log(text, catalog))
    except (_Unreadable, UndecodableText) as exc:
        # One line, whatever the parser or the document put into the reason.
        raise FindingsError(" ".join(f"{source}: {exc}".split())) from None
    except RecursionError:
        raise FindingsError(f"{source}: the document is nested too deeply") from None


def find_statuses_in_file(path: Path, catalog: Catalog) -> list[Finding]:
    """Read `path` and decode every status in it; raises FindingsError (also when unreadable)."""
    if path.is_dir():
        raise FindingsError(f"{path} is a directory, not a file")
    if not path.is_file():
        raise FindingsError(f"no such file: {path}")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise FindingsError(f"cannot read {path}: {exc.strerror or exc}") from None
    return find_statuses(data, catalog, source=str(path))


# -- qbXML, SOAP envelopes carrying qbXML, QBO XML faults, Salesforce SOAP errors -----------


def _parse(text: str) -> etree._Element:
    # The text is already decoded: drop the declared encoding so lxml reads it as UTF-8.
    try:
        return parse_xml(without_encoding_declaration(text))
    except UnsafeXMLError as exc:
        raise _Unreadable(str(exc)) from None
    except (etree.LxmlError, ValueError) as exc:
        raise _Unreadable(f"malformed XML: {exc}") from None


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _child(element: etree._Element, name: str) -> etree._Element | None:
    """The first child whose local name is `name`, in any namespace or casing."""
    return next((c for c in element if _local(c).lower() == name.lower()), None)


def _child_text(element: etree._Element, name: str) -> str:
    found = _child(element, name)
    return (found.text or "").strip() if found is not None else ""


def _line(element: etree._Element, offset: int = 0) -> str:
    line = element.sourceline
    return f", line {line + offset}" if isinstance(line, int) and line else ""


def _from_xml(
    text: str, catalog: Catalog, prefix: str, depth: int, offset: int = 0
) -> Iterator[Finding]:
    root = _parse(text)
    for element in root.iter():
        name = _local(element)
        if not name:
            continue
        line = _line(element, offset)
        code = element.get("statusCode")
        if code is not None:
            where = f"{prefix}{name}"
            if element.get("requestID") is not None:
                where += f" requestID={element.get('requestID')}"
            message = element.get("statusMessage")
            yield _decode(catalog, System.QBXML, code, message, where + line)
        elif name == "Error" and element.get("code") is not None:
            yield _qbo_xml_error(element, catalog, prefix, line)
        elif name.lower() == "hresult" and (element.text or "").strip():
            parent = element.getparent()
            message = _child_text(parent, "message") if parent is not None else ""
            where = f"{prefix}{_path(element)}{line}"
            yield _decode(catalog, System.HRESULT, (element.text or "").strip(), message, where)
        elif name == "errors" and _child_text(element, "statusCode"):
            yield _salesforce_xml_error(element, catalog, prefix, line)
        elif name == "faultcode" and (element.text or "").strip().startswith("sf:"):
            parent = element.getparent()
            message = _child_text(parent, "faultstring") if parent is not None else ""
            code = (element.text or "").strip().removeprefix("sf:")
            where = f"{prefix}{_path(element)}{line}"
            yield _decode(catalog, System.SALESFORCE, code, message, where)
        elif len(element) == 0 and _is_embedded(element.text):
            # A Web Connector SOAP call carries the qbXML as escaped text in one element.
            if depth >= _MAX_EMBEDDED:
                raise _Unreadable("XML embedded in XML too many levels deep")
            inner_prefix = f"{prefix}{_path(element)}{line} > "
            yield from _from_xml((element.text or "").strip(), catalog, inner_prefix, depth + 1)


def _is_embedded(text: str | None) -> bool:
    head = (text or "").lstrip()[:200].lower()
    return head.startswith(("<?xml", "<qbxml", "<intuitresponse"))


def _path(element: etree._Element) -> str:
    parent = element.getparent()
    if parent is None:
        return _local(element)
    return f"{_local(parent)}/{_local(element)}"


def _qbo_xml_error(element: etree._Element, catalog: Catalog, prefix: str, line: str) -> Finding:
    where = prefix
    batch = next((a for a in element.iterancestors() if a.get("bId") is not None), None)
    if batch is not None:
        where += f"{_local(batch)} bId={batch.get('bId')} > "
    fault = element.getparent()
    where += "Fault/Error" if fault is not None and _local(fault) == "Fault" else "Error"
    if fault is not None and fault.get("type"):
        where += f" type={fault.get('type')}"
    if element.get("element"):
        where += f" element={element.get('element')}"
    message = _child_text(element, "Message")
    detail = _child_text(element, "Detail")
    return _decode(
        catalog, System.QBO, element.get("code", ""), message, where + line, detail=detail
    )


def _salesforce_xml_error(
    element: etree._Element, catalog: Catalog, prefix: str, line: str
) -> Finding:
    where = f"{prefix}{_path(element)}"
    parent = element.getparent()
    record = _child_text(parent, "id") if parent is not None else ""
    if record:
        where += f" id={record}"
    fields = [(c.text or "").strip() for c in element if _local(c) == "fields" and c.text]
    detail = f"fields: {', '.join(fields)}" if fields else ""
    code = _child_text(element, "statusCode")
    message = _child_text(element, "message")
    return _decode(catalog, System.SALESFORCE, code, message, where + line, detail=detail)


# -- JSON: QBO faults (either casing, batch items) and Salesforce errors ----------------------


def _json_problem(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
    return f"malformed JSON: {exc}"


def _get(mapping: dict[str, Any], key: str) -> Any:
    """A value by key in any casing (QBO's gateway answers in lower case)."""
    if key in mapping:
        return mapping[key]
    lowered = key.lower()
    return next((v for k, v in mapping.items() if k.lower() == lowered), None)


def _label(path: str, records: tuple[str, ...]) -> str:
    return f"{path} ({', '.join(records)})" if records else path


def _from_json(
    node: Any, catalog: Catalog, path: str, records: tuple[str, ...], depth: int
) -> Iterator[Finding]:
    if depth > _MAX_JSON_DEPTH:
        raise _Unreadable(f"JSON is nested more than {_MAX_JSON_DEPTH} levels deep")
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from _from_json(item, catalog, f"{path}[{i}]", records, depth + 1)
        return
    if not isinstance(node, dict):
        return
    for key in _RECORD_KEYS:
        value = node.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
            records = (*records, f"{key} {value}")
    fault_key = next((k for k in node if k.lower() == "fault"), None)
    if fault_key is not None and isinstance(node[fault_key], dict):
        yield from _qbo_fault(node[fault_key], catalog, f"{path}.{fault_key}", records)
        return
    code = _salesforce_code(node)
    if code is not None:
        fields = node.get("fields")
        detail = ""
        if isinstance(fields, list) and fields:
            detail = "fields: " + ", ".join(str(f) for f in fields)
        message = node.get("message")
        text = message if isinstance(message, str) else ""
        yield _decode(catalog, System.SALESFORCE, code, text, _label(path, records), detail=detail)
        return
    for key, value in node.items():
        yield from _from_json(value, catalog, f"{path}.{key}", records, depth + 1)


def _salesforce_code(node: dict[str, Any]) -> str | None:
    """The errorCode of a Salesforce error object (collections call it statusCode)."""
    code = node.get("errorCode")
    if isinstance(code, str) and code.strip():
        return code
    code = node.get("statusCode")  # numeric in composite/batch results: an HTTP status there
    if isinstance(code, str) and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", code.strip()):
        return code
    return None


def _qbo_fault(
    fault: dict[str, Any], catalog: Catalog, path: str, records: tuple[str, ...]
) -> Iterator[Finding]:
    error_key = next((k for k in fault if k.lower() == "error"), "Error")
    errors = fault.get(error_key) or []
    fault_type = _get(fault, "type")
    for i, error in enumerate(errors if isinstance(errors, list) else [errors]):
        where = f"{path}.{error_key}[{i}]"
        if not isinstance(error, dict):
            raise _Unreadable(f"{where}: a Fault Error must be an object")
        extra = list(records)
        if isinstance(fault_type, str) and fault_type:
            extra.append(f"type {fault_type}")
        element = _get(error, "element")
        if isinstance(element, str) and element:
            extra.append(f"element {element}")
        code = _get(error, "code")
        if not isinstance(code, str | int) or isinstance(code, bool) or not str(code).strip():
            raise _Unreadable(f"{where}: a Fault Error without a code")
        message = _get(error, "Message")
        detail = _get(error, "Detail")
        yield _decode(
            catalog,
            System.QBO,
            str(code),
            message if isinstance(message, str) else "",
            _label(where, tuple(extra)),
            detail=detail if isinstance(detail, str) else "",
        )


# -- Web Connector log (QWCLog.txt) -----------------------------------------------------------

_RS_TAG = re.compile(r"<([A-Za-z]\w*Rs)\b([^<>]*)")
_ATTR = re.compile(r"""([A-Za-z]\w*)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_STATUS = re.compile(r"""\bstatusCode\s*[=:]\s*["']?(-?\d{1,10})(?![\w.])""", re.I)
_STATUS_MESSAGE = re.compile(r"""\bstatusMessage\s*[=:]\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_HRESULT = re.compile(r"(?<![\w-])(0x8[0-9a-f]{7})(?!\w)", re.I)
_HRESULT_DECIMAL = re.compile(r"""\bhresult\s*[=:]\s*["']?(-2\d{9})(?!\d)""", re.I)
_QBWC = re.compile(r"\b(QBWC\d{3,5})\b", re.I)
_MESSAGE = re.compile(r"""\bmessage\s*[=:]\s*(.*)$""", re.I)
_QUOTES = "\"' \t:=,;-"


def _looks_like_log(text: str) -> bool:
    """A bracketed prefix such as `[2024-03-14 08:00:02] INFO ...` rather than JSON."""
    first = text.splitlines()[0]
    return re.match(r"\[[^\[\]{}\"]*\]\s*[A-Za-z0-9]", first) is not None


def _attributes(text: str) -> dict[str, str]:
    return {m.group(1): html.unescape(m.group(2) or m.group(3) or "") for m in _ATTR.finditer(text)}


def _trailing_message(rest: str) -> str:
    found = _MESSAGE.search(rest)
    text = found.group(1) if found else rest
    return text.strip(_QUOTES).strip()


def _from_log(text: str, catalog: Catalog) -> Iterator[Finding]:
    lines = text.splitlines()
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        found = _log_line(line, index + 1, following, catalog)
        yield from (finding for _, finding in sorted(found, key=lambda pair: pair[0]))


def _log_line(raw: str, number: int, following: str, catalog: Catalog) -> list[tuple[int, Finding]]:
    """The statuses on one log line, each with its column, so they come out in line order."""
    line = html.unescape(raw) if "&lt;" in raw else raw
    where = f"line {number}"
    found: list[tuple[int, Finding]] = []
    taken: list[tuple[int, int]] = []
    for tag in _RS_TAG.finditer(line):
        attrs = _attributes(tag.group(2))
        if "statusCode" not in attrs:
            continue
        taken.append(tag.span())
        label = f"{where}, {tag.group(1)}"
        if "requestID" in attrs:
            label += f" requestID={attrs['requestID']}"
        status = _decode(
            catalog, System.QBXML, attrs["statusCode"], attrs.get("statusMessage"), label
        )
        found.append((tag.start(), status))

    def free(match: re.Match[str]) -> bool:
        return not any(start <= match.start() < end for start, end in taken)

    for match in filter(free, _STATUS.finditer(line)):
        said = _STATUS_MESSAGE.search(line)
        message = html.unescape(said.group(1) or said.group(2) or "") if said else ""
        found.append(
            (match.start(), _decode(catalog, System.QBXML, match.group(1), message, where))
        )
    for match in filter(free, [*_HRESULT.finditer(line), *_HRESULT_DECIMAL.finditer(line)]):
        message = _trailing_message(line[match.end() :])
        if not message:
            # connectionError's parameters are logged one per line: hresult, then Message.
            follow = _MESSAGE.search(following)
            message = follow.group(1).strip(_QUOTES).strip() if follow else ""
        status = _decode(catalog, System.HRESULT, match.group(1), message, where)
        found.append((match.start(), status))
    for match in filter(free, _QBWC.finditer(line)):
        message = _trailing_message(line[match.end() :])
        found.append((match.start(), _decode(catalog, System.QBWC, match.group(1), message, where)))
    return found


def _decode(
    catalog: Catalog,
    system: System,
    code: str,
    message: str | None,
    where: str,
    *,
    detail: str = "",
) -> Finding:
    text = (message or "")[:_MAX_MESSAGE]
    try:
        status = catalog.decode(system, code, text or None)
        if detail and not status.details:
            # QBO puts the specifics (the name, the field) in Detail rather than in Message.
            from_detail = catalog.decode(system, code, detail[:_MAX_MESSAGE])
            if from_detail.details:
                status = from_detail
    except UnknownCodeFormat as exc:
        raise _Unreadable(f"{where}: {exc}") from None
    return Finding(status, where, detail)
