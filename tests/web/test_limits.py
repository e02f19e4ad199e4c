"""/qbwc under hostile bodies and callers: streaming cut-off, turns, the client's address."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from starlette.requests import Request

from sfqb.codes import load_catalog
from sfqb.connectors.qbd.webconnector import NoWorkSource, SoapEndpoint, WebConnectorService
from sfqb.connectors.qbd.webconnector.settings import load_settings
from sfqb.store import Store
from sfqb.web import WebServices, create_app
from sfqb.web.limits import client_address, parse_trusted

ENV = "http://schemas.xmlsoap.org/soap/envelope/"
CHUNK = 64 * 1024


def now() -> datetime:
    return datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


def envelope(operation: str, fields: str) -> bytes:
    return (
        f'<s:Envelope xmlns:s="{ENV}"><s:Body><{operation} xmlns="http://developer.intuit.com/">'
        f"{fields}</{operation}></s:Body></s:Envelope>"
    ).encode()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    db = Store.from_url(f"sqlite:///{tmp_path / 'sfqb.sqlite'}")
    db.migrate()
    db.create_company("demo", "demo", "demo")
    return db


def app_for(store: Store, proxies: tuple[str, ...] = (), **settings: Any):  # type: ignore[no-untyped-def]
    service = WebConnectorService(
        store, NoWorkSource(), load_catalog(), now, load_settings(**settings)
    )
    return create_app(WebServices(SoapEndpoint(service), trusted_proxies=parse_trusted(proxies)))


async def call_app(
    app: Any, chunks: list[bytes], headers: list[tuple[bytes, bytes]], *, endless: bool = False
) -> tuple[int, bytes, int]:
    """POST /qbwc with the body in `chunks`; (status, body, how many chunks the app pulled)."""
    pulled = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if pulled >= len(chunks):
            await asyncio.sleep(3600)
        pulled += 1
        return {
            "type": "http.request",
            "body": chunks[pulled - 1],
            "more_body": endless or pulled < len(chunks),
        }

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/qbwc", "raw_path": b"/qbwc", "query_string": b"",
        "root_path": "", "headers": headers, "client": ("203.0.113.9", 5000),
        "server": ("testserver", 80),
    }  # fmt: skip
    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body, pulled


def fault_code(body: bytes) -> str:
    return etree.fromstring(body).findtext(f"{{{ENV}}}Body/{{{ENV}}}Fault/faultcode") or ""


def test_a_99_mb_authenticate_is_cut_off_after_its_first_chunks(store: Store) -> None:
    body = envelope(
        "authenticate",
        "<strUserName>demo</strUserName><strPassword>" + "x" * 9_900_000 + "</strPassword>",
    )
    chunks = [body[i : i + CHUNK] for i in range(0, len(body), CHUNK)]
    status, reply, pulled = asyncio.run(call_app(app_for(store), chunks, []))
    assert status == 413
    assert fault_code(reply) == "soap:Client"
    assert pulled <= 2  # 65,536 bytes at most, not 9.9 MB


def test_a_big_receive_response_xml_is_still_read_whole(store: Store) -> None:
    ticket = "0f8fad5b-d9cb-469f-a165-70867728950e"
    fields = f"<ticket>{ticket}</ticket><response>{'x' * 3_000_000}</response><hresult/><message/>"
    body = envelope("receiveResponseXML", fields)
    chunks = [body[i : i + CHUNK] for i in range(0, len(body), CHUNK)]
    status, reply, pulled = asyncio.run(call_app(app_for(store), chunks, []))
    assert status == 200
    assert b"<receiveResponseXMLResult>-3<" in reply
    assert pulled == len(chunks)


def test_a_declared_content_length_over_the_limit_is_refused_before_reading(store: Store) -> None:
    headers = [(b"content-length", b"99999999999")]
    status, _, pulled = asyncio.run(call_app(app_for(store), [b"<x/>"], headers))
    assert status == 413
    assert pulled == 0


def test_requests_over_the_parallel_limit_wait_then_get_503(store: Store) -> None:
    app = app_for(store, max_parallel_requests=1, queue_seconds=0.2)
    body = envelope("serverVersion", "")

    async def both() -> tuple[int, bytes, int]:
        # The first caller never finishes its body: it holds the one turn.
        slow = asyncio.create_task(call_app(app, [body[:10]], [], endless=True))
        await asyncio.sleep(0.05)
        second = await call_app(app, [body], [])
        slow.cancel()
        return second

    status, reply, pulled = asyncio.run(both())
    assert status == 503
    assert fault_code(reply) == "soap:Server"
    assert pulled == 0  # its body was never read


def request(peer: str, headers: dict[str, str] | None = None) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return Request({"type": "http", "headers": raw, "client": (peer, 1234)})


def test_the_client_address_comes_from_x_forwarded_for_only_behind_a_trusted_proxy() -> None:
    trusted = parse_trusted(["10.0.0.0/8", "192.0.2.1"])
    xff = {"X-Forwarded-For": "6.6.6.6, 203.0.113.9"}
    assert client_address(request("10.1.2.3", xff), trusted) == "203.0.113.9"
    assert (
        client_address(request("192.0.2.1", {"X-Forwarded-For": "203.0.113.9, 10.0.0.5"}), trusted)
        == "203.0.113.9"
    )
    assert client_address(request("10.1.2.3"), trusted) is None  # the proxy named no one
    assert client_address(request("203.0.113.9"), trusted) == "203.0.113.9"  # a direct caller
    # An untrusted peer that forwards: an unknown proxy, or an attacker posing as one.
    assert client_address(request("198.51.100.1", xff), trusted) is None
    assert client_address(request("198.51.100.1", xff), ()) is None


def test_a_bad_trusted_proxy_is_named() -> None:
    with pytest.raises(ValueError, match=r"'10\.0\.0\.300'"):
        parse_trusted(["10.0.0.0/8, 10.0.0.300"])


def test_lock_out_through_a_trusted_proxy_follows_the_forwarded_address(store: Store) -> None:
    app = app_for(store, proxies=("10.0.0.2",))
    http = TestClient(app, client=("10.0.0.2", 4000))
    bad = envelope("authenticate", "<strUserName>demo</strUserName><strPassword>no</strPassword>")
    good = envelope(
        "authenticate", "<strUserName>demo</strUserName><strPassword>demo</strPassword>"
    )
    attacker, office = {"X-Forwarded-For": "203.0.113.9"}, {"X-Forwarded-For": "198.51.100.20"}
    for _ in range(10):
        assert b">nvu<" in http.post("/qbwc", content=bad, headers=attacker).content
    assert b">nvu<" in http.post("/qbwc", content=good, headers=attacker).content  # locked out
    assert b">none<" in http.post("/qbwc", content=good, headers=office).content  # the real WC


def test_settings_have_the_issues_defaults() -> None:
    login = load_settings().login
    assert (login.max_failures, login.window.total_seconds(), login.lockout.total_seconds()) == (
        10,
        600,
        600,
    )
    assert replace(login, max_failures=3).max_failures == 3
