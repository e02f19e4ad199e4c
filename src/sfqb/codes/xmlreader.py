"""The strict reader for XML: qbXML, SOAP envelopes carrying qbXML, QBO and Salesforce faults."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from sfqb.codes.catalog import Catalog
from sfqb.codes.doctext import without_encoding_declaration
from sfqb.codes.finding import Finding, Unreadable, decode
from sfqb.codes.safexml import UnsafeXMLError, parse_xml
from sfqb.domain.status import System

_MAX_EMBEDDED = 3  # SOAP envelope > escaped qbXML > (one more level at most)


def _parse(text: str) -> etree._Element:
    # The text is already decoded: drop the declared encoding so lxml reads it as UTF-8.
    try:
        return parse_xml(without_encoding_declaration(text))
    except UnsafeXMLError as exc:
        raise Unreadable(str(exc)) from None
    except (etree.LxmlError, ValueError) as exc:
        raise Unreadable(f"malformed XML: {exc}") from None


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


def from_xml(
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
            severity = element.get("statusSeverity")
            yield decode(catalog, System.QBXML, code, message, where + line, severity=severity)
        elif name == "Error" and element.get("code") is not None:
            yield _qbo_xml_error(element, catalog, prefix, line)
        elif name.lower() == "hresult" and (element.text or "").strip():
            parent = element.getparent()
            message = _child_text(parent, "message") if parent is not None else ""
            where = f"{prefix}{_path(element)}{line}"
            yield decode(catalog, System.HRESULT, (element.text or "").strip(), message, where)
        elif name == "errors" and _child_text(element, "statusCode"):
            yield _salesforce_xml_error(element, catalog, prefix, line)
        elif name == "faultcode" and (element.text or "").strip().startswith("sf:"):
            parent = element.getparent()
            message = _child_text(parent, "faultstring") if parent is not None else ""
            code = (element.text or "").strip().removeprefix("sf:")
            where = f"{prefix}{_path(element)}{line}"
            yield decode(catalog, System.SALESFORCE, code, message, where)
        elif len(element) == 0 and _is_embedded(element.text):
            # A Web Connector SOAP call carries the qbXML as escaped text in one element.
            if depth >= _MAX_EMBEDDED:
                raise Unreadable("XML embedded in XML too many levels deep")
            inner_prefix = f"{prefix}{_path(element)}{line} > "
            yield from from_xml((element.text or "").strip(), catalog, inner_prefix, depth + 1)


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
    return decode(
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
    return decode(catalog, System.SALESFORCE, code, message, where + line, detail=detail)
