"""Limits on what a Web Connector call may carry, and the login throttle around authenticate.

Every field is checked before any work is done for it: a ticket must look like one sfqb hands
out (a UUID) before the store is asked about it, an over-long user name or password is refused
unchecked, and error texts are cut before they are decoded or stored.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from sfqb.domain.login_throttle import LoginThrottle, Refusal, ThrottleEvent

log = logging.getLogger(__name__)

_TICKET = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

# Told of a lock-out (or slow-down) of a company's Web Connector user: (company name, event).
LockoutAlarm = Callable[[str, ThrottleEvent], None]


def is_ticket(ticket: str) -> bool:
    """True for the shape of the tickets authenticate hands out (a lowercase UUID)."""
    return len(ticket) == 36 and _TICKET.fullmatch(ticket) is not None


def cut(text: str, limit: int) -> str:
    """`text` at most `limit` characters long, marked when it was cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 14, 0)] + " [... cut off]"


def too_long(text: str, limit_bytes: int) -> bool:
    """True when `text` is over `limit_bytes` in UTF-8 (checked without encoding a huge one)."""
    return len(text) > limit_bytes or len(text.encode("utf-8", "replace")) > limit_bytes


def shown(client: str | None) -> str:
    """A client address for the log: the address, or that it is not known."""
    return client if client is not None else "an unknown address (untrusted proxy)"


class LoginGuard:
    """The throttle, its log lines and the company's alert, for one login service."""

    def __init__(self, throttle: LoginThrottle, alarm: LockoutAlarm | None = None) -> None:
        self.throttle = throttle
        self._alarm = alarm

    def refused(self, user: str, client: str | None) -> bool:
        """True when this attempt is refused without checking its password."""
        verdict = self.throttle.check(user, client)
        if verdict.allowed:
            return False
        log.debug("login of %r from %s refused unchecked (%s)", user, shown(client), verdict)
        return True

    def failed(self, user: str, client: str | None, company: str | None) -> None:
        """Count a failure; log and alert when it starts a lock-out or slow-down."""
        event = self.throttle.failed(user, client)
        if event is None:
            return
        if event.kind is Refusal.LOCKED:
            log.warning(
                "Web Connector user %r locked out from %s until %s after %d failed logins",
                user, shown(client), f"{event.until:%Y-%m-%d %H:%M:%S}", event.failures,
            )  # fmt: skip
        else:
            log.warning(
                "Web Connector user %r: %d failed logins from %s; further attempts are slowed "
                "down (set trusted proxies so that sfqb sees the client address)",
                user, event.failures, shown(client),
            )  # fmt: skip
        if company is not None and self._alarm is not None:
            try:
                self._alarm(company, event)
            except Exception:  # an alert that cannot be raised must not fail the login call
                log.exception("cannot raise the login alert of %s", company)

    def succeeded(self, user: str, client: str | None) -> None:
        """A good login clears the pair's failures."""
        self.throttle.succeeded(user, client)
