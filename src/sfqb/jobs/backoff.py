"""When a failed record is tried again: exponential backoff with jitter."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delay before attempt n+1: base * 2**n, capped, spread by +/- jitter."""

    base: timedelta = timedelta(minutes=1)
    cap: timedelta = timedelta(hours=1)
    jitter: float = 0.2

    def next_attempt(self, now: datetime, attempts: int, rng: random.Random) -> datetime:
        """The time of the next attempt after `attempts` failed ones."""
        delay: timedelta = min(self.cap, self.base * (2 ** min(max(0, attempts), 20)))
        spread = 1 + rng.uniform(-self.jitter, self.jitter)
        return now + delay * spread
