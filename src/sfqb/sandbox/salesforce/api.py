"""The REST API as plain request -> response, independent of the HTTP server around it."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from sfqb.sandbox.salesforce import resources
from sfqb.sandbox.salesforce.auth import TokenStore
from sfqb.sandbox.salesforce.errors import OrgError, not_found
from sfqb.sandbox.salesforce.faults import Faults, RequestFault
from sfqb.sandbox.salesforce.ids import IdMinter
from sfqb.sandbox.salesforce.messages import Call, Request, Response
from sfqb.sandbox.salesforce.org import Org
from sfqb.sandbox.salesforce.query import run_query
from sfqb.sandbox.salesforce.sobjects import SObjectRoutes
from sfqb.sandbox.salesforce.values import format_datetime, parse_datetime

_VERSIONED = re.compile(r"/services/data/v(\d+\.\d)(?:/(.*))?")
_MAX_CURSORS = 64


class RestApi:
    """Routes requests to the org; counts API usage; applies request-level faults."""

    def __init__(
        self,
        org: Org,
        faults: Faults,
        tokens: TokenStore,
        *,
        instance_url: Callable[[], str],
        page_size: int,
        api_max: int,
    ) -> None:
        self.org = org
        self.faults = faults
        self.tokens = tokens
        self.instance_url = instance_url
        self.page_size = page_size
        self.api_max = api_max
        self.settings = resources.load_api_settings()
        self.versions = set(resources.supported_versions(self.settings))
        self.sobjects = SObjectRoutes(org, faults)
        self._lock = threading.Lock()
        self._used = 0
        self._calls: list[Call] = []
        self._cursors: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
        self._cursor_ids = IdMinter(pod="D0")

    @property
    def api_usage(self) -> int:
        """API requests counted so far (what Sforce-Limit-Info reports as used)."""
        with self._lock:
            return self._used

    def calls(self) -> list[Call]:
        """A copy of the request log."""
        with self._lock:
            return list(self._calls)

    def clear_calls(self) -> None:
        """Empty the request log."""
        with self._lock:
            self._calls.clear()

    def handle(self, request: Request) -> Response:
        """Answer one request; never raises."""
        try:
            response = self._route(request)
        except OrgError as exc:
            response = Response(exc.status, [exc.to_json()])
        except Exception as exc:  # a sandbox bug must still answer like Salesforce's 500
            error = OrgError("UNKNOWN_EXCEPTION", f"An unexpected error occurred: {exc!r}", (), 500)
            response = Response(500, [error.to_json()])
        with self._lock:
            used = self._used
            self._calls.append(
                Call(
                    request.method,
                    request.path,
                    request.query,
                    dict(request.headers),
                    response.status,
                )
            )
        if request.path.startswith("/services/data"):
            response.headers.setdefault("Sforce-Limit-Info", f"api-usage={used}/{self.api_max}")
        return response

    def _route(self, request: Request) -> Response:
        path = request.path
        if path.rstrip("/") == "/services/oauth2/token":
            if request.method != "POST":
                raise _method_not_allowed(request.method, "POST")
            form = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
            status, body = self.tokens.token_endpoint(form, self.instance_url())
            return Response(status, body)
        if path.rstrip("/") == "/services/data":
            return Response(200, resources.versions_body(self.settings))
        match = _VERSIONED.fullmatch(path)
        if match is None:
            raise not_found()
        version, rest = match.group(1), (match.group(2) or "").strip("/")
        if version not in self.versions:
            raise not_found()
        self._admit(request)
        return self._dispatch(request, version, rest.split("/") if rest else [])

    def _admit(self, request: Request) -> None:
        auth = request.headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() not in ("bearer", "oauth") or not self.tokens.valid(token.strip()):
            raise OrgError("INVALID_SESSION_ID", "Session expired or invalid", status=401)
        if self.faults.api_disabled:
            # An edition without API access (or a user without "API Enabled") gets 403
            # API_DISABLED_FOR_ORG on every REST call ("Status Codes and Error Responses",
            # REST API Developer Guide; the message is the platform's).
            raise OrgError(
                "API_DISABLED_FOR_ORG",
                "API is not enabled for this Organization or Partner",
                status=403,
            )
        fault = self.faults.take_request_fault()
        if fault is RequestFault.INVALID_SESSION_ID:
            raise OrgError("INVALID_SESSION_ID", "Session expired or invalid", status=401)
        with self._lock:
            exhausted = self._used >= self.api_max
            if fault is None and not exhausted:
                self._used += 1
        if fault is RequestFault.REQUEST_LIMIT_EXCEEDED or exhausted:
            raise OrgError("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.", status=403)

    def _dispatch(self, request: Request, version: str, parts: list[str]) -> Response:
        head = parts[0] if parts else ""
        if not parts:
            return Response(200, resources.resource_map(version))
        if head == "limits" and len(parts) == 1:
            used = self.api_usage
            return Response(200, resources.limits_body(self.settings, used, self.api_max))
        if head in ("query", "queryAll"):
            if request.method != "GET":
                raise _method_not_allowed(request.method, "GET")
            return self._query(request, version, head, parts[1:])
        if head == "sobjects":
            return self._sobjects(request, version, parts[1:])
        if head == "composite" and len(parts) >= 2 and parts[1] == "sobjects":
            return self.sobjects.composite(request.method, request, parts[2:])
        raise not_found()

    def _sobjects(self, request: Request, version: str, parts: list[str]) -> Response:
        method = request.method
        if not parts:
            return Response(200, resources.global_describe(self.org.schema, version))
        obj = self.org.describe(parts[0])
        if len(parts) == 1:
            if method == "GET":
                return Response(200, resources.sobject_info(obj, version))
            if method == "POST":
                return self.sobjects.create(obj.name, request)
            raise _method_not_allowed(method, "GET,HEAD,POST")
        if len(parts) == 2 and parts[1] == "describe":
            return Response(200, resources.describe(obj, version))
        if len(parts) == 2 and parts[1] in ("deleted", "updated"):
            return self._replication(request, obj.name, parts[1])
        if len(parts) == 2:
            return self.sobjects.by_id(obj.name, parts[1], request, version)
        if len(parts) == 3:
            return self.sobjects.by_external_id(obj.name, parts[1], parts[2], request, version)
        raise not_found()

    def _query(self, request: Request, version: str, endpoint: str, rest: list[str]) -> Response:
        size = self._batch_size(request)
        if rest:
            cursor, _, offset = rest[0].rpartition("-")
            with self._lock:
                records = self._cursors.get(cursor)
                if records is not None:
                    self._cursors.move_to_end(cursor)
            if records is None or not offset.isdigit():
                raise OrgError("INVALID_QUERY_LOCATOR", "invalid query locator")
            return self._page(version, endpoint, cursor, records, int(offset), size=size)
        text = request.param("q")
        if not text:
            raise OrgError("MALFORMED_QUERY", "A query string has to be specified")
        result = run_query(self.org, text, endpoint == "queryAll", version)
        if len(result.records) <= size:
            return Response(
                200, {"totalSize": result.total_size, "done": True, "records": result.records}
            )
        with self._lock:
            cursor = self._cursor_ids.mint("01g")
            self._cursors[cursor] = result.records
            while len(self._cursors) > _MAX_CURSORS:
                self._cursors.popitem(last=False)
        return self._page(version, endpoint, cursor, result.records, 0, size=size)

    def _batch_size(self, request: Request) -> int:
        """Records per page: the request's `Sforce-Query-Options: batchSize=N` (200-2000, as
        Salesforce takes it) when smaller than the org's page size.

        Salesforce REST API Developer Guide, "Query Options Header": default 2,000, minimum
        200, maximum 2,000, and no guarantee the batch is that size. Salesforce also counts a
        relationship query's child records toward the batch; the sandbox counts parents only.
        """
        for option in request.headers.get("sforce-query-options", "").split(","):
            name, _, value = option.partition("=")
            if name.strip() == "batchSize" and value.strip().isdigit():
                return min(self.page_size, max(200, min(2000, int(value))))
        return self.page_size

    def _page(
        self,
        version: str,
        endpoint: str,
        cursor: str,
        records: list[dict[str, Any]],
        offset: int,
        *,
        size: int,
    ) -> Response:
        end = offset + size
        body: dict[str, Any] = {
            "totalSize": len(records),
            "done": end >= len(records),
            "records": records[offset:end],
        }
        if not body["done"]:
            body["nextRecordsUrl"] = f"/services/data/v{version}/{endpoint}/{cursor}-{end}"
        return Response(200, body)

    def _replication(self, request: Request, sobject: str, kind: str) -> Response:
        if request.method != "GET":
            raise _method_not_allowed(request.method, "GET")
        now = self.org.now()
        start, end = (_minute(request, name) for name in ("start", "end"))
        end = min(end, now.replace(second=0, microsecond=0))
        days = 15 if kind == "deleted" else 30
        if start > end:
            raise OrgError(
                "INVALID_REPLICATION_DATE", "startDate must chronologically precede endDate"
            )
        if start < now - timedelta(days=days):
            raise OrgError(
                "INVALID_REPLICATION_DATE", f"startDate cannot be more than {days} days ago"
            )
        if kind == "updated":
            ids = self.org.updated_ids(sobject, start, end)
            return Response(200, {"ids": ids, "latestDateCovered": format_datetime(end)})
        gone = self.org.deletions(sobject, start, end)
        earliest = min((d.deleted for d in gone), default=start)
        return Response(
            200,
            {
                "deletedRecords": [
                    {"id": d.id, "deletedDate": format_datetime(d.deleted)} for d in gone
                ],
                "earliestDateAvailable": format_datetime(earliest),
                "latestDateCovered": format_datetime(end),
            },
        )


def _minute(request: Request, name: str) -> datetime:
    """A start/end parameter with its seconds dropped, as Salesforce does."""
    raw = request.param(name)
    if not raw:
        raise OrgError("MISSING_ARGUMENT", f"Missing parameter: {name}")
    try:
        value = parse_datetime(raw.replace(" ", "+"))
    except ValueError:
        raise OrgError("INVALID_REPLICATION_DATE", f"Invalid {name} date: {raw}") from None
    return value.replace(second=0, microsecond=0)


def _method_not_allowed(method: str, allowed: str) -> OrgError:
    return OrgError(
        "METHOD_NOT_ALLOWED",
        f"HTTP Method '{method}' not allowed. Allowed are {allowed}",
        status=405,
    )
