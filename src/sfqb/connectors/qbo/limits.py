"""Intuit's published QuickBooks Online limits, kept per company (realm).

Limits (developer.intuit.com, "Limits and throttles"): 500 requests a minute per realm (shared
with every other app connected to the company, so sfqb takes a configurable share), 10 a second
per realm and app, 10 requests in flight per realm and app, 40 batch requests a minute per realm
and app. Windows are sliding logs (pyrate-limiter's `InMemoryBucket`), so no window of the
interval ever holds more than the limit; a small guard widens each window so that network
jitter cannot squeeze requests sent just over a second apart into one second at Intuit's end.

The clock and the sleep are injected: tests run hours of traffic on a simulated clock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from pyrate_limiter import InMemoryBucket, Rate, RateItem

Clock = Callable[[], float]
Sleep = Callable[[float], None]

PER_MINUTE = 500
PER_SECOND = 10
IN_FLIGHT = 10
BATCHES_PER_MINUTE = 40
THROTTLE_WAIT = 60.0  # Intuit: "wait 60 seconds" after a 429 without Retry-After


@dataclass(frozen=True, slots=True)
class Limits:
    """The budget one company gives sfqb; `share` is sfqb's part of the realm's 500 a minute."""

    share: float = 1.0
    per_minute: int = PER_MINUTE
    per_second: int = PER_SECOND
    in_flight: int = IN_FLIGHT
    batches_per_minute: int = BATCHES_PER_MINUTE
    guard_ms: int = 100

    def __post_init__(self) -> None:
        if not 0 < self.share <= 1:
            raise ValueError(f"the share of the request budget must be in (0, 1], not {self.share}")

    @property
    def minute_budget(self) -> int:
        """sfqb's requests a minute for this company."""
        return max(1, int(self.per_minute * self.share))


class RealmLimiter:
    """Waits, before each request, until sending it keeps the company inside its limits."""

    def __init__(
        self,
        limits: Limits | None = None,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.limits = limits or Limits()
        self._clock = clock
        self._sleep = sleep
        guard = self.limits.guard_ms
        self._requests = InMemoryBucket(
            [
                Rate(self.limits.per_second, 1000 + guard),
                Rate(self.limits.minute_budget, 60_000 + guard),
            ]
        )
        self._batches = InMemoryBucket([Rate(self.limits.batches_per_minute, 60_000 + guard)])
        self._lock = threading.Lock()
        self._flight = threading.BoundedSemaphore(self.limits.in_flight)
        self._paused_until = 0.0

    def acquire(self, *, batch: bool = False) -> None:
        """Block (through the injected sleep) until one more request, or batch, may go out."""
        while True:
            wait = self._try(batch)
            if wait <= 0:
                return
            self._sleep(wait)

    def _try(self, batch: bool) -> float:
        # Seconds to wait before asking again, or 0 once the request is counted.
        with self._lock:
            now = self._clock()
            if now < self._paused_until:
                return self._paused_until - now
            stamp = int(now * 1000)
            if batch:
                self._batches.leak(stamp)
                wait = _wait(self._batches, stamp)
                if wait:
                    return wait
            self._requests.leak(stamp)
            if not self._requests.put(RateItem("qbo", stamp)):
                return _wait(self._requests, stamp)
            if batch:
                self._batches.put(RateItem("qbo", stamp))
            return 0.0

    def batch_ready(self) -> bool:
        """True when a batch request could go out now: the batch window has room and no 429
        pause holds the company (the client sends single requests instead when it has not)."""
        with self._lock:
            now = self._clock()
            if now < self._paused_until:
                return False
            stamp = int(now * 1000)
            self._batches.leak(stamp)
            return _wait(self._batches, stamp) <= 0

    @contextmanager
    def in_flight(self) -> Iterator[None]:
        """Hold one of the company's in-flight slots while a request is on the wire."""
        with self._flight:
            yield

    def pause(self, seconds: float) -> None:
        """Hold every request of this company for `seconds` (after Intuit answered 429)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)


def _wait(bucket: InMemoryBucket, stamp: int) -> float:
    # Seconds until one more item fits in every window of the bucket (0: it fits now).
    for rate in bucket.rates:
        inside = [i for i in bucket.items if i.timestamp >= stamp - rate.interval]
        if len(inside) >= rate.limit:
            return (inside[-rate.limit].timestamp + rate.interval - stamp + 1) / 1000
    return 0.0


_SHARED: dict[str, RealmLimiter] = {}
_SHARED_LOCK = threading.Lock()


def shared_limiter(realm_id: str, limits: Limits | None = None) -> RealmLimiter:
    """The one limiter of a company in this process, made on first use."""
    with _SHARED_LOCK:
        limiter = _SHARED.get(realm_id)
        if limiter is None:
            limiter = _SHARED[realm_id] = RealmLimiter(limits)
        return limiter
