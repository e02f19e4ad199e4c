"""`QboSandbox`: the company, its ASGI app, and an HTTPS server on loopback in a thread."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from sfqb.sandbox.qbo import resources
from sfqb.sandbox.qbo.api import Api, Call
from sfqb.sandbox.qbo.books import merge
from sfqb.sandbox.qbo.company import ENTITIES, Company, Record
from sfqb.sandbox.qbo.config import QboConfig
from sfqb.sandbox.qbo.injection import Injection
from sfqb.sandbox.qbo.limits import Limits
from sfqb.sandbox.qbo.oauth import OAuthError, Tokens
from sfqb.sandbox.qbo.seed import seed
from sfqb.sandbox.qbo.webhooks import Sender, Webhooks
from sfqb.sandbox.salesforce.clock import system_clock
from sfqb.sandbox.salesforce.tls import server_context

API_PREFIX = "/v3/company/"
TOKEN_PATH = "/oauth2/v1/tokens/bearer"  # noqa: S105 - a path
AUTHORIZE_PATH = "/connect/oauth2"


class ReplyLost(httpx.RemoteProtocolError):
    """Raised by the ASGI app when a reply is lost by fault injection (connection dropped)."""


class QboSandbox:
    """A QuickBooks Online company: `app` for httpx.ASGITransport, `start()` for HTTPS."""

    def __init__(self, config: QboConfig | None = None, *, sender: Sender | None = None) -> None:
        self.config = config or QboConfig()
        self.clock = self.config.clock or system_clock
        self.company = Company(self.config, self.clock)
        seed(self.company)
        self.tokens = Tokens(self.config, self.clock)
        self.limits = Limits(self.config, self.clock)
        self.faults = Injection()
        self.webhooks = Webhooks(self.config, sender)
        self.company.listeners.append(self.webhooks.on_change)
        self.api = Api(self.company, self.tokens, self.limits, self.faults)
        self.app = _build_app(self)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._ticker: threading.Thread | None = None
        self._stop = threading.Event()
        self._tmp: Path | None = None
        self._ca_path: Path | None = None
        self._port = 0
        self._offline = False

    # -- serving ----------------------------------------------------------------------------

    def start(self) -> QboSandbox:
        """Generate (or reuse) the CA in tls_dir, bind the port, serve HTTPS in a thread."""
        if self._server is not None:
            return self
        tls_dir = self.config.tls_dir
        if tls_dir is None:
            self._tmp = Path(tempfile.mkdtemp(prefix="sfqb-qbo-sandbox-"))
            tls_dir = self._tmp
        context, self._ca_path = server_context(tls_dir)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            # Back from go_offline: the same port, so clients find it where it was.
            sock.bind((self.config.host, self.config.port or self._port))
        except OSError:
            sock.close()
            raise
        self._port = int(sock.getsockname()[1])
        config = uvicorn.Config(self.app, log_level="critical", lifespan="off", access_log=False)
        config.load()
        config.ssl = context
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(
            target=lambda: asyncio.run(server.serve(sockets=[sock])),
            name="sfqb-qbo-sandbox",
            daemon=True,
        )
        self._thread.start()
        self._stop.clear()
        self._ticker = threading.Thread(target=self._tick, name="sfqb-qbo-webhooks", daemon=True)
        self._ticker.start()
        while not server.started and self._thread.is_alive():
            self._stop.wait(0.02)
        return self

    def stop(self) -> None:
        """Stop serving, release the port and a temporary TLS directory."""
        self._stop.set()
        server, self._server = self._server, None
        if server is not None:
            server.should_exit = True
        for thread in (self._thread, self._ticker):
            if thread is not None:
                thread.join(timeout=10)
        self._thread = self._ticker = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            self.webhooks.flush()

    def __enter__(self) -> QboSandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """https://127.0.0.1:PORT (after start)."""
        if self._server is None and not self._offline:
            raise RuntimeError("the sandbox is not running")
        return f"https://{self.config.host}:{self._port}"

    @property
    def ca_path(self) -> Path:
        """The CA certificate clients verify the server against."""
        if self._ca_path is None:
            raise RuntimeError("the sandbox is not running")
        return self._ca_path

    # -- the Python API tests drive ---------------------------------------------------------

    @property
    def realm(self) -> str:
        """The company id."""
        return self.config.realm

    def records(self, entity: str) -> list[Record]:
        """Copies of every record of one entity (Customer, Invoice, ...), by Id."""
        return self.company.all(entity)

    def counts(self) -> dict[str, int]:
        """How many records of each entity."""
        return {entity: self.company.count(entity) for entity in ENTITIES}

    @property
    def calls(self) -> list[Call]:
        """Every API request answered so far, oldest first."""
        with self.api.log.lock:
            return list(self.api.log.calls)

    def call_count(self, status: int | None = None) -> int:
        """How many API requests (answered with `status`)."""
        return self.api.log.count(status)

    def go_offline(self) -> None:
        """Stop answering until `come_back`: connections to `base_url` are refused, as when
        QuickBooks Online is down for maintenance or the network in between is."""
        if self._server is None:
            raise RuntimeError("the sandbox is not running")
        self.stop()
        self._offline = True

    def come_back(self) -> None:
        """Answer again at the same address, with the same company and tokens."""
        if self._offline:
            self._offline = False
            self.start()

    def edit_before_next_update(
        self, entity: str, ident: str, changes: dict[str, Any], then: Callable[[], None]
    ) -> None:
        """When the next update of `entity` `ident` arrives, a person saves `changes` to the
        record first (a sparse update, SyncToken + 1), then `then()` is called: the client's
        update carries the SyncToken it read and is answered 5010 (Intuit's "stale object")."""
        books = self.api.books

        def hook(name: str, body: dict[str, Any]) -> None:
            if name != entity or str(body.get("Id")) != ident:
                return
            books.before_update.remove(hook)
            current = books.read(entity, ident)
            books.update(
                entity, {"Id": ident, "SyncToken": current["SyncToken"], "sparse": True, **changes}
            )
            then()

        books.before_update.append(hook)

    def track_inventory(self, on: bool = True) -> None:
        """An admin turns "Track inventory quantity on hand" on (or off) in the company's
        settings: Preferences.ProductAndServicesPrefs.QuantityOnHand, SyncToken + 1."""
        company = self.api.books.company
        with company.lock:
            token = company.preferences["SyncToken"]
            change = {"SyncToken": token, "ProductAndServicesPrefs": {"QuantityOnHand": on}}
            resources.preferences(company, change)

    def custom_fields_api(self, on: bool = True, definitions: dict[str, str] | None = None) -> None:
        """Intuit's premium Custom Fields API turned on (or off) for the company and app, with
        its String definitions (DefinitionId -> label) when given (custom_fields.py)."""
        company = self.company
        with company.lock:
            company.custom_fields_api = on
            if definitions is not None:
                company.custom_field_definitions = dict(definitions)

    def merge_customers(self, source_id: str, target_id: str) -> None:
        """Merge one customer into another, as a user can in QuickBooks Online."""
        merge(self.api.books, source_id, target_id)

    def admin(self, command: dict[str, Any]) -> dict[str, Any]:
        """Fault injection and inspection by a JSON command (also at POST /admin)."""
        action = command.get("action")
        count = int(command.get("count", 1))
        if action == "lose_replies":
            self.faults.lose_next_replies(count)
        elif action == "server_errors":
            self.faults.fail_next(count, int(command.get("status", 500)))
        elif action == "throttle":
            self.faults.throttle_next(count)
        elif action == "expire_access_tokens":
            self.tokens.expire_access_tokens()
        elif action == "revoke_refresh_tokens":
            self.tokens.revoke_refresh_tokens()
        elif action == "other_app":
            self.limits.share_with_other_app(int(command.get("per_minute", 0)))
        elif action == "webhooks":
            self.webhooks.enabled = bool(command.get("enabled", True))
            self.webhooks.lose_next += int(command.get("lose", 0))
        elif action == "merge_customers":
            self.merge_customers(str(command["source"]), str(command["target"]))
        elif action == "clear":
            self.faults.clear()
        elif action != "state":
            raise ValueError(f"unknown action {action!r}")
        return {
            "counts": self.counts(),
            "calls": self.call_count(),
            "throttled": self.call_count(429),
            "refreshes": self.tokens.refreshes,
            "webhooks_pending": self.webhooks.pending,
        }


