"""Salesforce failures as typed exceptions, every one carrying its decoded statuses."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any

import requests

from sfqb.codes import Catalog, UnknownCodeFormat
from sfqb.domain.status import DecodedStatus, System

# HTTP statuses Salesforce's REST API documents; anything else comes from something in between.
DOCUMENTED_STATUSES = frozenset(
    {200, 201, 204, 300, 304, 400, 401, 403, 404, 405, 409, 412, 414, 415, 420, 428, 431, 500, 502,
     503}
)  # fmt: skip


class SalesforceError(Exception):
    """Any Salesforce failure; `statuses` holds every decoded status, none dropped."""

    def __init__(
        self, message: str, statuses: Sequence[DecodedStatus], http_status: int | None = None
    ) -> None:
        super().__init__(message)
        if not statuses:
            raise ValueError("a SalesforceError needs at least one decoded status")
        self.statuses: tuple[DecodedStatus, ...] = tuple(statuses)
        self.http_status = http_status

    @property
    def status(self) -> DecodedStatus:
        """The most telling status: the first the catalog knows, else the first."""
        return next((s for s in self.statuses if s.known), self.statuses[0])

    @property
    def codes(self) -> tuple[str, ...]:
        """The decoded codes, in the order they were reported."""
        return tuple(s.code for s in self.statuses)


class SalesforceAuthError(SalesforceError):
    """Salesforce refused the session or the credentials (HTTP 401, token endpoint errors)."""


class SalesforceLimitError(SalesforceError):
    """The org's API allocation or concurrency limit is exhausted (REQUEST_LIMIT_EXCEEDED)."""


class SalesforceRequestError(SalesforceError):
    """Salesforce answered a request with a documented error status and error body."""


class SalesforceRecordError(SalesforceRequestError):
    """A record-level refusal of a whole request (e.g. HTTP 300: several records match)."""


class SalesforceWindowError(SalesforceRequestError):
    """A getDeleted window outside what Salesforce keeps (15 days) or otherwise invalid."""


class SalesforceTransportError(SalesforceError):
    """No usable answer: unreachable, TLS failure, unreadable body or an unexpected status."""


def decode_salesforce(catalog: Catalog, code: str, message: str = "") -> DecodedStatus:
    """Decode a Salesforce code; odd spellings (sf:INVALID_SESSION_ID) are made into a key."""
    try:
        return catalog.decode(System.SALESFORCE, code, message)
    except UnknownCodeFormat:
        key = re.sub(r"[^A-Za-z0-9_]+", "_", code.rsplit(":", 1)[-1]).strip("_") or "UNKNOWN"
        if not key[0].isalpha():
            key = "E_" + key
        return catalog.decode(System.SALESFORCE, key, message)


def decode_items(catalog: Catalog, items: Sequence[Any]) -> list[DecodedStatus]:
    """Decode every error object of a REST error body or a collection result's `errors`.

    REST errors name the code `errorCode`, collection results `statusCode`; both are read.
    The fields an error names are kept in the status details under "fields".
    """
    decoded: list[DecodedStatus] = []
    for item in items:
        if not isinstance(item, Mapping):
            continue
        code = item.get("errorCode") or item.get("statusCode")
        if not isinstance(code, str) or not code.strip():
            continue
        status = decode_salesforce(catalog, code, str(item.get("message") or ""))
        fields = item.get("fields")
        if isinstance(fields, list) and fields:
            details = {**status.details, "fields": ", ".join(str(f) for f in fields)}
            status = dataclasses.replace(status, details=details)
        decoded.append(status)
    return decoded


def transport_error(
    catalog: Catalog, code: str, message: str, http_status: int | None = None
) -> SalesforceTransportError:
    """A transport failure decoded in the transport namespace (plus the HTTP status, if any)."""
    statuses = [catalog.decode(System.TRANSPORT, code, message)]
    if http_status is not None:
        statuses.append(catalog.decode(System.SALESFORCE, f"http-{http_status}"))
    return SalesforceTransportError(message, statuses, http_status)


