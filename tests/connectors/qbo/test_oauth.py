"""Intuit's OAuth 2.0 through Authlib: authorization URL, pasted redirect, exchange, refresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import respx

from sfqb.connectors.qbo.api import QboAuthLost
from sfqb.connectors.qbo.oauth import (
    AUTHORIZE_URL,
    SCOPE,
    TOKEN_URL,
    OAuthApp,
    OAuthFailed,
    QboOAuth,
    Redirect,
    TokenEndpointUnavailable,
    parse_redirect,
)

T0 = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
APP = OAuthApp("client-1", "secret-1", "https://sfqb.example/qbo/callback")
CALLBACK = "https://sfqb.example/qbo/callback"


def oauth() -> QboOAuth:
    return QboOAuth(APP, lambda: T0)


def test_the_authorization_url_is_intuits_with_scope_state_and_redirect() -> None:
    url = oauth().authorization_url("state-1")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == AUTHORIZE_URL
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query == {
        "response_type": "code",
        "client_id": "client-1",
        "redirect_uri": CALLBACK,
        "scope": SCOPE,
        "state": "state-1",
    }


def test_the_endpoints_can_be_overridden_for_sfqbs_sandbox() -> None:
    app = OAuthApp("c", "s", CALLBACK, authorize_url="https://127.0.0.1:9/auth")
    assert QboOAuth(app, lambda: T0).authorization_url("x").startswith("https://127.0.0.1:9/auth?")


def test_a_redirect_gives_code_realm_and_state() -> None:
    found = parse_redirect(f"  {CALLBACK}?code=AB1&state=s1&realmId=9130  \n")
    assert found == Redirect("AB1", "9130", "s1")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("just some text", "not a URL"),
        (f"{CALLBACK}?state=s1&realmId=9130", "has no code"),
        (f"{CALLBACK}?code=c&state=s1", "has no realmId"),
        (AUTHORIZE_URL + "?client_id=c&scope=x", "not the authorization URL itself"),
        (f"{CALLBACK}?error=access_denied&state=s1", "did not authorize sfqb (access_denied)"),
    ],
)
def test_a_wrong_url_is_refused_clearly(url: str, says: str) -> None:
    with pytest.raises(OAuthFailed, match=says.replace("(", r"\(").replace(")", r"\)")):
        parse_redirect(url)


@respx.mock
def test_the_code_is_exchanged_with_basic_auth_and_lifetimes_become_times() -> None:
    route = respx.post(TOKEN_URL).respond(json={
        "access_token": "a1", "refresh_token": "r1", "token_type": "bearer",
        "expires_in": 3600, "x_refresh_token_expires_in": 8_726_400,
    })  # fmt: skip
    tokens = oauth().exchange(Redirect("AB1", "9130", "s1"))
    assert (tokens.access_token, tokens.refresh_token) == ("a1", "r1")
    assert tokens.expires_at == T0 + timedelta(hours=1)
    assert tokens.refresh_expires_at == T0 + timedelta(days=101)
    request = route.calls[0].request
    assert request.headers["authorization"].startswith("Basic ")
    form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
    assert form == {"grant_type": "authorization_code", "code": "AB1", "redirect_uri": CALLBACK}


@respx.mock
def test_a_used_or_expired_code_is_a_clear_failure() -> None:
    respx.post(TOKEN_URL).respond(400, json={"error": "invalid_grant"})
    with pytest.raises(OAuthFailed, match=r"refused the authorization code.*open the author"):
        oauth().exchange(Redirect("old", "9130", "s1"))


@respx.mock
def test_refresh_returns_the_rotated_refresh_token() -> None:
    route = respx.post(TOKEN_URL).respond(
        json={"access_token": "a2", "refresh_token": "r2", "expires_in": 3600}
    )
    tokens = oauth().refresh("r1")
    assert (tokens.access_token, tokens.refresh_token) == ("a2", "r2")
    assert tokens.refresh_expires_at is None
    form = {k: v[0] for k, v in parse_qs(route.calls[0].request.content.decode()).items()}
    assert form == {"grant_type": "refresh_token", "refresh_token": "r1"}


@respx.mock
def test_invalid_grant_on_refresh_is_auth_lost() -> None:
    respx.post(TOKEN_URL).respond(400, json={"error": "invalid_grant", "error_description": "x"})
    with pytest.raises(QboAuthLost) as caught:
        oauth().refresh("r1")
    assert caught.value.error == "invalid_grant"


@respx.mock
@pytest.mark.parametrize(
    "answer", [httpx.Response(503, text="down"), httpx.ConnectError("refused")]
)
def test_an_unreachable_token_endpoint_is_not_auth_lost(answer: object) -> None:
    if isinstance(answer, Exception):
        respx.post(TOKEN_URL).mock(side_effect=answer)
    else:
        respx.post(TOKEN_URL).mock(return_value=answer)
    with pytest.raises(TokenEndpointUnavailable) as caught:
        oauth().refresh("r1")
    assert "\n" not in str(caught.value)
