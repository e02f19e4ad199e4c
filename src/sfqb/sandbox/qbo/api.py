"""The request pipeline: gateway (realm, token, limits, injected faults), minorversion,
requestid replay, the resource, and the answer in JSON (or XML for a Fault when asked)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sfqb.sandbox.qbo import custom_fields, errors, resources
from sfqb.sandbox.qbo.books import Books
from sfqb.sandbox.qbo.company import Company
from sfqb.sandbox.qbo.config import MIN_MINOR_VERSION
from sfqb.sandbox.qbo.injection import Injection
from sfqb.sandbox.qbo.limits import Limits
from sfqb.sandbox.qbo.oauth import Tokens

JSON = "application/json;charset=UTF-8"
XML = "application/xml;charset=UTF-8"
# requestid lengths from Intuit's field definitions (50; 36 for a batch), answered as the
# Java SDK #180 thread quotes: 6000 "You cannot enter more than 50 characters ...".
REQUESTID_MAX, BATCH_REQUESTID_MAX = 50, 36
# The gateway's 403 for a realm the token is not for (intuit/oauth-jsclient #2 quotes it).
_AUTHZ_FAILED = "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403"


@dataclass(frozen=True)
class Answer:
    """What to send back; `lost` means: drop the connection instead."""

    status: int
    body: bytes
    content_type: str = JSON
    lost: bool = False


@dataclass(frozen=True)
class Call:
    """One API request in the log."""

    when: datetime
    method: str
    path: str
    params: dict[str, str]
    app: str | None
    status: int
    requestid: str | None = None
    replayed: bool = False
    lost: bool = False
    code: str | None = None
    batch_items: int = 0


@dataclass
class CallLog:
    """Every API request answered, with counts."""

    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, call: Call) -> None:
        """Record one call."""
        with self.lock:
            self.calls.append(call)

    def count(self, status: int | None = None) -> int:
        """How many calls (with that status)."""
        with self.lock:
            return sum(1 for c in self.calls if status is None or c.status == status)


class Api:
    """Answers every request under /v3/company/{realm}/."""

    def __init__(
        self, company: Company, tokens: Tokens, limits: Limits, injection: Injection
    ) -> None:
        self.company, self.tokens, self.limits, self.injection = company, tokens, limits, injection
        self.books = Books(company)
        self.log = CallLog()
        self._replies: dict[str, Answer] = {}
        self._replay_lock = threading.Lock()

    def handle(
        self, method: str, path: str, params: dict[str, str], headers: dict[str, str], body: bytes
    ) -> Answer:
        """Answer one request (path starts after /v3/company/)."""
        now = self.company.clock()
        realm, _, rest = path.partition("/")
        xml = "xml" in headers.get("accept", "") and "json" not in headers.get("accept", "")
        token = headers.get("authorization", "")
        app = self.tokens.app_for(token[7:]) if token[:7].lower() == "bearer " else None
        requestid = params.get("requestid") if method == "POST" else None

        def logged(answer: Answer, **extra: Any) -> Answer:
            self.log.add(
                Call(
                    now,
                    method,
                    path,
                    params,
                    app,
                    answer.status,
                    requestid,
                    lost=answer.lost,
                    **extra,
                )
            )
            return answer

        if app is None:
            detail = "Token expired or invalid" if token else "Authorization header missing"
            return logged(Answer(401, errors.gateway_auth(detail, now)), code="3200")
        if realm != self.company.realm:
            body_403 = json.dumps(
                {
                    "fault": {
                        "error": [
                            {
                                "message": _AUTHZ_FAILED,
                                "detail": None,
                                "code": "3100",
                                "element": None,
                            }
                        ],
                        "type": "SERVICE",
                    }
                }
            ).encode()
            return logged(Answer(403, body_403), code="3100")
        batch = rest.lower() == "batch"
        if not self.limits.enter(app):
            return logged(Answer(429, errors.throttle_xml(now), XML), code="3001")
        try:
            admitted = self.limits.admit(app, batch=batch)
            if not admitted or self.injection.take_throttle():
                return logged(Answer(429, errors.throttle_xml(now), XML), code="3001")
            status = self.injection.take_server_error()
            if status is not None:
                fault = errors.QboError(
                    "10000",
                    "An application error has occurred while processing your request",
                    "System Failure Error: injected by the sandbox",
                    status=status,
                    fault_type="SystemFault",
                )
                return logged(self._fault(fault, now, xml), code="10000")
            try:
                self._check_minor(params)
                if requestid is not None:
                    limit = BATCH_REQUESTID_MAX if batch else REQUESTID_MAX
                    if len(requestid) > limit:
                        raise errors.business(
                            f"You cannot enter more than {limit} characters in the request_id "
                            f"field. You tried entering {requestid[:10]}..., which is "
                            f"{len(requestid)} characters."
                        )
            except errors.QboError as exc:
                return logged(self._fault(exc, now, xml), code=exc.code)
            if requestid is not None:
                with self._replay_lock:
                    original = self._replies.get(requestid)
                if original is not None:
                    return logged(original, replayed=True)
            answer, code, items = self._resource(method, rest, params, body, requestid, now, xml)
            if requestid is not None:
                with self._replay_lock:
                    self._replies[requestid] = answer
            if self.injection.take_lost_reply():
                answer = Answer(answer.status, answer.body, answer.content_type, lost=True)
            return logged(answer, code=code, batch_items=items)
        finally:
            self.limits.leave(app)

    def _check_minor(self, params: dict[str, str]) -> None:
        # Intuit ignores minor versions under 75 since 2025-08-01 and answers as 75 (Intuit's
        # blog "Changes to our Accounting API that may impact your application"). The sandbox
        # refuses them, and a missing one, so a client cannot rely on the default.
        text = params.get("minorversion", "")
        if not text.isdigit() or int(text) < MIN_MINOR_VERSION:
            raise errors.invalid_property(
                f"minorversion {text or '(none)'} is not supported: send {MIN_MINOR_VERSION} "
                "or later",
                "minorversion",
            )

    def _resource(  # noqa: PLR0917
        self,
        method: str,
        rest: str,
        params: dict[str, str],
        body: bytes,
        requestid: str | None,
        now: datetime,
        xml: bool,
    ) -> tuple[Answer, str | None, int]:
        parts = [p for p in rest.split("/") if p]
        try:
            result, items = self._route(method, parts, params, body, requestid), 0
            result = custom_fields.hide_unless_included(result, params)
            if parts and parts[0].lower() == "batch":
                items = len(result.get("BatchItemResponse", []))
        except errors.QboError as exc:
            return self._fault(exc, now, xml), exc.code, 0
        result["time"] = errors.stamp(now)
        return Answer(200, json.dumps(result).encode()), None, items

    def _route(
        self,
        method: str,
        parts: list[str],
        params: dict[str, str],
        body: bytes,
        requestid: str | None,
    ) -> dict[str, Any]:
        if not parts:
            raise errors.unsupported("on the company root")
        head = parts[0].lower()
        company = self.company
        if head == "query":
            text = params.get("query") if method == "GET" else body.decode("utf-8", "replace")
            return resources.run_query(company, text or "")
        if head == "batch" and method == "POST":
            return resources.batch(
                self.books,
                resources.parse_json(body),
                company.config.batch_max_items,
                params.get("requestid"),
            )
        if head == "cdc" and method == "GET":
            return resources.cdc(
                company, params.get("entities", ""), params.get("changedSince", "")
            )
        if head == "preferences":
            update = resources.parse_json(body) if method == "POST" else None
            return resources.preferences(company, update)
        if head == "companyinfo" and method == "GET":
            return {"CompanyInfo": dict(company.company_info)}
        entity = resources.entity_name(head)
        if method == "GET" and len(parts) == 2:
            return {entity: self.books.read(entity, parts[1])}
        if method == "POST" and len(parts) == 1:
            return resources.write(
                self.books, entity, params.get("operation"), resources.parse_json(body)
            )
        raise errors.unsupported(f"{method} on {'/'.join(parts)}")

    def _fault(self, error: errors.QboError, now: datetime, xml: bool) -> Answer:
        if xml:
            return Answer(error.status, errors.fault_xml(error, now), XML)
        return Answer(error.status, errors.fault_json(error, now))