def http_error(
    catalog: Catalog, status: int, content: Any, what: str, endpoint: str
) -> SalesforceError:
    """The typed exception for an HTTP error answer to `what` (e.g. "query")."""
    if status not in DOCUMENTED_STATUSES:
        return transport_error(
            catalog, "UNEXPECTED_STATUS", f"{endpoint} answered HTTP {status}", status
        )
    items = content if isinstance(content, list) else []
    if isinstance(content, Mapping) and ("errorCode" in content or "statusCode" in content):
        items = [content]
    decoded = decode_items(catalog, items)
    http = catalog.decode(System.SALESFORCE, f"http-{status}")
    if not decoded and status != 401:
        reason = f"HTTP {status} without a Salesforce error body"
        return transport_error(
            catalog,
            "MALFORMED_RESPONSE",
            f"{endpoint} sent a response sfqb cannot read: {reason}",
            status,
        )
    text = "; ".join(f"{s.code}: {s.message}" if s.message else s.code for s in decoded)
    message = f"Salesforce refused {what} (HTTP {status}){': ' + text if text else ''}"
    statuses = [*decoded, http]
    codes = {s.code for s in decoded}
    if status == 401:
        return SalesforceAuthError(message, statuses, status)
    if "REQUEST_LIMIT_EXCEEDED" in codes:
        return SalesforceLimitError(message, statuses, status)
    if status == 300:
        return SalesforceRecordError(message, statuses, status)
    if "INVALID_REPLICATION_DATE" in codes or "EXCEEDED_ID_LIMIT" in codes:
        return SalesforceWindowError(message, statuses, status)
    return SalesforceRequestError(message, statuses, status)


def token_error(catalog: Catalog, status: int, content: Any, endpoint: str) -> SalesforceError:
    """The exception for a refused OAuth token request ({"error", "error_description"})."""
    if not isinstance(content, Mapping) or not isinstance(content.get("error"), str):
        if status in DOCUMENTED_STATUSES:
            reason = f"HTTP {status} without an OAuth error body"
            return transport_error(
                catalog,
                "MALFORMED_RESPONSE",
                f"{endpoint} sent a response sfqb cannot read: {reason}",
                status,
            )
        return transport_error(
            catalog, "UNEXPECTED_STATUS", f"{endpoint} answered HTTP {status}", status
        )
    code = str(content["error"])
    description = str(content.get("error_description") or "")
    statuses = [
        decode_salesforce(catalog, code, description),
        catalog.decode(
            System.TRANSPORT, "BAD_CREDENTIALS", f"{endpoint} refused sfqb's credentials"
        ),
        catalog.decode(System.SALESFORCE, f"http-{status}"),
    ]
    message = f"{endpoint} refused the login: {code}" + (f": {description}" if description else "")
    return SalesforceAuthError(message, statuses, status)


def request_failure(
    catalog: Catalog, exc: requests.RequestException, endpoint: str, timeout: float | None = None
) -> SalesforceTransportError:
    """A requests exception (no HTTP answer at all) as a decoded transport error."""
    reason = _reason(exc)
    if isinstance(exc, requests.exceptions.SSLError):
        return transport_error(
            catalog, "TLS_ERROR", f"TLS handshake with {endpoint} failed: {reason}"
        )
    if isinstance(exc, requests.exceptions.Timeout):
        within = f"{timeout:g}" if timeout is not None else "the allowed"
        return transport_error(
            catalog, "TIMEOUT", f"No answer from {endpoint} within {within} seconds"
        )
    return transport_error(
        catalog, "CONNECTOR_UNREACHABLE", f"Could not connect to {endpoint}: {reason}"
    )


def _reason(exc: BaseException) -> str:
    # requests nests urllib3 errors; the innermost text is the readable one.
    inner: BaseException = exc
    while inner.args and isinstance(inner.args[0], BaseException):
        inner = inner.args[0]
    reason = getattr(inner, "reason", None)
    text = str(reason if reason is not None else inner) or type(inner).__name__
    return " ".join(text.split())[:300]
