"""Intuit's published QuickBooks Online limits, kept per company (realm).

Limits (developer.intuit.com, "Limits and throttles"): 500 requests a minute per realm (shared
with every other app connected to the company, so sfqb takes a configurable share), 10 a second
per realm and app, 10 requests in flight per realm and app, 40 batch requests a minute per realm
and app. Windows are sliding logs (pyrate-limiter's `InMemoryBucket`), so no window of the
interval ever holds more than the limit; a small guard widens each window.

Intuit counts a request when it arrives, which sfqb cannot see: somewhere between sending it
and its answer. A request sent through `reserve` and `in_flight` therefore counts in every
window from the moment it is sent until its answer is back, and from then on with the answer's
time: whatever the delays on the way (a batch's large body, a busy machine), Intuit's windows
never hold more than sfqb's. (Counted from the send alone, a batch that arrived late and the
single requests sent just after it met in one of Intuit's seconds: 11 requests, a 429, and a
minute's pause.)

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

POLL = 0.02  # seconds between looks while the window is full of requests still in flight
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
    # Widens each window a little (clock rounding). Network delays need no guard: reserved
    # requests count until their answer (see the module docstring).
    guard_ms: int = 25

    def __post_init__(self) -> None:
        if not 0 < self.share <= 1:
            raise ValueError(f"the share of the request budget must be in (0, 1], not {self.share}")

    @property
    def minute_budget(self) -> int:
        """sfqb's requests a minute for this company."""
        return max(1, int(self.per_minute * self.share))


@dataclass(slots=True)
class Reservation:
    """A request counted by `RealmLimiter.reserve`; `in_flight` counts it until its answer."""

    batch: bool
    flying: bool = False


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
        self._flying = 0  # reserved requests not answered yet (they count in every window)
        self._flying_batches = 0

    def acquire(self, *, batch: bool = False) -> None:
        """Block (through the injected sleep) until one more request, or batch, may go out;
        it counts from now on."""
        while True:
            wait = self._try(batch, None)
            if wait <= 0:
                return
            self._sleep(wait)

    def reserve(self, *, batch: bool = False) -> Reservation:
        """As `acquire`, for a request sent inside `in_flight(reservation)`: it counts as sent
        until its answer is back, then with the answer's time (see the module docstring)."""
        reservation = Reservation(batch)
        while True:
            wait = self._try(batch, reservation)
            if wait <= 0:
                return reservation
            self._sleep(wait)

    def _try(self, batch: bool, reservation: Reservation | None) -> float:
        # Seconds to wait before asking again, or 0 once the request is counted.
        with self._lock:
            now = self._clock()
            if now < self._paused_until:
                return self._paused_until - now
            stamp = int(now * 1000)
            self._requests.leak(stamp)
            windows = [(self._requests, self._flying)]
            if batch:
                self._batches.leak(stamp)
                windows.append((self._batches, self._flying_batches))
            for bucket, flying in windows:
                wait = _wait(bucket, stamp, flying)
                if wait:
                    return wait
            if reservation is not None:
                reservation.flying = True
                self._flying += 1
                self._flying_batches += int(batch)
                return 0.0
            for bucket, _ in windows:
                bucket.put(RateItem("qbo", stamp))
            return 0.0

    def _answered(self, reservation: Reservation) -> None:
        with self._lock:
            if not reservation.flying:
                return
            reservation.flying = False
            stamp = int(self._clock() * 1000)
            self._flying -= 1
            self._requests.items.append(RateItem("qbo", stamp))
            if reservation.batch:
                self._flying_batches -= 1
                self._batches.items.append(RateItem("qbo", stamp))

    def batch_ready(self) -> bool:
        """True when a batch request could go out now: the batch window has room and no 429
        pause holds the company (the client sends single requests instead when it has not)."""
        with self._lock:
            now = self._clock()
            if now < self._paused_until:
                return False
            stamp = int(now * 1000)
            self._batches.leak(stamp)
            return _wait(self._batches, stamp, self._flying_batches) <= 0

    @contextmanager
    def in_flight(self, reservation: Reservation | None = None) -> Iterator[None]:
        """Hold one of the company's in-flight slots while a request is on the wire; a
        `reservation` counts from the end of the block on (its answer's time)."""
        try:
            with self._flight:
                yield
        finally:
            if reservation is not None:
                self._answered(reservation)

    def pause(self, seconds: float) -> None:
        """Hold every request of this company for `seconds` (after Intuit answered 429)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)


def _wait(bucket: InMemoryBucket, stamp: int, flying: int = 0) -> float:
    # Seconds until one more item fits in every window of the bucket beside the `flying`
    # requests not answered yet (0: it fits now; POLL while only answers can make room).
    for rate in bucket.rates:
        inside = sorted(i.timestamp for i in bucket.items if i.timestamp >= stamp - rate.interval)
        over = len(inside) + flying - rate.limit
        if over >= 0:
            if over >= len(inside):
                return POLL
            return (inside[over] + rate.interval - stamp + 1) / 1000
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
