"""QuickBooks Online's routes: the OAuth callback and the webhook endpoint.

`GET /qbo/callback` completes an authorization with the same service as `sfqb connect qbo`.
`POST /qbo/webhooks` checks `intuit-signature` (401 when it does not match), stores the
changes and answers 200 at once: no QuickBooks or Salesforce call is made in the request, so
the answer comes well within Intuit's 3 seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI, Request, Response
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool

from sfqb.connectors.qbo.oauth import OAuthFailed
from sfqb.connectors.qbo.webhooks import SIGNATURE_HEADER, BadPayload
from sfqb.jobs.qbo_connection import AppFor, QboConnections
from sfqb.jobs.qbo_webhooks import BadSignature, WebhookInbox
from sfqb.store import SecretKeyError, StoreError
from sfqb.web.app import TooLarge, read_capped

CALLBACK_PATH = "/qbo/callback"
WEBHOOKS_PATH = "/qbo/webhooks"
MAX_WEBHOOK_BYTES = 1_000_000


@dataclass(frozen=True)
class QboWeb:
    """What the QuickBooks Online routes need."""

    connections: QboConnections
    app_for: AppFor
    inbox: WebhookInbox


def add_qbo_routes(app: FastAPI, qbo: QboWeb) -> None:
    """Add /qbo/callback and /qbo/webhooks to `app`."""

    @app.get(CALLBACK_PATH, include_in_schema=False)
    async def qbo_callback(request: Request) -> Response:
        try:
            found = await run_in_threadpool(qbo.connections.complete, str(request.url), qbo.app_for)
        except (OAuthFailed, StoreError, SecretKeyError) as exc:
            return PlainTextResponse(f"sfqb could not connect QuickBooks Online: {exc}\n", 400)
        return PlainTextResponse(
            f"sfqb is connected to QuickBooks Online company {found.realm_id} as "
            f"{found.company} ({found.environment}). You can close this page.\n"
        )

    @app.post(WEBHOOKS_PATH, include_in_schema=False)
    async def qbo_webhooks(request: Request) -> Response:
        try:
            body = await read_capped(request, MAX_WEBHOOK_BYTES)
        except TooLarge:
            return PlainTextResponse("notification too large\n", 413)
        signature = request.headers.get(SIGNATURE_HEADER)
        try:
            await run_in_threadpool(qbo.inbox.receive, body, signature)
        except BadSignature:
            return PlainTextResponse("bad intuit-signature\n", 401)
        except BadPayload as exc:
            return PlainTextResponse(f"unreadable notification: {exc}\n", 400)
        return PlainTextResponse("ok\n")
