"""`sfqb serve`'s options for its limits against hostile callers, and what they build.

* `--trusted-proxy` / `SFQB_TRUSTED_PROXIES` - addresses or CIDR networks of the TLS proxies in
  front of sfqb; only their `X-Forwarded-For` names the client (for the login throttle).
* `--login-max-failures` / `SFQB_LOGIN_MAX_FAILURES` (10), `--login-window-seconds` /
  `SFQB_LOGIN_WINDOW_SECONDS` (600), `--login-lockout-seconds` / `SFQB_LOGIN_LOCKOUT_SECONDS`
  (600) - the login throttle; the other limits are in the Web Connector's defaults.yaml.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from typing import Annotated, Any

import typer

from sfqb.cli.context import Services
from sfqb.cli.errors import fail
from sfqb.connectors.qbd.webconnector.guard import LockoutAlarm
from sfqb.connectors.qbd.webconnector.settings import ServiceSettings
from sfqb.domain.login_throttle import ThrottleEvent
from sfqb.web.limits import IPNetwork, parse_trusted

log = logging.getLogger(__name__)

TrustedProxyOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--trusted-proxy",
        envvar="SFQB_TRUSTED_PROXIES",
        help="Address or CIDR network of a proxy in front of sfqb whose X-Forwarded-For names "
        "the client (repeatable). Without it, logins through a proxy are slowed down after "
        "failures instead of locked out per client address.",
    ),
]
MaxFailuresOpt = Annotated[
    int | None,
    typer.Option(
        "--login-max-failures",
        envvar="SFQB_LOGIN_MAX_FAILURES",
        min=1,
        help="Failed logins of one user from one address before a lock-out (default 10).",
    ),
]
WindowOpt = Annotated[
    int | None,
    typer.Option(
        "--login-window-seconds",
        envvar="SFQB_LOGIN_WINDOW_SECONDS",
        min=1,
        help="Within how many seconds those failures count (default 600).",
    ),
]
LockoutOpt = Annotated[
    int | None,
    typer.Option(
        "--login-lockout-seconds",
        envvar="SFQB_LOGIN_LOCKOUT_SECONDS",
        min=1,
        help="How long a locked-out user is refused from that address (default 600).",
    ),
]


def trusted_proxies(values: list[str] | None) -> tuple[IPNetwork, ...]:
    """The parsed --trusted-proxy values; a bad one fails with one line."""
    try:
        return parse_trusted(values or ())
    except ValueError as exc:
        raise fail(f"--trusted-proxy: {exc}") from None


def with_login_limits(
    settings: ServiceSettings,
    max_failures: int | None,
    window: int | None,
    lockout: int | None,
) -> ServiceSettings:
    """`settings` with the login throttle options that were given."""
    changes: dict[str, Any] = {}
    if max_failures is not None:
        changes["max_failures"] = max_failures
    if window is not None:
        changes["window"] = timedelta(seconds=window)
    if lockout is not None:
        changes["lockout"] = timedelta(seconds=lockout)
    return replace(settings, login=replace(settings.login, **changes)) if changes else settings


def login_alarm(services: Services) -> LockoutAlarm:
    """Raise the company's alert for a lock-out, with the company's alert settings."""

    def alarm(company: str, event: ThrottleEvent) -> None:
        services.alerts.login_throttled(company, event, services.policy(company).alerts)

    return alarm
