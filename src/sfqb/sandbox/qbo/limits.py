"""Intuit's published limits per realm (Intuit's "API call limits and throttles" page):
500 requests a minute per realm shared by every app, 10 a second per realm and app, at most
10 requests in flight per app, 40 batch requests a minute per realm and app.

Where the page is silent the sandbox is stricter: a throttled request still counts in the
windows (a client that keeps hammering stays throttled), and windows slide (no fixed
minute boundary to wait for).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta

from sfqb.sandbox.qbo.config import QboConfig

MINUTE = timedelta(minutes=1)
SECOND = timedelta(seconds=1)


class Limits:
    """Counts requests per realm and app and says when one is over a limit."""

    def __init__(self, config: QboConfig, clock: Callable[[], datetime]) -> None:
        self.config = config
        self.clock = clock
        self._lock = threading.Lock()
        self._realm: deque[datetime] = deque()
        self._second: dict[str, deque[datetime]] = {}
        self._batch: dict[str, deque[datetime]] = {}
        self._in_flight: dict[str, int] = {}
        self.other_apps_per_minute = 0
        self.throttled = 0

    def share_with_other_app(self, per_minute: int) -> None:
        """Simulate another app of the same company using `per_minute` of the realm's budget."""
        with self._lock:
            self.other_apps_per_minute = max(0, per_minute)

    def enter(self, app: str) -> bool:
        """Take an in-flight slot; False (throttle) when the app already has 10 in flight."""
        with self._lock:
            if self._in_flight.get(app, 0) >= self.config.concurrent_app:
                self.throttled += 1
                return False
            self._in_flight[app] = self._in_flight.get(app, 0) + 1
            return True

    def leave(self, app: str) -> None:
        """Give the in-flight slot back."""
        with self._lock:
            self._in_flight[app] = max(0, self._in_flight.get(app, 0) - 1)

    def occupy(self, app: str, count: int) -> None:
        """Pretend `count` requests of `app` are in flight (tests of the concurrency limit)."""
        with self._lock:
            self._in_flight[app] = self._in_flight.get(app, 0) + count

    def admit(self, app: str, batch: bool = False) -> bool:
        """Count one request; False when it goes over a limit (the caller answers 429)."""
        with self._lock:
            now = self.clock()
            realm = _slide(self._realm, now, MINUTE)
            second = _slide(self._second.setdefault(app, deque()), now, SECOND)
            realm.append(now)
            second.append(now)
            over = (
                len(realm) + self.other_apps_per_minute > self.config.per_minute_realm
                or len(second) > self.config.per_second_app
            )
            if batch:
                batches = _slide(self._batch.setdefault(app, deque()), now, MINUTE)
                batches.append(now)
                over = over or len(batches) > self.config.batch_per_minute_app
            if over:
                self.throttled += 1
            return not over

    def used_last_minute(self) -> int:
        """Requests of every app of this realm in the last minute (the simulated one too)."""
        with self._lock:
            return len(_slide(self._realm, self.clock(), MINUTE)) + self.other_apps_per_minute


def _slide(window: deque[datetime], now: datetime, span: timedelta) -> deque[datetime]:
    while window and window[0] <= now - span:
        window.popleft()
    return window
