"""Building the console `sfqb serve` serves: its collaborators from `Services`, its session
secret from SFQB_SESSION_SECRET or, when that is unset, a random one kept in the store."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from sfqb.cli.context import Services
from sfqb.cli.errors import fail

if TYPE_CHECKING:
    from sfqb.jobs.gateway import SalesforceSource
    from sfqb.jobs.job_queue import JobQueue
    from sfqb.services.flows import FlowSetup
    from sfqb.services.review import ReviewService
    from sfqb.store import Store
    from sfqb.web.console import Console
    from sfqb.web.limits import IPNetwork

MIN_SECRET = 32


def session_secret(services: Services, store: Store) -> str:
    """SFQB_SESSION_SECRET when set (at least 32 characters); else the store's own random
    secret, made on first use and kept, so sessions survive a restart. One line when unusable."""
    given = services.settings.session_secret
    if given is None:
        return store.people.session_secret()
    if len(given) < MIN_SECRET:
        raise fail(
            f"SFQB_SESSION_SECRET must be at least {MIN_SECRET} characters long (e.g. the "
            "output of `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
        )
    return given


def build_console(
    services: Services,
    store: Store,
    public_url: str | None = None,
    trusted_proxies: tuple[IPNetwork, ...] = (),
    queue: JobQueue | None = None,
) -> Console:
    """The console over `store`, as `sfqb serve` runs it (Secure cookies when `public_url` is
    https; Run now asks `queue`: this process's own, or the workers')."""
    from sfqb.domain.login_throttle import LoginThrottle
    from sfqb.jobs.job_queue import InProcessQueue
    from sfqb.services.sync import RunDesk
    from sfqb.web.console import SIGN_IN_LIMITS, Console

    services.store = store  # the overview's health desk and Run now read this very store
    own = queue if isinstance(queue, InProcessQueue) else None
    runs = RunDesk(services, store, services.clock, cycles=own, queue=None if own else queue)
    return Console(
        store=store,
        catalog=services.catalog,
        session_secret=session_secret(services, store),
        https=(public_url or "").startswith("https://"),
        clock=services.clock,
        throttle=LoginThrottle(SIGN_IN_LIMITS, services.clock),
        trusted_proxies=trusted_proxies,
        policy_file=lambda company: services.config.company(company).policy_section,
        secrets=services.secrets,
        public_url=public_url,
        salesforce_org_id=lambda company: salesforce_org_id(services, company),
        qbo_connect=qbo_starter(services),
        health=services.health,
        runs=runs,
        review=review_service(services, store),
        flow_setups=lambda company: flow_setups(services, company),
    )


def flow_setups(services: Services, company: str) -> Mapping[str, FlowSetup]:
    """The company's flow setups; a config the page cannot use is a FlowConfigProblem."""
    from sfqb.cli.errors import UserError
    from sfqb.services.flows import FlowConfigProblem

    try:
        return services.flow_setups(company)
    except UserError as exc:
        raise FlowConfigProblem(str(exc)) from None


def salesforce_org_id(services: Services, company: str) -> str:
    """The Id of the org the company's stored Salesforce connection reaches (a setting that
    cannot be used is a ConnectionProblem, as the console shows it)."""
    from sfqb.cli.errors import UserError
    from sfqb.services.connections import ConnectionProblem

    try:
        return services.salesforce(company).org_id()
    except UserError as exc:
        raise ConnectionProblem(str(exc)) from None


def qbo_starter(services: Services) -> Callable[[str, str], str] | None:
    """(company, environment) -> the Intuit URL that connects the company to QuickBooks
    Online; None when the server has no Intuit app (SFQB_QBO_* and SFQB_PUBLIC_URL)."""
    from sfqb.cli.errors import UserError
    from sfqb.connectors.qbo.api import Environment
    from sfqb.services.connections import ConnectionProblem
    from sfqb.store import StoreError

    s = services.settings
    if not (s.qbo_client_id and s.qbo_client_secret and s.public_url):
        return None

    def start(company: str, environment: str) -> str:
        try:
            chosen = Environment(environment)
            return services.qbo.begin(company, chosen, services.qbo_app(chosen)).url
        except (UserError, StoreError, ValueError) as exc:
            raise ConnectionProblem(str(exc)) from None

    return start


def review_service(services: Services, store: Store) -> ReviewService:
    """The review list's actions over `store`, with the company's policy, maps and Salesforce
    connection as the CLI has them (a missing connection is one line on the page)."""
    from sfqb.cli.errors import UserError
    from sfqb.jobs.review import ReviewError
    from sfqb.services.review import ReviewService
    from sfqb.services.targets import profile_of

    def salesforce(company: str) -> SalesforceSource:
        try:
            return services.salesforce(company)
        except UserError as exc:
            raise ReviewError(str(exc)) from None

    return ReviewService(
        store, services.catalog, services.alerts, services.policy, services.mapper, salesforce,
        clock=services.clock, profile_of=profile_of(store),
    )  # fmt: skip


def console_banner(store: Store, base_url: str) -> str:
    """The line `sfqb serve` prints about the console: where it is, and how to add the first
    user when there is none."""
    if store.people.all():
        return f"Integration Manager: {base_url}/"
    return (
        f"Integration Manager: {base_url}/ (no users yet: sfqb user add NAME --role admin "
        "--all-companies)"
    )
