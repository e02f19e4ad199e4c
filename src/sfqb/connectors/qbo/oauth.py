"""QuickBooks Online's OAuth 2.0 authorization-code flow, through Authlib's httpx client.

`QboOAuth` builds the authorization URL, exchanges the URL Intuit redirected the browser to
(pasted back, or received at `/qbo/callback`) for tokens, and refreshes them. The endpoints are
Intuit's by default and overridable (sfqb's sandbox). Storing the tokens, the per-company lock
and the rotation of refresh tokens are the store's (`sfqb.store.qbo_tokens`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from sfqb.connectors.qbo.api import QboAuthLost, TokenEndpointUnavailable

with warnings.catch_warnings(record=True):
    # Authlib 1.9 prefers the httpx2 package and warns (always) when it falls back to httpx,
    # the HTTP client this project and respx, its test double, use: the warning is dropped.
    from authlib.integrations.httpx_client import OAuth2Client, OAuthError

AUTHORIZE_URL = "https://appcenter.intuit.com/connect/oauth2"
TOKEN_URL = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"  # noqa: S105 - a URL
SCOPE = "com.intuit.quickbooks.accounting"
# Intuit, "Important changes to refresh token policy" (blogs.intuit.com, 2025-11-12): every
# refresh token now has a maximum validity of five years, whatever its rolling expiry says.
REFRESH_TOKEN_MAX_LIFETIME = timedelta(days=5 * 365)
TIMEOUT = 20.0


class OAuthFailed(Exception):
    """The authorization could not be completed; the text says why and what to do (one line)."""


@dataclass(frozen=True, slots=True)
class OAuthApp:
    """An Intuit app's keys and where its OAuth endpoints are.

    `verify` is httpx's: True, or the path of a CA file (the sandbox's own CA).
    """

    client_id: str
    client_secret: str
    redirect_uri: str
    authorize_url: str = AUTHORIZE_URL
    token_url: str = TOKEN_URL
    verify: bool | str = True


@dataclass(frozen=True, slots=True)
class Tokens:
    """What the token endpoint answered, with its lifetimes as times.

    `refresh_expires_at` is the rolling expiry Intuit reports (`x_refresh_token_expires_in`);
    None when the answer did not say.
    """

    access_token: str
    refresh_token: str
    expires_at: datetime
    refresh_expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class Redirect:
    """What the redirected URL carried: the code, the company's realm id and the state."""

    code: str
    realm_id: str
    state: str


def parse_redirect(url: str) -> Redirect:
    """Read the code, realmId and state from the URL Intuit redirected to; OAuthFailed if not."""
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise OAuthFailed(
            "that is not a URL: paste the whole address your browser was sent to after "
            "connecting (it starts with http and holds code=, state= and realmId=)"
        )
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    if "error" in query:
        what = query.get("error_description") or query["error"]
        raise OAuthFailed(
            f"QuickBooks Online did not authorize sfqb ({what}); open the authorization URL "
            "again and choose Connect"
        )
    missing = [k for k in ("code", "state", "realmId") if not query.get(k)]
    if missing:
        raise OAuthFailed(
            f"the URL has no {', '.join(missing)}: paste the address your browser was sent to "
            "after choosing Connect, not the authorization URL itself"
        )
    return Redirect(query["code"], query["realmId"], query["state"])


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _seconds(answer: Mapping[str, Any], key: str) -> float | None:
    value = answer.get(key)
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class QboOAuth:
    """Intuit's OAuth 2.0 for one app: authorization URL, code exchange, refresh."""

    def __init__(
        self,
        app: OAuthApp,
        clock: Callable[[], datetime],
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.app = app
        self._clock = clock
        self._transport = transport

    def _client(self) -> OAuth2Client:
        extra: dict[str, Any] = {"timeout": TIMEOUT, "verify": self.app.verify}
        if self._transport is not None:
            extra["transport"] = self._transport
        return OAuth2Client(
            client_id=self.app.client_id,
            client_secret=self.app.client_secret,
            token_endpoint_auth_method="client_secret_basic",  # noqa: S106 - a method name
            redirect_uri=self.app.redirect_uri,
            **extra,
        )

    def authorization_url(self, state: str) -> str:
        """The URL a company's admin opens to connect sfqb (scope: accounting)."""
        with self._client() as client:
            url, _ = client.create_authorization_url(
                self.app.authorize_url, state=state, scope=SCOPE
            )
        return str(url)

    def _tokens(self, answer: Mapping[str, Any], previous_refresh: str | None) -> Tokens:
        now = self._clock()
        access = answer.get("access_token")
        refresh = answer.get("refresh_token") or previous_refresh
        if not isinstance(access, str) or not access or not isinstance(refresh, str):
            raise TokenEndpointUnavailable("the token endpoint's answer has no access token")
        lifetime = _seconds(answer, "expires_in") or 3600.0
        refresh_life = _seconds(answer, "x_refresh_token_expires_in")
        return Tokens(
            access_token=access,
            refresh_token=refresh,
            expires_at=now + timedelta(seconds=lifetime),
            refresh_expires_at=now + timedelta(seconds=refresh_life) if refresh_life else None,
        )

    def exchange(self, redirect: Redirect) -> Tokens:
        """Tokens for the code of a redirect whose state the caller has checked.

        OAuthFailed when Intuit refuses the code (used, expired after a few minutes, or made
        for another app or redirect URI).
        """
        try:
            with self._client() as client:
                answer = client.fetch_token(
                    self.app.token_url, grant_type="authorization_code", code=redirect.code
                )
        except OAuthError as exc:
            raise OAuthFailed(
                f"QuickBooks Online refused the authorization code ({exc.error}"
                f"{': ' + exc.description if exc.description else ''}); a code works once and "
                "only for a few minutes: open the authorization URL again and paste the new "
                "address at once"
            ) from None
        except (httpx.HTTPError, ValueError) as exc:
            raise OAuthFailed(
                f"cannot reach QuickBooks Online's token endpoint {self.app.token_url}: "
                f"{_first_line(exc)}"
            ) from None
        return self._tokens(answer, None)

    def refresh(self, refresh_token: str) -> Tokens:
        """New tokens for `refresh_token` (Intuit may rotate it: keep the one returned).

        QboAuthLost on invalid_grant (revoked, expired, or already rotated away);
        TokenEndpointUnavailable when the endpoint cannot be reached or answers 5xx.
        """
        try:
            with self._client() as client:
                answer = client.refresh_token(self.app.token_url, refresh_token=refresh_token)
        except OAuthError as exc:
            raise QboAuthLost(str(exc.error), str(exc.description or "")) from None
        except (httpx.HTTPError, ValueError) as exc:
            raise TokenEndpointUnavailable(
                f"cannot refresh the QuickBooks Online token at {self.app.token_url}: "
                f"{_first_line(exc)}"
            ) from None
        return self._tokens(answer, refresh_token)
