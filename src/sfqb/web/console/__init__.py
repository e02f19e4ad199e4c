"""The Integration Manager: the web console `sfqb serve` serves at `/` beside `/qbwc`.

`Console` holds the collaborators the pages need; the composition root (`sfqb serve`) builds it
and `add_console` (in `sfqb.web.console.app`) adds the pages and the JSON API to the app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sfqb.codes import Catalog
from sfqb.domain.login_throttle import LoginThrottle, ThrottleSettings
from sfqb.services.review import ReviewService
from sfqb.store import Store
from sfqb.web.limits import IPNetwork


def _now() -> datetime:
    return datetime.now(UTC)


# Sign-in failures allowed per (user, address) before a lock-out; fewer than the Web Connector's.
SIGN_IN_LIMITS = ThrottleSettings(
    max_failures=5, window=timedelta(minutes=15), lockout=timedelta(minutes=15)
)


@dataclass(frozen=True)
class Console:
    """What the console needs; built by `sfqb serve` (or a test) and passed to `add_console`.

    `session_secret` signs the session cookies; `https` marks them Secure; a session ends
    `session_lifetime` after sign-in. `throttle` counts failed sign-ins per (user, address);
    `trusted_proxies` are those whose X-Forwarded-For names the client.
    """

    store: Store
    catalog: Catalog
    session_secret: str
    https: bool = False
    clock: Callable[[], datetime] = _now
    throttle: LoginThrottle = field(default_factory=lambda: LoginThrottle(SIGN_IN_LIMITS, _now))
    session_lifetime: timedelta = timedelta(hours=12)
    trusted_proxies: tuple[IPNetwork, ...] = ()
    # The review list's actions (`sfqb serve` builds it from Services; a plain default otherwise).
    review: ReviewService | None = None


__all__ = ["SIGN_IN_LIMITS", "Console"]
