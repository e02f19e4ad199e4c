"""The web app serves only what sfqb means to, with security headers, and never echoes Host."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from sfqb.codes import load_catalog
from sfqb.connectors.qbd.webconnector import NoWorkSource, SoapEndpoint, WebConnectorService
from sfqb.store import Store
from sfqb.web import WebServices, create_app
from sfqb.web.security import PublicUrlError, public_base_url

SOAP_ADDRESS = "{http://schemas.xmlsoap.org/wsdl/soap/}address"
SERVER_VERSION = (
    b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    b'<serverVersion xmlns="http://developer.intuit.com/"/></soap:Body></soap:Envelope>'
)


def now() -> datetime:
    return datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


def client(tmp_path: Path, public_url: str | None = None) -> TestClient:
    store = Store.from_url(f"sqlite:///{tmp_path / 'sfqb.sqlite'}")
    store.migrate()
    service = WebConnectorService(store, NoWorkSource(), load_catalog(), now)
    return TestClient(create_app(WebServices(SoapEndpoint(service), public_url=public_url)))


def wsdl_addresses(body: bytes) -> set[str | None]:
    return {e.get("location") for e in etree.fromstring(body).iter(SOAP_ADDRESS)}


def test_the_wsdl_never_echoes_the_host_header(tmp_path: Path) -> None:
    http = client(tmp_path)
    answer = http.get("/qbwc?wsdl", headers={"Host": "attacker.example"})
    assert answer.status_code == 200
    (address,) = wsdl_addresses(answer.content)
    assert address is not None and "attacker.example" not in address
    assert address.endswith("/qbwc")


def test_the_wsdl_gives_the_configured_public_url(tmp_path: Path) -> None:
    http = client(tmp_path, "https://sfqb.example.com")
    answer = http.get("/qbwc?wsdl", headers={"Host": "attacker.example"})
    assert wsdl_addresses(answer.content) == {"https://sfqb.example.com/qbwc"}


@pytest.mark.parametrize("path", ["/openapi.json", "/docs", "/redoc", "/docs/oauth2-redirect"])
def test_framework_extras_are_not_served(tmp_path: Path, path: str) -> None:
    assert client(tmp_path).get(path).status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("POST", "/qbwc", SERVER_VERSION), ("GET", "/qbwc?wsdl", b""), ("GET", "/qbwc", b""),
     ("GET", "/nothing-here", b""), ("POST", "/qbwc", b"<not-soap")],
)  # fmt: skip
def test_every_answer_carries_the_security_headers(
    tmp_path: Path, method: str, path: str, body: bytes
) -> None:
    answer = client(tmp_path).request(method, path, content=body)
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert answer.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in answer.headers  # plain http: no HSTS


def test_hsts_when_the_public_url_is_https(tmp_path: Path) -> None:
    answer = client(tmp_path, "https://sfqb.example.com").post("/qbwc", content=SERVER_VERSION)
    assert answer.headers["strict-transport-security"].startswith("max-age=")


@pytest.mark.parametrize(
    "bad",
    ["sfqb.example.com", "ftp://sfqb.example.com", "https://", "https://h/?a=1", "https://h:x"],
)
def test_a_bad_public_url_is_refused_in_one_line(bad: str) -> None:
    with pytest.raises(PublicUrlError, match="public URL"):
        public_base_url(bad)


def test_a_public_url_loses_its_trailing_slash() -> None:
    assert public_base_url("https://sfqb.example.com/sub/") == "https://sfqb.example.com/sub"
