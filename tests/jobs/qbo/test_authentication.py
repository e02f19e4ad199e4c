"""Authentication: an expired access token is refreshed once (Intuit rotates the refresh
token, the new one is stored); a revoked refresh token (invalid_grant) pauses the company with
one alert and the reconnect message, and nothing is sent until it is reconnected.

Intuit, "Refresh the token" (developer.intuit.com/app/developer/qbo/docs/develop/
authentication-and-authorization/oauth-2.0#refresh-the-token: "always store the latest refresh
token") and the OAuth 2.0 FAQ (invalid_grant: the user must authorize again).
"""

from __future__ import annotations

import pytest

from sfqb.connectors.qbo.oauth import OAuthFailed
from sfqb.domain.entities import SfObject
from sfqb.sandbox.demo import COMPANY

from .conftest import Qbo


def test_expired_access_token_refreshed_once_and_the_rotated_refresh_token_stored(
    qbo: Qbo,
) -> None:
    before = qbo.world.store.qbo_tokens.current(COMPANY)
    account = qbo.account("Acme Tools")
    qbo.sandbox.tokens.expire_access_tokens()
    qbo.cycle()
    assert qbo.qb_id(SfObject.ACCOUNT, account) is not None
    assert qbo.sandbox.tokens.refreshes == 1
    assert qbo.world.store.qbo_tokens.current(COMPANY) != before
    assert qbo.world.store.alerts.items(COMPANY) == []


def test_invalid_grant_pauses_the_company_with_one_alert_and_sends_nothing_more(
    qbo: Qbo,
) -> None:
    account = qbo.account("Acme Tools")
    qbo.sandbox.tokens.expire_access_tokens()
    qbo.sandbox.tokens.revoke_refresh_tokens()
    qbo.cycle()
    assert qbo.qb_id(SfObject.ACCOUNT, account) is None
    [alert] = qbo.world.store.alerts.items(COMPANY)
    assert "reconnect" in alert.subject.lower()
    assert f"sfqb connect qbo --company {COMPANY}" in alert.body
    calls = qbo.sandbox.call_count()
    with pytest.raises(OAuthFailed, match="connect qbo"):
        qbo.cycle(wait=3600)
    assert qbo.sandbox.call_count() == calls
    assert len(qbo.world.store.alerts.items(COMPANY)) == 1
    assert qbo.sandbox.records("Customer") == []
