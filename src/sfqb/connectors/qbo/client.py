"""The QuickBooks Online data API for one company (realm), over a sync httpx client.

Paths and shapes follow Intuit's REST v3 reference: `GET /v3/company/{realm}/query`,
`GET .../{entity}/{id}`, `POST .../{entity}` (create, sparse update), `?operation=delete`,
`POST .../batch`, `GET .../cdc`, `GET .../preferences`, `GET .../companyinfo/{realm}`.
"""

from __future__ import annotations

import json
import re
import ssl
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from sfqb.codes.catalog import Catalog
from sfqb.connectors.qbo.api import (
    API_BASE,
    BatchAnswer,
    BatchItem,
    BatchOperation,
    CallMeter,
    Changes,
    Environment,
    QboFault,
    TokenSource,
)
from sfqb.connectors.qbo.batch import batch_body, read_batch
from sfqb.connectors.qbo.faults import key
from sfqb.connectors.qbo.limits import Limits, RealmLimiter, Sleep, shared_limiter
from sfqb.connectors.qbo.transport import Call, Retries, Transport
from sfqb.sync.ops import ReplyLost

MIN_MINOR_VERSION = 75  # Intuit ignores minor versions below 75 since 2025-08-01
PAGE_SIZE = 1000  # the most QuickBooks Online returns for one query page
CDC_LOOKBACK = timedelta(days=30)
CDC_CAP = 1000  # objects in one Change Data Capture answer
MAX_REQUEST_ID = 50  # characters; a batch's requestid at most 36
_REQUEST_IDS = uuid.uuid5(uuid.NAMESPACE_URL, "sfqb:qbo:requestid")
_PAGING = re.compile(r"\b(STARTPOSITION|MAXRESULTS)\b", re.IGNORECASE)


# How a transaction is voided: Invoice has its own operation, the others an update with void.
_VOID = {"invoice": {"operation": "void"}}
_VOID_BY_UPDATE = {"operation": "update", "include": "void"}


@dataclass(frozen=True, slots=True)
class QboSettings:
    """Where and how to reach one company: its realm, environment (or sfqb's own sandbox at an
    explicit `base_url` with its CA file) and the minor version sent on every request."""

    realm_id: str
    environment: Environment = Environment.PRODUCTION
    base_url: str | None = None
    ca_file: str | None = None
    minor_version: int = MIN_MINOR_VERSION
    timeout: float = 120.0  # Intuit ends requests after 120 s
    limits: Limits = field(default_factory=Limits)
    retries: Retries = field(default_factory=Retries)
    # Custom field values (Intuit's premium Custom Fields API) are read and written only at
    # include=enhancedAllCustomFields ("Get started with the Custom Fields API").
    custom_fields: bool = False

    def __post_init__(self) -> None:
        if self.minor_version < MIN_MINOR_VERSION:
            raise ValueError(
                f"QuickBooks Online minorversion must be {MIN_MINOR_VERSION} or later "
                f"(got {self.minor_version}): Intuit ignores older ones"
            )
        if not self.realm_id.strip():
            raise ValueError("a QuickBooks Online company needs its realm (company) ID")

    @property
    def url(self) -> str:
        """The API's base URL for this company."""
        return (self.base_url or API_BASE[self.environment]).rstrip("/")


