"""`sfqb connect qbo`: connect a company to QuickBooks Online from a machine without a browser.

It prints the authorization URL; the company's admin opens it anywhere, chooses Connect, and
pastes back the address the browser was sent to (`<public URL>/qbo/callback?code=...`). The
same exchange runs when that address reaches `sfqb serve` itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from sfqb.cli.connect import from_env
from sfqb.cli.errors import UserError, fail
from sfqb.cli.secret_keys import require_one_key
from sfqb.cli.settings import services_of
from sfqb.connectors.qbo.api import Environment
from sfqb.connectors.qbo.oauth import OAuthApp, OAuthFailed
from sfqb.store import ConnectionSystem, SecretKeyError, SecretKeyMissing, StoreError

if TYPE_CHECKING:
    from sfqb.cli.context import Services
    from sfqb.jobs.fleet import ScheduledCompanies
    from sfqb.jobs.job_queue import JobQueue
    from sfqb.web.qbo import QboWeb

log = logging.getLogger(__name__)


def qbo_web(
    services: Services, on_new: Callable[[], None] | None = None, queue: JobQueue | None = None
) -> QboWeb:
    """QuickBooks Online's routes of `sfqb serve`: the callback and the webhooks (`on_new`
    is called when a notification brought new changes; with `queue` the company's cycle is
    deferred in the transaction that stores them)."""
    from sfqb.jobs.qbo_webhooks import WebhookInbox
    from sfqb.web.qbo import QboWeb

    def app_for(environment: Environment) -> OAuthApp:
        try:
            return services.qbo_app(environment)
        except UserError as exc:  # a setting missing on the server: the page says which
            raise OAuthFailed(str(exc)) from None

    verifier = services.settings.qbo_webhook_verifier
    inbox = WebhookInbox(services.store, verifier, on_new, queue=queue)
    return QboWeb(services.qbo, app_for, inbox)


def pushed_companies(services: Services) -> list[str]:
    """The companies connected to QuickBooks Online and to Salesforce: sfqb runs their cycles."""
    from sfqb.services.companies import known_companies

    store = services.store
    return [
        c
        for c in known_companies(store)
        if services.connected_to(c) is ConnectionSystem.QBO
        and store.connections.get(c, ConnectionSystem.SALESFORCE) is not None
    ]


def scheduled_companies(services: Services) -> ScheduledCompanies:
    """What the tick asks about the QuickBooks Online companies (the workers' and `sfqb
    serve`'s alike), over `services`."""
    from sfqb.jobs.fleet import ScheduledCompanies
    from sfqb.jobs.qb_checkpoint import sweep_at_of
    from sfqb.jobs.qbo_webhooks import WebhookInbox

    inbox = WebhookInbox(services.store, services.settings.qbo_webhook_verifier)

    def paused(company: str) -> bool:
        found = services.store.qbo_tokens.get(company)
        return found is None or found.lost_at is not None

    def every(company: str) -> timedelta:
        return timedelta(minutes=services.policy(company).sync_every_minutes)

    def check_expiry(company: str, now: datetime) -> None:
        services.qbo.check_expiry(company, services.policy(company).alerts, now)

    return ScheduledCompanies(
        companies=lambda: pushed_companies(services),
        interval=every,
        paused=paused,
        take_changes=inbox.take,
        check_expiry=check_expiry,
        sweep_at=lambda company: sweep_at_of(services.policy(company)),
    )


def connect_qbo(
    ctx: typer.Context,
    company: Annotated[str, typer.Option("--company", help="The company's name in sfqb.")],
    environment: Annotated[
        Environment,
        typer.Option("--environment", help="QuickBooks Online production or sandbox company."),
    ] = Environment.PRODUCTION,
    client_id: Annotated[
        str | None, typer.Option("--client-id", help="The Intuit app's client id.")
    ] = None,
    secret_env: Annotated[
        str | None,
        typer.Option("--client-secret-env", help="Variable with the app's client secret."),
    ] = None,
) -> None:
    """Connect a company to QuickBooks Online: open the printed URL, paste back where it led.

    The app's keys come from SFQB_QBO_CLIENT_ID / SFQB_QBO_CLIENT_SECRET (or the options) and
    the redirect URI is SFQB_PUBLIC_URL + /qbo/callback. The tokens are stored encrypted.
    """
    services = services_of(ctx)
    try:
        secret = from_env(secret_env, "--client-secret-env")
        app = services.qbo_app(environment, client_id, secret)
        if services.secrets is None:
            raise SecretKeyMissing()
        require_one_key(services.store, services.secrets)  # never a store with mixed keys
        started = services.qbo.begin(company, environment, app)
    except (UserError, SecretKeyError, StoreError) as exc:
        raise fail(str(exc)) from None
    typer.echo(
        f"Open this URL as an admin of {company}'s QuickBooks Online {environment} company "
        "and choose Connect:"
    )
    typer.echo(started.url)
    pasted = typer.prompt(
        "Then paste the address your browser was sent to", default="", show_default=False
    )
    if not pasted.strip():
        raise fail("nothing was pasted; nothing stored (run the command again to connect)")

    def same_app(_: Environment) -> OAuthApp:
        return app

    try:
        found = services.qbo.complete(pasted, same_app, expected_state=started.state)
    except (OAuthFailed, SecretKeyError, StoreError) as exc:
        raise fail(f"{exc}; nothing stored") from None
    typer.echo(
        f"stored the QuickBooks Online connection of {company}: company {found.realm_id} "
        f"({found.environment}), tokens encrypted; Intuit's refresh token lasts until "
        f"{found.reconnect_by:%Y-%m-%d} at the latest (sfqb warns ahead of it)"
    )
