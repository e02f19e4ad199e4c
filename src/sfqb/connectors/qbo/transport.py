"""One QuickBooks Online request on the wire: limits, token, retries, and what failures mean.

Every retry sends the very same request (same `requestid`), so QuickBooks Online replays the
original answer instead of writing twice. What each failure becomes:

- no connection (refused, DNS, TLS, connect timeout): nothing was sent -> QuickBooksUnavailable;
- sent, then a timeout or dropped connection: outcome unknown -> retried, then ReplyLost;
- 401: the token is refreshed once and the request sent again; a second 401 -> QboAuthLost;
- 429 or Fault 3001: wait as Intuit says (Retry-After, else 60 s) -> again, then
  QuickBooksUnavailable with the decoded 429;
- 5xx: retried with backoff, then QuickBooksUnavailable (a write answered 500/502/504 may have
  been processed: ReplyLost, so the engine looks before it re-adds);
- any other Fault or error status -> QboFault.
"""

from __future__ import annotations

import json
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx

from sfqb.codes.catalog import Catalog
from sfqb.connectors.qbo.api import (
    CallMeter,
    Fault,
    FaultError,
    QboAuthLost,
    QboFault,
    TokenEndpointUnavailable,
    TokenSource,
)
from sfqb.connectors.qbo.faults import decode, decode_http, parse_fault
from sfqb.connectors.qbo.limits import THROTTLE_WAIT, RealmLimiter, Sleep
from sfqb.domain.status import DecodedStatus, System
from sfqb.sync.ops import QuickBooksUnavailable, ReplyLost

ENDPOINT = "QuickBooks Online"
THROTTLE_CODE = "3001"  # message=ThrottleExceeded; errorCode=003001; statusCode=429


@dataclass(frozen=True, slots=True)
class Call:
    """One request: `write` calls carry a requestid and are metered as writes."""

    method: str
    path: str
    params: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    write: bool = False
    batch: bool = False
    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class Retries:
    """How often one call is sent again before its failure is reported."""

    lost: int = 2  # timeouts and dropped connections after sending
    server: int = 3  # 5xx answers
    throttled: int = 3  # 429 answers
    backoff: float = 1.0  # seconds before the first 5xx retry, doubled each time