def request_id(attempt: str, body: Any) -> str:
    """The `requestid` of a write: the same for every retry of one attempt with one body, new
    when the body changes (QuickBooks replays a known requestid's first answer, whatever the
    body), and 36 characters, short enough for a batch."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return str(uuid.uuid5(_REQUEST_IDS, f"{attempt}\n{canonical}"))


class QboClient:
    """QuickBooks Online calls for one company (implements `QboApi`)."""

    def __init__(
        self,
        settings: QboSettings,
        *,
        tokens: TokenSource,
        meter: CallMeter,
        catalog: Catalog,
        http: httpx.Client | None = None,
        limiter: RealmLimiter | None = None,
        sleep: Sleep = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self._now = now
        self._http = http or _http_client(settings)
        self._limiter = limiter or shared_limiter(settings.realm_id, settings.limits)
        self._transport = Transport(
            self._http,
            tokens=tokens,
            meter=meter,
            limiter=self._limiter,
            catalog=catalog,
            minor_version=settings.minor_version,
            retries=settings.retries,
            sleep=sleep,
            include="enhancedAllCustomFields" if settings.custom_fields else "",
        )
        self._prefix = f"/v3/company/{settings.realm_id}"

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()

    def _get(self, path: str, params: Mapping[str, str] | None = None) -> dict[str, Any]:
        return self._transport.send(Call("GET", self._prefix + path, params=params or {}))

    def _write(self, path: str, body: Any, request_id: str, **params: str) -> dict[str, Any]:
        _check_request_id(request_id, MAX_REQUEST_ID)
        return self._transport.send(
            Call("POST", self._prefix + path, params, body, write=True, request_id=request_id)
        )

    # -- reads -------------------------------------------------------------------------------

    def query(self, statement: str) -> list[dict[str, Any]]:
        """Every entity the statement selects, page by page (STARTPOSITION/MAXRESULTS 1,000)."""
        if _PAGING.search(statement):
            raise ValueError("give the query without STARTPOSITION/MAXRESULTS: sfqb pages it")
        found: list[dict[str, Any]] = []
        start = 1
        while True:
            paged = f"{statement.strip()} STARTPOSITION {start} MAXRESULTS {PAGE_SIZE}"
            answer = self._get("/query", {"query": paged})
            page = _entities(key(answer, "QueryResponse") or {})
            found.extend(page)
            if len(page) < PAGE_SIZE:
                return found
            start += PAGE_SIZE

    def read(self, entity: str, entity_id: str) -> dict[str, Any]:
        """One entity by Id (QboFault 610 when it does not exist)."""
        return _entity(self._get(f"/{entity.lower()}/{entity_id}"), entity)

    def preferences(self) -> dict[str, Any]:
        """The company's Preferences entity."""
        return _entity(self._get("/preferences"), "Preferences")

    def company_info(self) -> dict[str, Any]:
        """The company's CompanyInfo entity."""
        return _entity(self._get(f"/companyinfo/{self.settings.realm_id}"), "CompanyInfo")

    def changes(self, entities: Sequence[str], since: datetime) -> Changes:
        """Change Data Capture since `since`, at most 30 days back; `truncated` when the answer
        reached the 1,000-object cap (narrow the window, never checkpoint such an answer)."""
        if not entities:
            raise ValueError("Change Data Capture needs at least one entity name")
        if since.tzinfo is None:
            raise ValueError("Change Data Capture needs a time with its time zone")
        oldest = self._now() - CDC_LOOKBACK
        if since < oldest:
            raise ValueError(
                f"QuickBooks Online keeps changes for 30 days only: {since.isoformat()} is "
                f"before {oldest.isoformat(timespec='seconds')}; read the records in full instead"
            )
        params = {"entities": ",".join(entities), "changedSince": since.isoformat()}
        answer = self._get("/cdc", params)
        found: dict[str, tuple[dict[str, Any], ...]] = {name: () for name in entities}
        truncated = False
        for block in key(answer, "CDCResponse") or ():
            for response in key(block, "QueryResponse") or ():
                for name, value in response.items():
                    if isinstance(value, list):
                        objects = tuple(v for v in value if isinstance(v, dict))
                        found[name] = found.get(name, ()) + objects
                        truncated = truncated or len(objects) >= CDC_CAP
        total = sum(len(v) for v in found.values())
        return Changes(entities=found, truncated=truncated or total >= CDC_CAP)

    # -- writes ------------------------------------------------------------------------------

    def create(self, entity: str, body: Mapping[str, Any], request_id: str) -> dict[str, Any]:
        """Add one entity; the answer is the entity as QuickBooks stored it."""
        return _entity(self._write(f"/{entity.lower()}", dict(body), request_id), entity)

    def update(
        self, entity: str, body: Mapping[str, Any], request_id: str, *, sparse: bool = True
    ) -> dict[str, Any]:
        """Change one entity (`Id` and `SyncToken` required; sparse unless told otherwise).

        A sparse body's `Line` array replaces every line: send lines whole or not at all.
        """
        _check_identity(body, "update")
        payload = {**body, "sparse": sparse}
        return _entity(self._write(f"/{entity.lower()}", payload, request_id), entity)

    def delete(self, entity: str, body: Mapping[str, Any], request_id: str) -> dict[str, Any]:
        """Delete one transaction (`Id`, `SyncToken`); names are made inactive by update."""
        _check_identity(body, "delete")
        payload = {"Id": body["Id"], "SyncToken": body["SyncToken"]}
        path = f"/{entity.lower()}"
        return _entity(self._write(path, payload, request_id, operation="delete"), entity)

    def void(self, entity: str, body: Mapping[str, Any], request_id: str) -> dict[str, Any]:
        """Void one transaction (`Id`, `SyncToken`): it stays, with zero amounts."""
        _check_identity(body, "void")
        name = entity.lower()
        params = _VOID.get(name, _VOID_BY_UPDATE)
        payload: dict[str, Any] = {"Id": body["Id"], "SyncToken": body["SyncToken"]}
        if name != "invoice":
            payload["sparse"] = True
        return _entity(self._write(f"/{name}", payload, request_id, **params), entity)

    def batch_singly(self) -> bool:
        """True when a batch sent now would go as single requests (no batch request left in
        the minute, or a 429 pause)."""
        return not self._limiter.batch_ready()

    def batch(
        self, items: Sequence[BatchItem], request_id: str, *, singly: bool | None = None
    ) -> list[BatchAnswer]:
        """At most 30 items in one request; one answer per item, in item order.

        Intuit allows 40 batch requests a minute but 500 requests: when the minute's batches
        are spent, the items go as single requests (up to the in-flight limit at once, each
        with the batch's requestid and its bId), so sfqb keeps using the whole budget. A batch
        sent again passes `singly` as it went the first time, so each request repeats its id.
        """
        body = batch_body(items)
        _check_request_id(request_id, 36)
        if singly is None:
            singly = len(items) > 1 and self.batch_singly()
        if singly:
            workers = min(len(items), self.settings.limits.in_flight)
            with ThreadPoolExecutor(max_workers=workers) as pool:
                return list(pool.map(lambda item: self._single(item, request_id), items))
        call = Call(
            "POST",
            self._prefix + "/batch",
            body=body,
            write=any(item.operation is not None for item in items),
            batch=True,
            request_id=request_id,
        )
        return read_batch(items, self._transport.send(call))

    def _single(self, item: BatchItem, batch_id: str) -> BatchAnswer:
        # One batch item as its own request; a Fault answers the item, as in a batch.
        try:
            if item.query is not None:
                return BatchAnswer(item.bid, entities=tuple(self.query(item.query)))
            rid = f"{batch_id}-{item.bid}"
            path, params = f"/{item.entity.lower()}", {}
            if item.operation is BatchOperation.DELETE:
                params = {"operation": "delete"}
            answer = self._write(path, dict(item.body), rid, **params)
            return BatchAnswer(item.bid, entity=_entity(answer, item.entity))
        except QboFault as exc:
            return BatchAnswer(item.bid, fault=exc.fault)


