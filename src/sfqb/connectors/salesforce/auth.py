"""Ways to obtain a Salesforce session: password + token, JWT bearer, refresh token, or a given one.

Every flow posts to the OAuth token endpoint through the `requests.Session` it is handed (so a
private certificate authority, a proxy or a test double applies) and returns a `SessionInfo`.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from sfqb.codes import Catalog
from sfqb.connectors.salesforce.errors import (
    SalesforceAuthError,
    request_failure,
    token_error,
    transport_error,
)
from sfqb.domain.status import System

LOGIN_URL = "https://login.salesforce.com"
TOKEN_PATH = "/services/oauth2/token"  # noqa: S105 - a URL path, not a secret


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """A live session: the instance host (`host` or `host:port`) and its access token."""

    instance: str
    session_id: str = field(repr=False)


class Authenticator(Protocol):
    """Obtains sessions; `refresh` is called once when Salesforce reports INVALID_SESSION_ID."""

    @property
    def can_refresh(self) -> bool:
        """True when `refresh` can produce a new session."""
        ...

    def login(self, http: requests.Session, catalog: Catalog) -> SessionInfo:
        """The first session."""
        ...

    def refresh(self, http: requests.Session, catalog: Catalog) -> SessionInfo:
        """A new session after the old one expired; raises SalesforceAuthError if impossible."""
        ...


def request_token(
    http: requests.Session,
    catalog: Catalog,
    token_url: str,
    form: Mapping[str, str],
    timeout: float = 60.0,
) -> SessionInfo:
    """POST an OAuth 2 grant to `token_url` and read access_token + instance_url."""
    endpoint = f"the Salesforce token endpoint {urlsplit(token_url).netloc}"
    try:
        response = http.post(
            token_url, data=dict(form), headers={"Accept": "application/json"}, timeout=timeout
        )
    except requests.RequestException as exc:
        raise request_failure(catalog, exc, endpoint, timeout) from None
    try:
        content: Any = response.json()
    except ValueError:
        content = None
    if response.status_code != 200:
        raise token_error(catalog, response.status_code, content, endpoint)
    token = content.get("access_token") if isinstance(content, dict) else None
    instance_url = content.get("instance_url") if isinstance(content, dict) else None
    if not isinstance(token, str) or not token or not isinstance(instance_url, str):
        reason = "no access_token or instance_url in the token response"
        raise transport_error(
            catalog, "MALFORMED_RESPONSE", f"{endpoint} sent a response sfqb cannot read: {reason}"
        )
    instance = urlsplit(instance_url).netloc or instance_url
    return SessionInfo(instance=instance, session_id=token)


def token_url_for(login_url: str) -> str:
    """The token endpoint under a login host (https://login.salesforce.com or a My Domain)."""
    return login_url.rstrip("/") + TOKEN_PATH


@dataclass(frozen=True)
class PasswordAuth:
    """OAuth 2 username-password flow: the password is sent with the security token appended."""

    username: str
    password: str = field(repr=False)
    security_token: str = field(repr=False)
    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    login_url: str = LOGIN_URL
    timeout: float = 60.0

    @property
    def can_refresh(self) -> bool:
        """Logging in again is the refresh."""
        return True

    def login(self, http: requests.Session, catalog: Catalog) -> SessionInfo:
        """Log in with the stored credentials."""
        form = {
            "grant_type": "password",
            "client_id": self.client_id,
            "username": self.username,
            "password": self.password + self.security_token,
        }
        if self.client_secret is not None:
            form["client_secret"] = self.client_secret
        return request_token(http, catalog, token_url_for(self.login_url), form, self.timeout)

    def refresh(self, http: requests.Session, catalog: Catalog) -> SessionInfo:
        """Log in again."""
        return self.login(http, catalog)


@dataclass(frozen=True)
class RefreshTokenAuth:
    """OAuth 2 refresh-token flow: trade a stored refresh token for an access token."""

    client_id: str
    refresh_token: str = field(repr=False)
    client_secret: str | None = field(default=None, repr=False)
    login_url: str = LOGIN_URL
    timeout: float = 60.0

    @property
    def can_refresh(self) -> bool:
        """A refresh token can always be traded again (until it is revoked)."""
        return True

    def login(self, http: requests.Session, catalog: Catalog) -> SessionInfo:
        """Trade the refresh token for a session."""
        form = {
            "grant_type": "refresh_token",
            "client_id": self.client_id,
            "refresh_token": self.refresh_token,
        }
        if self.client_secret is not None:
            form["client_secret"] = self.client_secret
        return request_token(http, catalog, token_url_for(self.login_url), form, self.timeout)

    def refresh(self, http: requests.Session, catalog: Catalog) -> SessionInfo:
        """Trade the refresh token again."""
        return self.login(http, catalog)


@dataclass(frozen=True)
class JwtBearerAuth:
    """OAuth 2 JWT bearer flow: an RS256 assertion signed with the connected app's private key.

    The JWT is built here with `cryptography`; `audience` is the login host Salesforce expects
    (https://login.salesforce.com, https://test.salesforce.com or a My Domain URL).
    """

    client_id: str
    username: str
    private_key_pem: bytes = field(repr=False)
    login_url: str = LOGIN_URL
    audience: str = LOGIN_URL
    lifetime: timedelta = timedelta(minutes=3)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC), compare=False)
    timeout: float = 60.0

    @property
    def can_refresh(self) -> bool:
        """A fresh assertion gives a fresh session."""
        return True

    def assertion(self) -> str:
        """The signed JWT (header.claims.signature, base64url without padding)."""
        key = load_rsa_key(self.private_key_pem)
        expires = int((self.clock() + self.lifetime).timestamp())
        header = _b64(json.dumps({"alg": "RS256"}, separators=(",", ":")).encode())
        claims = {"iss": self.client_id, "sub": self.username, "aud": self.audience, "exp": expires}
        body = _b64(json.dumps(claims, separators=(",", ":")).encode())
        signing_input = f"{header}.{body}".encode("ascii")
        signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        return f"{header}.{body}.{_b64(signature)}"

    def login(self, http: requests.Session, catalog: Catalog) -> SessionInfo:
        """Post a new assertion to the token endpoint."""
        form = {
            "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
            "assertion": self.assertion(),
        }
        return request_token(http, catalog, token_url_for(self.login_url), form, self.timeout)

    def refresh(self, http: requests.Session, catalog: Catalog) -> SessionInfo:
        """Post another assertion."""
        return self.login(http, catalog)


