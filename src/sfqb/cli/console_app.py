"""Building the console `sfqb serve` serves: its collaborators from `Services`, its session
secret from SFQB_SESSION_SECRET or, when that is unset, a random one kept in the store."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sfqb.cli.context import Services
from sfqb.cli.errors import fail

if TYPE_CHECKING:
    from sfqb.jobs.gateway import SalesforceSource
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
) -> Console:
    """The console over `store`, as `sfqb serve` runs it (Secure cookies when `public_url` is
    https)."""
    from sfqb.domain.login_throttle import LoginThrottle
    from sfqb.web.console import SIGN_IN_LIMITS, Console

    return Console(
        store=store,
        catalog=services.catalog,
        session_secret=session_secret(services, store),
        https=(public_url or "").startswith("https://"),
        clock=services.clock,
        throttle=LoginThrottle(SIGN_IN_LIMITS, services.clock),
        trusted_proxies=trusted_proxies,
        review=review_service(services, store),
    )


def review_service(services: Services, store: Store) -> ReviewService:
    """The review list's actions over `store`, with the company's policy, maps and Salesforce
    connection as the CLI has them (a missing connection is one line on the page)."""
    from sfqb.cli.errors import UserError
    from sfqb.jobs.review import ReviewError
    from sfqb.services.review import ReviewService

    def salesforce(company: str) -> SalesforceSource:
        try:
            return services.salesforce(company)
        except UserError as exc:
            raise ReviewError(str(exc)) from None

    return ReviewService(
        store, services.catalog, services.alerts, services.policy, services.mapper, salesforce,
        clock=services.clock,
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
