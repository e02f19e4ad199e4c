"""Plain request, response and call-log records shared by the API and the HTTP server."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from sfqb.sandbox.salesforce.errors import OrgError

_WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})


@dataclass(frozen=True)
class Request:
    """One HTTP request; header names are lower-case."""

    method: str
    path: str
    query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def param(self, name: str) -> str | None:
        """The first value of a query-string parameter."""
        values = parse_qs(self.query, keep_blank_values=True).get(name)
        return values[0] if values else None

    def json(self) -> Any:
        """The body parsed as JSON (JSON_PARSER_ERROR when it is not)."""
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise OrgError(
                "JSON_PARSER_ERROR", f"Unexpected character in the body: {exc}"
            ) from None


@dataclass
class Response:
    """Status, JSON body (None: empty) and extra headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Call:
    """One request the sandbox answered, for tests to inspect."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    status: int

    @property
    def call_options(self) -> str | None:
        """The Sforce-Call-Options header, e.g. "client=sfqb"."""
        return self.headers.get("sforce-call-options")

    @property
    def is_write(self) -> bool:
        """True for data API calls that change records."""
        return self.method in _WRITES and self.path.startswith("/services/data")