@dataclass(frozen=True)
class ExistingSession:
    """A session obtained elsewhere (instance + session id), optionally with a way to renew it."""

    instance: str
    session_id: str = field(repr=False)
    refresh_with: Authenticator | None = None

    @property
    def can_refresh(self) -> bool:
        """True only when another authenticator can renew the session."""
        return self.refresh_with is not None and self.refresh_with.can_refresh

    def login(self, http: requests.Session, catalog: Catalog) -> SessionInfo:
        """The given session, untouched."""
        instance = urlsplit(self.instance).netloc if "://" in self.instance else self.instance
        return SessionInfo(instance=instance, session_id=self.session_id)

    def refresh(self, http: requests.Session, catalog: Catalog) -> SessionInfo:
        """Renew through `refresh_with`, or fail: a bare session id cannot be renewed."""
        if self.refresh_with is None:
            message = "the Salesforce session expired and no refresh token or login is configured"
            status = catalog.decode(System.SALESFORCE, "INVALID_SESSION_ID", message)
            raise SalesforceAuthError(message, [status], 401)
        return self.refresh_with.refresh(http, catalog)


def load_rsa_key(pem: bytes) -> rsa.RSAPrivateKey:
    """The RSA private key in `pem` (unencrypted PKCS#1 or PKCS#8); ValueError otherwise."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"the JWT signing key is not an unencrypted PEM private key: {exc}"
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the JWT signing key must be an RSA key (Salesforce requires RS256)")
    return key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
