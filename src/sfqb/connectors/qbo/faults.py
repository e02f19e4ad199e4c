"""QuickBooks Online Faults: read from JSON or XML bodies in either casing, decoded by the catalog.

Intuit's data API answers `{"Fault": {"Error": [{"Message", "Detail", "code", "element"}],
"type"}}` (or the XML `<Fault type><Error code element><Message/><Detail/></Error></Fault>`);
its gateway answers 401/403/429 in lower case (`{"fault": {"error": [{"message", "detail",
"code"}], "type"}}`). Keys are matched without regard to case so both read the same.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from typing import Any

from sfqb.codes.catalog import Catalog
from sfqb.codes.safexml import UnsafeXMLError, decode_xml, parse_xml
from sfqb.connectors.qbo.api import Fault, FaultError
from sfqb.domain.status import DecodedStatus, System

# The gateway's message carries the code even when the `code` field is missing:
# "message=AuthenticationFailed; errorCode=003200; statusCode=401".
_GATEWAY_CODE = re.compile(r"errorCode=0*(\d+)")


def key(mapping: Mapping[str, Any], name: str) -> Any:
    """The value of `name` in `mapping`, matching the key without regard to case."""
    if name in mapping:
        return mapping[name]
    lowered = name.lower()
    return next((v for k, v in mapping.items() if k.lower() == lowered), None)


def fault_from_json(node: Mapping[str, Any], http_status: int = 200) -> Fault | None:
    """The Fault in a JSON object (a whole answer or one batch item), or None."""
    raw = key(node, "Fault")
    if not isinstance(raw, Mapping):
        return None
    errors = key(raw, "Error")
    if isinstance(errors, Mapping):
        errors = [errors]
    items = tuple(_json_error(e) for e in errors or () if isinstance(e, Mapping))
    return Fault(type=str(key(raw, "type") or ""), errors=items, http_status=http_status)


def _json_error(raw: Mapping[str, Any]) -> FaultError:
    message = str(key(raw, "Message") or "")
    code = key(raw, "code")
    return FaultError(
        code=_code(code, message),
        message=message,
        detail=str(key(raw, "Detail") or ""),
        element=str(key(raw, "element") or ""),
    )


def _code(code: Any, message: str) -> str:
    text = str(code).strip() if code is not None else ""
    if text:
        return text.lstrip("0") or "0"
    found = _GATEWAY_CODE.search(message)
    return found.group(1) if found else ""


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def fault_from_xml(body: str | bytes, http_status: int = 200) -> Fault | None:
    """The first Fault in an XML answer (IntuitResponse or a bare Fault), or None."""
    try:
        root = parse_xml(body)
    except UnsafeXMLError:
        return None
    for element in root.iter():
        if _local(element.tag) == "fault":
            return _xml_fault(element, http_status)
    return None


def _xml_fault(element: Any, http_status: int) -> Fault:
    errors = []
    for child in element:
        if _local(child.tag) != "error":
            continue
        texts = {_local(c.tag): (c.text or "").strip() for c in child}
        attributes = {k.lower(): v for k, v in child.attrib.items()}
        message = texts.get("message", "")
        errors.append(
            FaultError(
                code=_code(attributes.get("code"), message),
                message=message,
                detail=texts.get("detail", ""),
                element=attributes.get("element", ""),
            )
        )
    attributes = {k.lower(): v for k, v in element.attrib.items()}
    return Fault(type=attributes.get("type", ""), errors=tuple(errors), http_status=http_status)


def parse_fault(body: str | bytes, http_status: int = 200) -> Fault | None:
    """The Fault in a response body, JSON or XML, either casing; None when there is none."""
    try:
        text = decode_xml(body)  # JSON decodes as UTF-8 too; XML may be in any encoding
    except UnsafeXMLError:
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    stripped = text.lstrip()
    if stripped.startswith("<"):
        return fault_from_xml(stripped, http_status)
    try:
        document = json.loads(stripped) if stripped else None
    except ValueError:
        return None
    return fault_from_json(document, http_status) if isinstance(document, Mapping) else None


def decode(fault: Fault, catalog: Catalog) -> DecodedStatus:
    """The catalog's reading of a Fault: its first Error's code, or `http-NNN` without one.

    The Detail, element and fault type go into the status' details for the log.
    """
    first = next((e for e in fault.errors if e.code), None)
    if first is None:
        message = fault.errors[0].message if fault.errors else ""
        status = catalog.decode(System.QBO, f"http-{fault.http_status}", message or None)
        return _with_details(status, fault, None)
    status = catalog.decode(System.QBO, first.code, first.message or None)
    return _with_details(status, fault, first)


def decode_http(catalog: Catalog, http_status: int, message: str = "") -> DecodedStatus:
    """The catalog's reading of a bare HTTP status (no Fault in the body)."""
    return catalog.decode(System.QBO, f"http-{http_status}", message or None)


def _with_details(status: DecodedStatus, fault: Fault, error: FaultError | None) -> DecodedStatus:
    details = dict(status.details)
    if fault.type:
        details["fault_type"] = fault.type
    if fault.http_status != 200:
        details["http_status"] = str(fault.http_status)
    if error is not None and error.detail:
        details["detail"] = error.detail
    if error is not None and error.element:
        details["element"] = error.element
    return dataclasses.replace(status, details=details)