class Transport:
    """Sends Calls for one company through its limiter, token source and call meter."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        tokens: TokenSource,
        meter: CallMeter,
        limiter: RealmLimiter,
        catalog: Catalog,
        minor_version: int,
        retries: Retries | None = None,
        sleep: Sleep = time.sleep,
        include: str = "",
    ) -> None:
        self._http = http
        self._tokens = tokens
        self._meter = meter
        self._limiter = limiter
        self._catalog = catalog
        self._minor_version = str(minor_version)
        self._retries = retries or Retries()
        self._sleep = sleep
        self._include = include  # e.g. enhancedAllCustomFields, on every call

    def send(self, call: Call) -> dict[str, Any]:
        """The JSON answer to `call`, after the retries it is allowed."""
        if call.write and not call.request_id:
            raise ValueError("every QuickBooks Online write needs a requestid")
        params = {**call.params, "minorversion": self._minor_version}
        if self._include and "include" not in params:  # a payment's void has its own
            params["include"] = self._include
        if call.request_id:
            params["requestid"] = call.request_id
        token = self._token(self._tokens.access_token)
        refreshed = False
        lost = server = throttled = 0
        while True:
            response = self._exchange(call, params, token)
            if response is None:
                lost += 1
                if lost > self._retries.lost:
                    raise ReplyLost(f"{ENDPOINT} did not answer {call.method} {call.path}")
                continue
            status = response.status_code
            fault = parse_fault(response.content, status) if response.content else None
            if status == 401:
                if refreshed:
                    raise _auth_lost(fault)
                token = self._token(partial(self._tokens.refresh, token))
                refreshed = True
                continue
            if status == 429 or _throttled(fault):
                throttled += 1
                if throttled > self._retries.throttled:
                    raise QuickBooksUnavailable(self._throttle_status(fault))
                self._limiter.pause(_retry_after(response))
                continue
            if status >= 500:
                server += 1
                if server > self._retries.server:
                    raise self._server_failure(call, status, fault)
                self._sleep(self._retries.backoff * 2 ** (server - 1))
                continue
            if fault is not None:
                raise QboFault(fault)
            if status >= 300:
                raise QboFault(Fault(type="", errors=(), http_status=status))
            return self._json(call, response)

    def _token(self, get: Callable[[], str]) -> str:
        # Intuit's token endpoint out of reach is QuickBooks Online out of reach: the cycle
        # stops and the company's circuit opens, as for a refused API connection.
        try:
            return get()
        except TokenEndpointUnavailable as exc:
            raise QuickBooksUnavailable(
                self._catalog.decode(
                    System.TRANSPORT, "CONNECTOR_UNREACHABLE", f"Could not refresh the token: {exc}"
                )
            ) from None

    def _exchange(self, call: Call, params: dict[str, str], token: str) -> httpx.Response | None:
        # One request on the wire; None when it was sent but no answer came back.
        reservation = self._limiter.reserve(batch=call.batch)
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        try:
            with self._limiter.in_flight(reservation):
                response = self._http.request(
                    call.method, call.path, params=params, json=call.body, headers=headers
                )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise QuickBooksUnavailable(self._unreachable(exc)) from None
        except (httpx.TimeoutException, httpx.TransportError):
            self._count(call)
            return None
        self._count(call)
        return response

    def _count(self, call: Call) -> None:
        if call.write:
            self._meter.count(writes=1)
        else:
            self._meter.count(reads=1)

    def _json(self, call: Call, response: httpx.Response) -> dict[str, Any]:
        try:
            document = response.json()
        except (ValueError, json.JSONDecodeError):
            document = None
        if not isinstance(document, dict):
            # Answered, but unreadable: for a write the outcome is as unknown as a lost reply.
            raise ReplyLost(f"{ENDPOINT} sent an answer sfqb cannot read to {call.path}")
        return document

    def _unreachable(self, exc: httpx.HTTPError) -> DecodedStatus:
        reason = " ".join(str(exc).split())[:300] or type(exc).__name__
        if _is_tls(exc):
            return self._catalog.decode(
                System.TRANSPORT, "TLS_ERROR", f"TLS handshake with {ENDPOINT} failed: {reason}"
            )
        return self._catalog.decode(
            System.TRANSPORT, "CONNECTOR_UNREACHABLE", f"Could not connect to {ENDPOINT}: {reason}"
        )

    def _throttle_status(self, fault: Fault | None) -> DecodedStatus:
        message = fault.errors[0].message if fault and fault.errors else "Too Many Requests"
        return decode_http(self._catalog, 429, message)

    def _server_failure(self, call: Call, status: int, fault: Fault | None) -> Exception:
        decoded = decode(fault, self._catalog) if fault else decode_http(self._catalog, status)
        if call.write and status != 503:
            return ReplyLost(f"{ENDPOINT} answered HTTP {status} to a write: {decoded.title}")
        return QuickBooksUnavailable(decoded)


def _throttled(fault: Fault | None) -> bool:
    return fault is not None and any(e.code == THROTTLE_CODE for e in fault.errors)


def _auth_lost(fault: Fault | None) -> QboAuthLost:
    first = fault.errors[0] if fault and fault.errors else FaultError("", "")
    error = f"AuthenticationFailed {first.code}".strip() if first.code else "AuthenticationFailed"
    detail = first.detail or first.message or "QuickBooks Online refused a freshly refreshed token"
    return QboAuthLost(error, detail)


def _retry_after(response: httpx.Response) -> float:
    # Intuit: "wait 60 seconds" after a 429; a Retry-After header in seconds, when given, rules.
    value = response.headers.get("Retry-After", "").strip()
    try:
        seconds = float(value)
    except ValueError:
        return THROTTLE_WAIT
    return seconds if seconds > 0 else THROTTLE_WAIT


def _is_tls(exc: BaseException) -> bool:
    inner: BaseException | None = exc
    while inner is not None:
        if isinstance(inner, ssl.SSLError):
            return True
        inner = inner.__cause__ or inner.__context__
    text = str(exc)
    return "CERTIFICATE_VERIFY_FAILED" in text or "[SSL" in text
