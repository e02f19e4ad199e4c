"""Sessions and the OAuth 2 token endpoint (password, refresh-token and JWT bearer flows)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import threading
from collections.abc import Callable, Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from sfqb.sandbox.salesforce.config import Clock, SandboxConfig

_JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
TokenReply = tuple[int, dict[str, Any]]


class TokenStore:
    """Which bearer tokens the org accepts; issues new ones for the token endpoint."""

    def __init__(self, config: SandboxConfig, org_id: str, user_id: str, clock: Clock) -> None:
        self._config = config
        self._org_id = org_id
        self._user_id = user_id
        self._clock = clock
        self._lock = threading.Lock()
        self._access: set[str] = set()
        self._refresh: set[str] = set(config.refresh_tokens)
        self._demo_valid = True
        self._secret = secrets.token_bytes(32)

    def valid(self, token: str) -> bool:
        """True when `token` is the demo session id or an unexpired token this store issued."""
        with self._lock:
            if token == self._config.session_id:
                return self._demo_valid
            return token in self._access

    def issue_access_token(self) -> str:
        """A new access token in Salesforce's shape (org id, '!', opaque part)."""
        token = f"{self._org_id[:15]}!{secrets.token_urlsafe(48)}"
        with self._lock:
            self._access.add(token)
        return token

    def issue_refresh_token(self) -> str:
        """A new refresh token the refresh_token grant will accept."""
        token = "5Aep" + secrets.token_urlsafe(40)
        with self._lock:
            self._refresh.add(token)
        return token

    def expire_all(self, include_demo: bool = False) -> None:
        """Invalidate every issued access token (and the demo session id if asked)."""
        with self._lock:
            self._access.clear()
            if include_demo:
                self._demo_valid = False

    def revive_demo(self) -> None:
        """Accept the demo session id again."""
        with self._lock:
            self._demo_valid = True

    def token_endpoint(self, form: Mapping[str, str], instance_url: str) -> TokenReply:
        """Answer POST /services/oauth2/token with (status, JSON body)."""
        grant = form.get("grant_type", "")
        handlers: dict[str, Callable[[Mapping[str, str]], TokenReply | None]] = {
            "password": self._password,
            "refresh_token": self._refresh_grant,
            _JWT_GRANT: self._jwt,
        }
        handler = handlers.get(grant)
        if handler is None:
            return 400, _oauth_error("unsupported_grant_type", "grant type not supported")
        if grant != _JWT_GRANT and not self._client_ok(form):
            return 400, _oauth_error("invalid_client_id", "client identifier invalid")
        failure = handler(form)
        if failure is not None:
            return failure
        issued_at = str(int(self._clock().timestamp() * 1000))
        identity = f"{instance_url}/id/{self._org_id}/{self._user_id}"
        signature = hmac.new(self._secret, (identity + issued_at).encode(), hashlib.sha256)
        return 200, {
            "access_token": self.issue_access_token(),
            "instance_url": instance_url,
            "id": identity,
            "token_type": "Bearer",
            "issued_at": issued_at,
            "signature": base64.b64encode(signature.digest()).decode(),
        }

    def _client_ok(self, form: Mapping[str, str]) -> bool:
        wanted_id, wanted_secret = self._config.client_id, self._config.client_secret
        if wanted_id is not None and form.get("client_id") != wanted_id:
            return False
        return wanted_secret is None or form.get("client_secret") == wanted_secret

    def _password(self, form: Mapping[str, str]) -> TokenReply | None:
        expected = self._config.password + self._config.security_token
        if form.get("username") != self._config.username or form.get("password") != expected:
            return 400, _oauth_error("invalid_grant", "authentication failure")
        return None

    def _refresh_grant(self, form: Mapping[str, str]) -> TokenReply | None:
        with self._lock:
            known = form.get("refresh_token", "") in self._refresh
        if not known:
            return 400, _oauth_error("invalid_grant", "expired access/refresh token")
        return None

    def _jwt(self, form: Mapping[str, str]) -> TokenReply | None:
        parts = form.get("assertion", "").split(".")
        try:
            if len(parts) != 3:
                raise ValueError("not three parts")
            header = json.loads(_b64url(parts[0]))
            claims = json.loads(_b64url(parts[1]))
            signature = _b64url(parts[2])
        except (ValueError, binascii.Error):
            return 400, _oauth_error("invalid_grant", "invalid assertion")
        if header.get("alg") != "RS256" or not isinstance(claims, dict):
            return 400, _oauth_error("invalid_grant", "invalid assertion")
        if self._config.client_id is not None and claims.get("iss") != self._config.client_id:
            return 400, _oauth_error("invalid_client_id", "client identifier invalid")
        if claims.get("sub") != self._config.username:
            return 400, _oauth_error("invalid_grant", "user hasn't approved this consumer")
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or exp < self._clock().timestamp():
            return 400, _oauth_error("invalid_grant", "expired authorization code")
        key_pem = self._config.jwt_public_key
        if key_pem is not None:
            signed = f"{parts[0]}.{parts[1]}".encode()
            key = serialization.load_pem_public_key(key_pem.encode())
            if not isinstance(key, rsa.RSAPublicKey):
                return 400, _oauth_error("invalid_grant", "invalid assertion")
            try:
                key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
            except InvalidSignature:
                return 400, _oauth_error("invalid_grant", "invalid assertion")
        return None


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _oauth_error(code: str, description: str) -> dict[str, Any]:
    return {"error": code, "error_description": description}
