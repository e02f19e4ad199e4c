"""The FastAPI application `sfqb serve` runs: the Web Connector endpoint at /qbwc, and
QuickBooks Online's OAuth callback and webhooks under /qbo (see `sfqb.web.qbo`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request, Response
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool

from sfqb import __version__
from sfqb.connectors.qbd.webconnector.soap import SoapEndpoint, SoapFault, fault_reply
from sfqb.connectors.qbd.webconnector.wsdl import wsdl_for
from sfqb.web.security import SecurityHeaders

if TYPE_CHECKING:
    from sfqb.web.qbo import QboWeb

QBWC_PATH = "/qbwc"


@dataclass(frozen=True)
class WebServices:
    """What the web app needs; built by the CLI (or a test) and passed in."""

    qbwc: SoapEndpoint
    qbo: QboWeb | None = None
    # Where the Web Connector reaches sfqb (checked by public_base_url); None: the address
    # the request came in on (the socket's, never the Host header).
    public_url: str | None = None


class TooLarge(Exception):
    """A request body over the endpoint's limit."""


async def read_capped(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _base_url(public_url: str | None, request: Request) -> str:
    if public_url:
        return public_url
    host, port = request.scope.get("server") or ("127.0.0.1", 8000)
    host = f"[{host}]" if ":" in str(host) else host
    scheme = request.scope.get("scheme", "http")
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" + ("" if port in (default, None) else f":{port}")


def create_app(services: WebServices) -> FastAPI:
    """The ASGI app: POST /qbwc answers the Web Connector, GET /qbwc?wsdl serves the WSDL."""
    # Only the routes sfqb means to serve: no OpenAPI schema, no docs pages.
    app = FastAPI(
        title="sfqb", version=__version__, openapi_url=None, docs_url=None, redoc_url=None
    )
    https = (services.public_url or "").startswith("https://")
    app.add_middleware(SecurityHeaders, https=https)
    endpoint = services.qbwc

    @app.post(QBWC_PATH, include_in_schema=False)
    async def qbwc_call(request: Request) -> Response:
        try:
            body = await read_capped(request, endpoint.max_body_bytes)
        except TooLarge:
            fault = SoapFault("Client", f"request body over {endpoint.max_body_bytes} bytes", 413)
            reply = fault_reply(fault)
        else:
            # The service does blocking database work: keep it off the event loop.
            reply = await run_in_threadpool(endpoint.handle, body)
        return Response(reply.body, status_code=reply.status, media_type=reply.content_type)

    @app.get(QBWC_PATH, include_in_schema=False)
    async def qbwc_wsdl(request: Request) -> Response:
        if any(key.lower() == "wsdl" for key in request.query_params):
            address = _base_url(services.public_url, request) + QBWC_PATH
            return Response(wsdl_for(address), media_type="text/xml; charset=utf-8")
        return PlainTextResponse(
            "sfqb QuickBooks Web Connector endpoint: POST SOAP 1.1 here; the WSDL is at ?wsdl\n"
        )

    if services.qbo is not None:
        from sfqb.web.qbo import add_qbo_routes

        add_qbo_routes(app, services.qbo)
    return app
