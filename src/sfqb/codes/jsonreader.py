"""The strict reader for JSON: QBO faults (either casing, batch items), Salesforce, OAuth."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from sfqb.codes.catalog import Catalog
from sfqb.codes.finding import Finding, Unreadable, decode
from sfqb.domain.status import System

MAX_JSON_DEPTH = 64
_RECORD_KEYS = ("bId", "referenceId", "graphId", "id", "Id")
# OAuth 2.0 error names (RFC 6749 5.2) and Salesforce's own, as its token endpoint answers them.
OAUTH_ERRORS = frozenset(
    {"invalid_grant", "invalid_client", "invalid_client_id", "invalid_client_credentials",
     "unsupported_grant_type", "invalid_request", "invalid_scope", "redirect_uri_mismatch",
     "inactive_user", "inactive_org"}
)  # fmt: skip


def json_problem(exc: ValueError) -> str:
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


def from_json(
    node: Any, catalog: Catalog, path: str, records: tuple[str, ...], depth: int
) -> Iterator[Finding]:
    if depth > MAX_JSON_DEPTH:
        raise Unreadable(f"JSON is nested more than {MAX_JSON_DEPTH} levels deep")
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from from_json(item, catalog, f"{path}[{i}]", records, depth + 1)
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
        yield decode(catalog, System.SALESFORCE, code, text, _label(path, records), detail=detail)
        return
    oauth = oauth_error(node)
    if oauth is not None:
        description = node.get("error_description")
        text = description if isinstance(description, str) else ""
        yield decode(catalog, System.SALESFORCE, oauth, text, _label(path, records))
        return
    for key, value in node.items():
        yield from from_json(value, catalog, f"{path}.{key}", records, depth + 1)


def oauth_error(node: dict[str, Any]) -> str | None:
    """The error of an OAuth token endpoint's answer ({"error": "invalid_grant", ...})."""
    error = node.get("error")
    if isinstance(error, str) and error.strip().lower() in OAUTH_ERRORS:
        return error.strip().upper()
    return None


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
            raise Unreadable(f"{where}: a Fault Error must be an object")
        extra = list(records)
        if isinstance(fault_type, str) and fault_type:
            extra.append(f"type {fault_type}")
        element = _get(error, "element")
        if isinstance(element, str) and element:
            extra.append(f"element {element}")
        code = _get(error, "code")
        if not isinstance(code, str | int) or isinstance(code, bool) or not str(code).strip():
            raise Unreadable(f"{where}: a Fault Error without a code")
        message = _get(error, "Message")
        detail = _get(error, "Detail")
        yield decode(
            catalog,
            System.QBO,
            str(code),
            message if isinstance(message, str) else "",
            _label(where, tuple(extra)),
            detail=detail if isinstance(detail, str) else "",
        )
