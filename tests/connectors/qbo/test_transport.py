"""Retries keep the requestid; 401, 429, 5xx and lost replies become what the engine expects."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import respx

from sfqb.connectors.qbo.api import QboAuthLost, QboFault
from sfqb.connectors.qbo.client import request_id
from sfqb.domain.status import Category, System
from sfqb.sync.ops import QuickBooksUnavailable, ReplyLost

from .conftest import Rig, fixture, ok

BODY = {"DisplayName": "Acme"}
CREATED = ok({"Customer": {"Id": "1", "SyncToken": "0"}})


def request_ids(route: respx.Route) -> list[str]:
    return [parse_qs(urlsplit(str(c.request.url)).query)["requestid"][0] for c in route.calls]


def create(rig: Rig) -> dict[str, object]:
    return rig.client.create("Customer", BODY, request_id("op-1:a1", BODY))


def test_429_is_absorbed_waiting_as_intuit_says(rig: Rig) -> None:
    route = rig.mock.post("/customer").mock(
        side_effect=[
            ok({}, 429, **{"Retry-After": "7"}),
            fixture("throttle-3001.xml", 429),
            CREATED,
        ]
    )
    assert create(rig)["Id"] == "1"
    assert len(set(request_ids(route))) == 1 and route.call_count == 3
    assert 7 in rig.clock.slept and 60 in rig.clock.slept  # Retry-After, then Intuit's 60 s
    assert rig.meter.writes == 3


def test_429_past_the_bound_is_unavailable_with_the_decoded_429(rig: Rig) -> None:
    route = rig.mock.post("/customer").mock(return_value=fixture("throttle-3001.xml", 429))
    with pytest.raises(QuickBooksUnavailable) as caught:
        create(rig)
    status = caught.value.status
    assert (status.system, status.code) == (System.QBO, "http-429")
    assert status.category is Category.RATE_LIMIT and status.retryable
    assert route.call_count == 4 and len(set(request_ids(route))) == 1


def test_5xx_is_retried_with_the_same_requestid(rig: Rig) -> None:
    route = rig.mock.post("/customer").mock(side_effect=[ok({}, 500), ok({}, 503), CREATED])
    assert create(rig)["Id"] == "1"
    assert len(set(request_ids(route))) == 1 and route.call_count == 3
    assert rig.clock.slept[:2] == [1.0, 2.0]  # backoff doubles


def test_5xx_on_a_read_past_the_bound_is_unavailable(rig: Rig) -> None:
    route = rig.mock.get("/preferences").mock(return_value=ok({}, 502))
    with pytest.raises(QuickBooksUnavailable) as caught:
        rig.client.preferences()
    assert caught.value.status.code == "http-502"
    assert route.call_count == 4


def test_500_on_a_write_past_the_bound_is_a_lost_reply(rig: Rig) -> None:
    # A 500 may come after QuickBooks processed the write: the engine must look before re-adding.
    rig.mock.post("/customer").mock(return_value=ok({}, 500))
    with pytest.raises(ReplyLost):
        create(rig)
    rig.mock.post("/customer").mock(return_value=ok({}, 503))
    with pytest.raises(QuickBooksUnavailable):
        create(rig)


def test_a_lost_reply_is_sent_again_with_the_same_requestid(rig: Rig) -> None:
    route = rig.mock.post("/customer").mock(
        side_effect=[httpx.ReadTimeout, httpx.RemoteProtocolError, CREATED]
    )
    assert create(rig)["Id"] == "1"
    assert len(set(request_ids(route))) == 1 and route.call_count == 3
    assert rig.meter.writes == 3


def test_replies_lost_past_the_bound_raise_reply_lost(rig: Rig) -> None:
    route = rig.mock.post("/customer").mock(side_effect=httpx.ReadTimeout)
    with pytest.raises(ReplyLost):
        create(rig)
    assert route.call_count == 3 and len(set(request_ids(route))) == 1


def test_a_retry_of_the_attempt_reuses_the_requestid_a_new_body_does_not(rig: Rig) -> None:
    route = rig.mock.post("/customer").mock(side_effect=[httpx.ReadTimeout] * 3 + [CREATED] * 2)
    with pytest.raises(ReplyLost):
        create(rig)
    create(rig)  # the engine's retry of the same attempt
    changed = {"DisplayName": "Acme (2)"}
    rig.client.create("Customer", changed, request_id("op-1:a1", changed))
    ids = request_ids(route)
    assert len(set(ids[:4])) == 1 and ids[4] != ids[0]


def test_connect_failure_is_unavailable_and_nothing_was_sent(rig: Rig) -> None:
    rig.mock.post("/customer").mock(side_effect=httpx.ConnectError("Connection refused"))
    with pytest.raises(QuickBooksUnavailable) as caught:
        create(rig)
    status = caught.value.status
    assert (status.system, status.code) == (System.TRANSPORT, "CONNECTOR_UNREACHABLE")
    assert "Connection refused" in status.message
    assert rig.meter.writes == 0


def test_tls_failure_is_unavailable_as_a_tls_error(rig: Rig) -> None:
    error = httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    rig.mock.get("/preferences").mock(side_effect=error)
    with pytest.raises(QuickBooksUnavailable) as caught:
        rig.client.preferences()
    assert caught.value.status.code == "TLS_ERROR" and not caught.value.status.retryable


def test_401_refreshes_once_and_sends_again(rig: Rig) -> None:
    route = rig.mock.get("/preferences").mock(
        side_effect=[fixture("auth-3200-gateway.json", 401), ok({"Preferences": {"Id": "1"}})]
    )
    assert rig.client.preferences() == {"Id": "1"}
    assert rig.tokens.refused == ["token-1"]
    auth = [c.request.headers["Authorization"] for c in route.calls]
    assert auth == ["Bearer token-1", "Bearer token-2"]


def test_a_second_401_is_auth_lost(rig: Rig) -> None:
    route = rig.mock.get("/preferences").mock(return_value=fixture("auth-3200-gateway.json", 401))
    with pytest.raises(QboAuthLost, match="3200"):
        rig.client.preferences()
    assert route.call_count == 2 and rig.tokens.refused == ["token-1"]


def test_a_revoked_refresh_token_propagates(rig: Rig) -> None:
    rig.tokens.revoked = True
    rig.mock.get("/preferences").mock(return_value=fixture("auth-3200-gateway.json", 401))
    with pytest.raises(QboAuthLost) as caught:
        rig.client.preferences()
    assert caught.value.error == "invalid_grant"


def test_403_gateway_fault_is_a_qbo_fault(rig: Rig) -> None:
    rig.mock.get("/preferences").mock(
        return_value=fixture("app-authorization-3100-no-code.json", 403)
    )
    with pytest.raises(QboFault) as caught:
        rig.client.preferences()
    assert caught.value.fault.errors[0].code == "3100"


def test_an_unreadable_answer_is_a_lost_reply(rig: Rig) -> None:
    rig.mock.post("/customer").mock(return_value=httpx.Response(200, content=b"<html>"))
    with pytest.raises(ReplyLost):
        create(rig)
