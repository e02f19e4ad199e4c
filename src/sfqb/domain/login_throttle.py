"""Login throttling: lock a (user, client address) out, or slow a user down, after failures.

No transport knowledge: the caller says who tried and from where. A client address of `None`
means "not known" (every caller arrives through a proxy sfqb does not trust): locking the user
out would let anyone lock the real Web Connector out, so that user's failures are slowed down
instead, with a delay that doubles on each failure past the limit; attempts inside the delay
are refused without checking the password.

State lives in memory, for one process: a restart forgets it, and several processes each
count on their own. The number of tracked (user, address) pairs is bounded.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class ThrottleSettings:
    """How many failures, within what window, lead to how long a lock-out or delay."""

    max_failures: int = 10
    window: timedelta = timedelta(minutes=10)
    lockout: timedelta = timedelta(minutes=10)
    first_delay: timedelta = timedelta(seconds=1)
    max_delay: timedelta = timedelta(minutes=1)
    max_tracked: int = 10_000


class Refusal(StrEnum):
    """Why an attempt is refused before its password is checked."""

    LOCKED = "locked"  # the (user, address) pair is locked out
    SLOWED = "slowed"  # the user's next attempt is not due yet (address unknown)


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether the password may be checked; when not, why and until when."""

    refusal: Refusal | None = None
    until: datetime | None = None

    @property
    def allowed(self) -> bool:
        """True when the password may be checked."""
        return self.refusal is None


@dataclass(frozen=True, slots=True)
class ThrottleEvent:
    """A lock-out (or, for an unknown address, a slow-down) that has just begun."""

    user: str
    client: str | None
    kind: Refusal
    since: datetime
    until: datetime
    failures: int


@dataclass(slots=True)
class _Entry:
    failures: deque[datetime] = field(default_factory=deque)
    blocked_until: datetime | None = None


ALLOWED = Verdict()


class LoginThrottle:
    """Counts failed logins per (user, client address) and says when to refuse; thread-safe."""

    def __init__(self, settings: ThrottleSettings, clock: Clock) -> None:
        self.settings = settings
        self._clock = clock
        self._entries: OrderedDict[tuple[str | None, str], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, user: str, client: str | None) -> Verdict:
        """May this attempt's password be checked now?"""
        now = self._clock()
        with self._lock:
            entry = self._entries.get((client, user))
            if entry is None or entry.blocked_until is None or entry.blocked_until <= now:
                return ALLOWED
            kind = Refusal.LOCKED if client is not None else Refusal.SLOWED
            return Verdict(kind, entry.blocked_until)

    def failed(self, user: str, client: str | None) -> ThrottleEvent | None:
        """Count a failed attempt; the event when it starts a lock-out or a slow-down."""
        now = self._clock()
        limit = self.settings.max_failures
        with self._lock:
            entry = self._entry((client, user), now)
            failures = entry.failures
            while failures and now - failures[0] >= self.settings.window:
                failures.popleft()
            failures.append(now)
            if len(failures) < limit:
                return None
            if client is not None:
                entry.blocked_until = now + self.settings.lockout
                count = len(failures)
                failures.clear()
                return ThrottleEvent(user, client, Refusal.LOCKED, now, entry.blocked_until, count)
            excess = min(len(failures) - limit, 32)
            delay = min(self.settings.first_delay * 2**excess, self.settings.max_delay)
            entry.blocked_until = now + delay
            if excess:
                return None  # one event per slow-down, when it begins
            return ThrottleEvent(user, None, Refusal.SLOWED, now, entry.blocked_until, limit)

    def succeeded(self, user: str, client: str | None) -> None:
        """A good login: forget the pair's failures."""
        with self._lock:
            self._entries.pop((client, user), None)

    def tracked(self) -> int:
        """How many (user, address) pairs are remembered."""
        with self._lock:
            return len(self._entries)

    def _entry(self, key: tuple[str | None, str], now: datetime) -> _Entry:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            return entry
        if len(self._entries) >= self.settings.max_tracked:
            self._evict(now)
        entry = self._entries[key] = _Entry()
        return entry

    def _evict(self, now: datetime) -> None:
        """Make room: forget stale pairs, else the oldest pair not blocked, else the oldest."""
        window = self.settings.window
        for key, entry in list(self._entries.items()):
            blocked = entry.blocked_until is not None and entry.blocked_until > now
            recent = bool(entry.failures) and now - entry.failures[-1] < window
            if not blocked and not recent:
                del self._entries[key]
        if len(self._entries) < self.settings.max_tracked:
            return
        for key, entry in self._entries.items():
            if entry.blocked_until is None or entry.blocked_until <= now:
                del self._entries[key]
                return
        self._entries.popitem(last=False)
