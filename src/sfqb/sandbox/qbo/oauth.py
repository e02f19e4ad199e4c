"""Intuit's OAuth 2.0 endpoints, as Intuit's "OAuth 2.0" pages describe them.

* authorize: GET /connect/oauth2?client_id&response_type=code&scope&redirect_uri&state
  redirects to redirect_uri?code=..&state=..&realmId=.. (codes are single-use, 5 minutes);
* token: POST /oauth2/v1/tokens/bearer, form grant_type=authorization_code|refresh_token,
  HTTP Basic client authentication; answers access_token, refresh_token, token_type,
  expires_in 3600 and x_refresh_token_expires_in (100 days);
* the refresh token ROTATES on every refresh and the old one is then refused with
  {"error": "invalid_grant"} (stricter than Intuit, which may hand back the same value for a
  while: a client must always store the newest);
* revoke: POST /oauth2/v1/tokens/revoke {"token": ...}.
"""

from __future__ import annotations

import base64
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sfqb.sandbox.qbo.config import QboConfig

ACCESS_SECONDS = 3600
REFRESH_SECONDS = 8_726_400
CODE_LIFETIME = timedelta(minutes=5)


@dataclass
class _Grant:
    app: str
    expires: datetime | None


class OAuthError(Exception):
    """An OAuth error answer: HTTP status and the `error` value."""

    def __init__(self, status: int, error: str, description: str = "") -> None:
        super().__init__(error)
        self.status, self.error, self.description = status, error, description

    def body(self) -> dict[str, str]:
        """The JSON body Intuit answers."""
        body = {"error": self.error}
        if self.description:
            body["error_description"] = self.description
        return body


class Tokens:
    """Access tokens, rotating refresh tokens and authorization codes of the sandbox's apps."""

    def __init__(self, config: QboConfig, clock: Callable[[], datetime]) -> None:
        self.config = config
        self.clock = clock
        self._lock = threading.Lock()
        self.apps: dict[str, str] = {config.client_id: config.client_secret}
        self._access: dict[str, _Grant] = {config.access_token: _Grant(config.client_id, None)}
        self._refresh: dict[str, _Grant] = {
            config.refresh_token: _Grant(
                config.client_id, clock() + timedelta(seconds=REFRESH_SECONDS)
            )
        }
        self._codes: dict[str, tuple[str, str, datetime]] = {}
        self.refreshes = 0

    def add_app(self, client_id: str, secret: str, access_token: str) -> None:
        """Register another app of the same company (for the shared rate limit)."""
        with self._lock:
            self.apps[client_id] = secret
            self._access[access_token] = _Grant(client_id, None)

    def app_for(self, token: str) -> str | None:
        """The app a bearer token belongs to, or None when it is unknown or expired."""
        with self._lock:
            grant = self._access.get(token)
            if grant is None or (grant.expires is not None and grant.expires <= self.clock()):
                return None
            return grant.app

    def expire_access_tokens(self) -> None:
        """Every access token issued so far (the demo one too) expires now."""
        with self._lock:
            now = self.clock()
            for grant in self._access.values():
                grant.expires = now

    def revoke_refresh_tokens(self) -> None:
        """Every refresh token stops working (the user disconnected the app)."""
        with self._lock:
            self._refresh.clear()

    @property
    def current_refresh_tokens(self) -> list[str]:
        """The refresh tokens the endpoint accepts now."""
        with self._lock:
            return list(self._refresh)

    def authorize(self, params: dict[str, str]) -> str:
        """The redirect URL for an authorization request (OAuthError when it is refused)."""
        client_id, redirect = params.get("client_id", ""), params.get("redirect_uri", "")
        if client_id not in self.apps:
            raise OAuthError(400, "invalid_client", "unknown client_id")
        if params.get("response_type") != "code" or not redirect:
            raise OAuthError(400, "invalid_request", "response_type=code and redirect_uri needed")
        if self.config.redirect_uris and redirect not in self.config.redirect_uris:
            raise OAuthError(400, "invalid_request", "redirect_uri is not registered")
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = (client_id, redirect, self.clock() + CODE_LIFETIME)
        query = {"code": code, "state": params.get("state", ""), "realmId": self.config.realm}
        return f"{redirect}{'&' if '?' in redirect else '?'}{urlencode(query)}"

    def token(self, form: dict[str, str], authorization: str) -> dict[str, Any]:
        """Answer the token endpoint (OAuthError for invalid_client / invalid_grant)."""
        client_id = self._client(authorization)
        grant_type = form.get("grant_type")
        with self._lock:
            now = self.clock()
            if grant_type == "authorization_code":
                code = self._codes.pop(form.get("code", ""), None)
                if code is None or code[0] != client_id or code[2] <= now:
                    raise OAuthError(400, "invalid_grant")
                if form.get("redirect_uri") != code[1]:
                    raise OAuthError(400, "invalid_grant", "redirect_uri does not match")
            elif grant_type == "refresh_token":
                grant = self._refresh.pop(form.get("refresh_token", ""), None)
                if grant is None or grant.app != client_id or (grant.expires or now) <= now:
                    raise OAuthError(400, "invalid_grant")
                self.refreshes += 1
            else:
                raise OAuthError(400, "unsupported_grant_type")
            access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            self._access[access] = _Grant(client_id, now + timedelta(seconds=ACCESS_SECONDS))
            self._refresh[refresh] = _Grant(client_id, now + timedelta(seconds=REFRESH_SECONDS))
        return {
            "token_type": "bearer",
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": ACCESS_SECONDS,
            "x_refresh_token_expires_in": REFRESH_SECONDS,
        }

    def revoke(self, token: str, authorization: str) -> None:
        """Revoke one access or refresh token."""
        self._client(authorization)
        with self._lock:
            self._refresh.pop(token, None)
            self._access.pop(token, None)

    def _client(self, authorization: str) -> str:
        scheme, _, encoded = authorization.partition(" ")
        try:
            decoded = base64.b64decode(encoded, validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            decoded = ""
        client_id, _, secret = decoded.partition(":")
        if scheme.lower() != "basic" or self.apps.get(client_id) != secret or not secret:
            raise OAuthError(401, "invalid_client")
        return client_id