def _build_app(sandbox: QboSandbox) -> Any:
    async def authorize(request: Request) -> Response:
        try:
            url = sandbox.tokens.authorize(dict(request.query_params))
        except OAuthError as exc:
            return JSONResponse(exc.body(), status_code=exc.status)
        return RedirectResponse(url, status_code=302)

    async def token(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        try:
            body = sandbox.tokens.token(form, request.headers.get("authorization", ""))
        except OAuthError as exc:
            return JSONResponse(exc.body(), status_code=exc.status)
        return JSONResponse(body, headers={"cache-control": "no-store"})

    async def revoke(request: Request) -> Response:
        try:
            payload = json.loads(await request.body() or b"{}")
            sandbox.tokens.revoke(
                str(payload.get("token", "")), request.headers.get("authorization", "")
            )
        except OAuthError as exc:
            return JSONResponse(exc.body(), status_code=exc.status)
        except ValueError:
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        return Response(status_code=200)

    async def admin(request: Request) -> Response:
        try:
            return JSONResponse(sandbox.admin(json.loads(await request.body() or b"{}")))
        except (ValueError, KeyError, TypeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)

    starlette = Starlette(
        routes=[
            Route(AUTHORIZE_PATH, authorize, methods=["GET"]),
            Route(TOKEN_PATH, token, methods=["POST"]),
            Route("/oauth2/v1/tokens/revoke", revoke, methods=["POST"]),
            Route("/admin", admin, methods=["POST"]),
        ]
    )

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await starlette(scope, receive, send)
            return
        request = Request(scope, receive)
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        answer = sandbox.api.handle(
            scope["method"],
            scope["path"][len(API_PREFIX) :],
            dict(request.query_params),
            headers,
            body,
        )
        head = [
            (b"content-type", answer.content_type.encode()),
            (b"intuit_tid", b"sandbox-" + str(len(sandbox.api.log.calls)).encode()),
        ]
        if answer.status == 429 and sandbox.config.retry_after is not None:
            head.append((b"retry-after", str(sandbox.config.retry_after).encode()))
        if answer.lost:
            # Headers promising a body that never comes, then the connection is dropped.
            await send(
                {
                    "type": "http.response.start",
                    "status": answer.status,
                    "headers": [*head, (b"content-length", str(len(answer.body) + 1).encode())],
                }
            )
            raise ReplyLost("reply lost by fault injection")
        await send(
            {
                "type": "http.response.start",
                "status": answer.status,
                "headers": [*head, (b"content-length", str(len(answer.body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": answer.body})

    return app