def _http_client(settings: QboSettings) -> httpx.Client:
    verify: ssl.SSLContext | bool = True
    if settings.ca_file:
        verify = ssl.create_default_context(cafile=settings.ca_file)
    timeout = httpx.Timeout(settings.timeout, connect=min(settings.timeout, 15.0))
    return httpx.Client(base_url=settings.url, verify=verify, timeout=timeout)


def _check_request_id(value: str, limit: int) -> None:
    if not value or len(value) > limit:
        raise ValueError(f"a requestid must have 1 to {limit} characters, not {len(value)}")


def _check_identity(body: Mapping[str, Any], action: str) -> None:
    missing = [name for name in ("Id", "SyncToken") if not body.get(name) and body.get(name) != 0]
    if missing:
        raise ValueError(f"a QuickBooks Online {action} needs {' and '.join(missing)}")


def _entities(response: Mapping[str, Any]) -> list[dict[str, Any]]:
    # A QueryResponse holds one list, under the entity's name, beside startPosition/maxResults.
    for value in response.values():
        if isinstance(value, list):
            return [v for v in value if isinstance(v, dict)]
    return []


def _entity(answer: Mapping[str, Any], entity: str) -> dict[str, Any]:
    value = key(answer, entity)
    if not isinstance(value, dict):
        # Answered without the entity: as unknown an outcome as a lost reply.
        raise ReplyLost(f"QuickBooks Online's answer has no {entity}: {sorted(answer)}")
    return value
