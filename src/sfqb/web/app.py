"""The FastAPI application `sfqb serve` runs: the Web Connector endpoint at /qbwc,
QuickBooks Online's OAuth callback and webhooks under /qbo (see `sfqb.web.qbo`), and the
console with its JSON API (see `sfqb.web.console`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request, Response
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool

from sfqb import __version__
from sfqb.connectors.qbd.webconnector.soap import (
    SoapEndpoint,
    SoapFault,
    SoapReply,
    fault_reply,
    too_large,
)
from sfqb.connectors.qbd.webconnector.wsdl import wsdl_for
from sfqb.web.limits import (
    Busy,
    IPNetwork,
    RequestGate,
    TooSlow,
    client_address,
    declared_too_large,
    give_back_memory,
    read_body,
)
from sfqb.web.security import SecurityHeaders

if TYPE_CHECKING:
    from sfqb.web.console import Console
    from sfqb.web.qbo import QboWeb

QBWC_PATH = "/qbwc"
BODY_SIZE = "sfqb.body_size"  # where a /qbwc request's body size is noted in its scope


@dataclass(frozen=True)
class WebServices:
    """What the web app needs; built by the CLI (or a test) and passed in."""

    qbwc: SoapEndpoint
    qbo: QboWeb | None = None
    trusted_proxies: tuple[IPNetwork, ...] = ()  # whose X-Forwarded-For names the client
    # Where the Web Connector reaches sfqb (checked by public_base_url); None: the address
    # the request came in on (the socket's, never the Host header).
    public_url: str | None = None
    console: Console | None = None  # the Integration Manager's pages and API (sfqb.web.console)


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
    # Only the routes sfqb means to serve: no docs pages, and no OpenAPI schema of the whole
    # app (the console serves its API's own at /api/v1/openapi.json).
    app = FastAPI(
        title="sfqb", version=__version__, openapi_url=None, docs_url=None, redoc_url=None
    )
    https = (services.public_url or "").startswith("https://")
    app.add_middleware(SecurityHeaders, https=https)
    endpoint = services.qbwc
    gates: list[RequestGate] = []  # one, made at the first call

    async def answer(request: Request) -> SoapReply:
        if declared_too_large(request, endpoint.max_body_bytes):
            return fault_reply(too_large(endpoint.max_body_bytes))
        limits = endpoint.settings
        if not gates:
            gates.append(RequestGate(limits.max_parallel_requests, limits.queue_seconds))
        client = client_address(request, services.trusted_proxies)
        try:
            async with gates[0].turn():  # the body is read only once a turn is free
                reader = endpoint.reader()
                await read_body(request, reader, limits.body_read_seconds)
                request.scope[BODY_SIZE] = reader.size
                # The service does blocking database work: keep it off the event loop.
                return await run_in_threadpool(endpoint.handle, reader.body(), client)
        except SoapFault as fault:
            return fault_reply(fault)
        except Busy:
            return fault_reply(SoapFault("Server", "sfqb is busy: try again shortly", 503))
        except TooSlow:
            return fault_reply(SoapFault("Client", "the request body did not arrive in time", 408))

    @app.post(QBWC_PATH, include_in_schema=False)
    async def qbwc_call(request: Request) -> Response:
        reply = await answer(request)
        await run_in_threadpool(give_back_memory, request.scope.get(BODY_SIZE, 0))
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
    if services.console is not None:
        from sfqb.web.console.app import add_console

        add_console(app, services.console)
    return app
