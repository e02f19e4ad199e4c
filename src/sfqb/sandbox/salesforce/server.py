"""`SalesforceSandbox`: the REST API served over HTTPS on loopback in a background thread."""

from __future__ import annotations

import json
import random
import shutil
import ssl
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import requests
from simple_salesforce.api import Salesforce

from sfqb.sandbox.salesforce.api import RestApi
from sfqb.sandbox.salesforce.auth import TokenStore
from sfqb.sandbox.salesforce.config import SandboxConfig
from sfqb.sandbox.salesforce.faults import Faults
from sfqb.sandbox.salesforce.messages import Call, Request, Response
from sfqb.sandbox.salesforce.org import Org
from sfqb.sandbox.salesforce.seed import seed
from sfqb.sandbox.salesforce.tls import server_context

API_VERSION = "59.0"
_MAX_BODY = 20 * 1024 * 1024


class SalesforceSandbox:
    """A Salesforce org on https://127.0.0.1:PORT; use as a context manager or start()/stop()."""

    def __init__(
        self,
        config: SandboxConfig | None = None,
        *,
        org: Org | None = None,
        faults: Faults | None = None,
    ) -> None:
        self.config = config or SandboxConfig()
        self.org = org or Org(clock=self.config.clock)
        if org is None and self.config.seed is not None:
            seed(self.org, self.config.seed, random.Random(self.config.seed_rng))
        self.faults = faults or Faults(self.config.lock_rate, self.config.fault_seed)
        self.auth = TokenStore(self.config, self.org.org_id, self.org.user_id, self.org.clock)
        self.api = RestApi(
            self.org,
            self.faults,
            self.auth,
            instance_url=lambda: self.instance_url,
            page_size=self.config.page_size,
            api_max=self.config.api_max,
        )
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._tmp: Path | None = None
        self._ca_path: Path | None = None

    def start(self) -> SalesforceSandbox:
        """Generate (or reuse) the CA, bind the port and serve in a daemon thread."""
        if self._server is not None:
            return self
        tls_dir = self.config.tls_dir
        if tls_dir is None:
            self._tmp = Path(tempfile.mkdtemp(prefix="sfqb-sf-sandbox-"))
            tls_dir = self._tmp
        context, self._ca_path = server_context(tls_dir)
        server = _Server((self.config.host, self.config.port), _Handler, context, self.api)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="sfqb-salesforce-sandbox",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port (and the temporary TLS directory, if any)."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def __enter__(self) -> SalesforceSandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound port (after start)."""
        if self._server is None:
            raise RuntimeError("the sandbox is not running")
        return int(self._server.server_address[1])

    @property
    def instance(self) -> str:
        """ "127.0.0.1:PORT", what simple-salesforce calls the instance."""
        return f"{self.config.host}:{self.port}"

    @property
    def instance_url(self) -> str:
        """https://127.0.0.1:PORT (what the token endpoint returns as instance_url)."""
        return f"https://{self.instance}"

    @property
    def base_url(self) -> str:
        """Same as instance_url: the root every /services/... path hangs off."""
        return self.instance_url

    @property
    def token_url(self) -> str:
        """The OAuth 2 token endpoint."""
        return f"{self.instance_url}/services/oauth2/token"

    def data_url(self, version: str = API_VERSION) -> str:
        """https://127.0.0.1:PORT/services/data/vXX.X/ (with the trailing slash)."""
        return f"{self.instance_url}/services/data/v{version}/"

    @property
    def ca_path(self) -> Path:
        """The CA certificate clients verify the server against."""
        if self._ca_path is None:
            raise RuntimeError("the sandbox is not running")
        return self._ca_path

    @property
    def session_id(self) -> str:
        """The always-accepted session id ("demo" by default)."""
        return self.config.session_id

    @property
    def api_usage(self) -> int:
        """API calls counted so far."""
        return self.api.api_usage

    @property
    def calls(self) -> list[Call]:
        """Every request answered so far, oldest first."""
        return self.api.calls()

    @property
    def writes(self) -> list[Call]:
        """The data API calls that changed records (POST/PATCH/PUT/DELETE), oldest first."""
        return [c for c in self.api.calls() if c.is_write]

    @property
    def last_write_headers(self) -> dict[str, str]:
        """Headers (lower-case names) of the last write; empty before any write."""
        writes = self.writes
        return dict(writes[-1].headers) if writes else {}

    def clear_calls(self) -> None:
        """Forget the request log."""
        self.api.clear_calls()

    def requests_session(self) -> requests.Session:
        """A requests session that trusts this sandbox's CA.

        `trust_env` is off because REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE in the environment would
        otherwise override `session.verify` (a long-standing requests behaviour).
        """
        session = requests.Session()
        session.verify = str(self.ca_path)
        session.trust_env = False
        return session

    def client(self, version: str = API_VERSION) -> Salesforce:
        """A simple-salesforce client on the demo session over verified HTTPS."""
        return Salesforce(
            instance=self.instance,
            session_id=self.session_id,
            session=self.requests_session(),
            version=version,
        )


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        context: ssl.SSLContext,
        api: RestApi,
    ) -> None:
        super().__init__(address, handler)
        self.api = api
        # The handshake runs in the worker thread on first read, not in accept().
        self.socket = context.wrap_socket(
            self.socket, server_side=True, do_handshake_on_connect=False
        )

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that drop the connection or fail TLS are not the sandbox's problem."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: with Nagle's algorithm on, the body waits for the
    # client's delayed ACK of the headers (40 ms on Linux) on every kept-alive request.
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch(head=True)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the sandbox keeps its own request log."""

    def _dispatch(self, head: bool = False) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            self._send(
                Response(413, [{"message": "body too large", "errorCode": "JSON_PARSER_ERROR"}])
            )
            return
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        method = "GET" if head else self.command
        request = Request(method, url.path, url.query, headers, body)
        self._send(self.server.api.handle(request), head)

    def _send(self, response: Response, head: bool = False) -> None:
        payload = b"" if response.body is None else _encode(response.body)
        self.send_response(response.status)
        if response.body is not None:
            self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(payload)


def _encode(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode("utf-8")
