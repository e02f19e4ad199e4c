"""Finding every status in a document: qbXML responses, QBO faults, Salesforce errors, QWC logs."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lxml import etree

from sfqb.codes.catalog import Catalog
from sfqb.codes.normalize import UnknownCodeFormat
from sfqb.codes.safexml import UnsafeXMLError, parse_xml
from sfqb.domain.status import DecodedStatus, System


class FindingsError(ValueError):
    """The document is not one sfqb can read; the text says why, in one line."""


@dataclass(frozen=True, slots=True)
class Finding:
    """A decoded status and where in the document it was found."""

    status: DecodedStatus
    location: str


def find_statuses(text: str, catalog: Catalog, source: str = "input") -> list[Finding]:
    """Decode every status code in `text`, whatever its format; raises FindingsError."""
    stripped = text.strip()
    if not stripped:
        raise FindingsError(f"{source} is empty")
    if stripped.startswith("<"):
        return list(_from_xml(stripped, catalog, source))
    if stripped[0] in "[{":
        try:
            document = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise FindingsError(
                f"{source}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
            ) from None
        return list(_from_json(document, catalog, "$"))
    return list(_from_log(stripped, catalog))


# -- qbXML (and SOAP envelopes carrying qbXML, and QBO XML faults) ----------------------------


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _from_xml(text: str, catalog: Catalog, source: str) -> Iterator[Finding]:
    try:
        root = parse_xml(text)
    except UnsafeXMLError as exc:
        raise FindingsError(f"{source}: {exc}") from None
    yield from _walk_xml(root, catalog, "")


def _walk_xml(root: etree._Element, catalog: Catalog, prefix: str) -> Iterator[Finding]:
    for element in root.iter():
        name = _local(element)
        if not name:
            continue
        code = element.get("statusCode")
        if code is not None:
            where = f"{prefix}{name}"
            if element.get("requestID"):
                where += f" requestID={element.get('requestID')}"
            where += f" (line {element.sourceline})"
            yield _decode(catalog, System.QBXML, code, element.get("statusMessage"), where)
        elif name == "Error" and element.get("code") is not None:
            message = "".join(element.findtext(f"{{*}}{tag}") or "" for tag in ("Message",))
            detail = element.findtext("{*}Detail") or ""
            where = f"{prefix}Fault Error element={element.get('element') or '-'}"
            yield _decode(catalog, System.QBO, element.get("code", ""), message or detail, where)
        elif element.text and element.text.lstrip().startswith(("<?xml", "<QBXML")):
            # A SOAP call (receiveResponseXML) carries the qbXML response as escaped text.
            try:
                inner = parse_xml(element.text.strip())
            except UnsafeXMLError:
                continue
            yield from _walk_xml(inner, catalog, f"{name} > ")
        elif name in ("hresult", "HResult") and element.text and element.text.strip():
            parent = element.getparent()
            hr_message = parent.findtext("{*}message") if parent is not None else None
            yield _decode(catalog, System.HRESULT, element.text.strip(), hr_message, name)


# -- JSON: QBO faults (either casing, batch items) and Salesforce errors ----------------------


def _get(mapping: dict[str, Any], key: str) -> Any:
    """A value by key in either casing (QBO's gateway answers in lower case)."""
    if key in mapping:
        return mapping[key]
    return mapping.get(key[0].lower() + key[1:])


def _from_json(node: Any, catalog: Catalog, path: str) -> Iterator[Finding]:
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from _from_json(item, catalog, f"{path}[{i}]")
        return
    if not isinstance(node, dict):
        return
    fault = _get(node, "Fault")
    if isinstance(fault, dict):
        errors = _get(fault, "Error") or []
        for i, error in enumerate(errors if isinstance(errors, list) else [errors]):
            if not isinstance(error, dict):
                continue
            message = str(_get(error, "Message") or "")
            detail = str(_get(error, "Detail") or "")
            where = f"{path}.Fault.Error[{i}]"
            if node.get("bId"):
                where += f" bId={node['bId']}"
            if error.get("element"):
                where += f" element={error['element']}"
            found = _decode(catalog, System.QBO, str(error.get("code", "")), message, where)
            if detail:
                found = Finding(found.status, f"{found.location} detail: {detail}")
            yield found
        return
    code = node.get("errorCode") or node.get("statusCode")
    if isinstance(code, str) and code and not code.isdigit():
        where = path
        fields = node.get("fields")
        if fields:
            where += f" fields={','.join(map(str, fields))}"
        yield _decode(catalog, System.SALESFORCE, code, str(node.get("message") or ""), where)
        return
    for key, value in node.items():
        label = f"{path}.{key}"
        if key == "errors" and node.get("id"):
            label = f"{path}(id={node['id']}).errors"
        yield from _from_json(value, catalog, label)


# -- Web Connector log (QWCLog.txt) -----------------------------------------------------------

_LOG_PATTERNS: list[tuple[System, re.Pattern[str]]] = [
    (
        System.QBXML,
        re.compile(r'statusCode\s*=\s*"?(\d+)"?(?:.*?statusMessage\s*=\s*"([^"]*)")?', re.I),
    ),
    (System.HRESULT, re.compile(r"\b(0x[0-9a-f]{8})\b(?:\W*(?:message\s*=\s*)?(.*))?", re.I)),
    (System.QBWC, re.compile(r"\b(QBWC\d{3,5})\b:?\s*(.*)", re.I)),
]


def _from_log(text: str, catalog: Catalog) -> Iterator[Finding]:
    for number, line in enumerate(text.splitlines(), start=1):
        for system, pattern in _LOG_PATTERNS:
            for match in pattern.finditer(line):
                message = (match.group(2) or "").strip() or None
                yield _decode(catalog, system, match.group(1), message, f"line {number}")


def _decode(
    catalog: Catalog, system: System, code: str, message: str | None, where: str
) -> Finding:
    try:
        status = catalog.decode(system, code, message or None)
    except UnknownCodeFormat as exc:
        raise FindingsError(f"{where}: {exc}") from None
    return Finding(status, where)
