"""The Integration Manager: the web console `sfqb serve` serves at `/` beside `/qbwc`.

`Console` holds the collaborators the pages need; the composition root (`sfqb serve`) builds it
and `add_console` (in `sfqb.web.console.app`) adds the pages and the JSON API to the app.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sfqb.codes import Catalog
from sfqb.domain.login_throttle import LoginThrottle, ThrottleSettings
from sfqb.jobs.health import HealthDesk
from sfqb.services.flows import FlowSetup
from sfqb.services.review import ReviewService
from sfqb.services.sync import RunDesk
from sfqb.store import SecretBox, Store
from sfqb.web.limits import IPNetwork


def _now() -> datetime:
    return datetime.now(UTC)


def _no_policy_section(company: str) -> Mapping[str, Any]:
    return {}


# Sign-in failures allowed per (user, address) before a lock-out; fewer than the Web Connector's.
SIGN_IN_LIMITS = ThrottleSettings(
    max_failures=5, window=timedelta(minutes=15), lockout=timedelta(minutes=15)
)


@dataclass(frozen=True)
class Console:
    """What the console needs; built by `sfqb serve` (or a test) and passed to `add_console`.

    `session_secret` signs the session cookies; `https` marks them Secure; a session ends
    `session_lifetime` after sign-in. `throttle` counts failed sign-ins per (user, address);
    `trusted_proxies` are those whose X-Forwarded-For names the client. `health` answers the
    overview (a default one over the store when None); `runs` runs "Run now" (None: refused).
    """

    store: Store
    catalog: Catalog
    session_secret: str
    https: bool = False
    clock: Callable[[], datetime] = _now
    throttle: LoginThrottle = field(default_factory=lambda: LoginThrottle(SIGN_IN_LIMITS, _now))
    session_lifetime: timedelta = timedelta(hours=12)
    trusted_proxies: tuple[IPNetwork, ...] = ()
    # Settings (admin): a company's `policy:` section in the config file, the key connection
    # secrets are stored under, the public URL a .qwc names, the org check of a stored
    # Salesforce connection, and the start of a QuickBooks Online authorization (company,
    # environment) -> the URL to open (None: not set up on this server).
    policy_file: Callable[[str], Mapping[str, Any]] = _no_policy_section
    secrets: SecretBox | None = None
    public_url: str | None = None
    salesforce_org_id: Callable[[str], str] | None = None
    qbo_connect: Callable[[str, str], str] | None = None
    health: HealthDesk | None = None
    runs: RunDesk | None = None
    # The review list's actions (`sfqb serve` builds it from Services; a plain default otherwise).
    review: ReviewService | None = None
    # company -> how its config file sets up each flow (sfqb.services.flows.flow_setups); a
    # config that cannot be used raises FlowConfigProblem. None: the bundled flows, unchanged.
    flow_setups: Callable[[str], Mapping[str, FlowSetup]] | None = None


__all__ = ["SIGN_IN_LIMITS", "Console"]
