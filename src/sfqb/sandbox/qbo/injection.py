"""Fault injection: what tests and the demo ask the sandbox to get wrong, one request at a time.

Each counter is consumed by the next API request (OAuth endpoints excepted):
`lose_replies` does the work, remembers the answer for requestid replay and drops the
connection; `server_errors` answers 500/503 without doing anything; `throttles` answers 429.
Token expiry and refresh-token revocation act on the token store at once.
"""

from __future__ import annotations

import threading
from collections import deque


class Injection:
    """Counters of faults still to inject."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.lose_replies = 0
        self.server_errors: deque[int] = deque()
        self.throttles = 0

    def lose_next_replies(self, count: int = 1) -> None:
        """The next `count` API requests are done but their replies never arrive."""
        with self._lock:
            self.lose_replies += count

    def fail_next(self, count: int = 1, status: int = 500) -> None:
        """The next `count` API requests answer `status` (500 or 503) without doing anything."""
        if status not in (500, 502, 503, 504):
            raise ValueError("status must be 500, 502, 503 or 504")
        with self._lock:
            self.server_errors.extend([status] * count)

    def throttle_next(self, count: int = 1) -> None:
        """The next `count` API requests answer 429 ThrottleExceeded."""
        with self._lock:
            self.throttles += count

    def take_server_error(self) -> int | None:
        """The status to answer this request with, if one is due."""
        with self._lock:
            return self.server_errors.popleft() if self.server_errors else None

    def take_throttle(self) -> bool:
        """Whether this request is throttled by injection."""
        with self._lock:
            if self.throttles:
                self.throttles -= 1
                return True
            return False

    def take_lost_reply(self) -> bool:
        """Whether this request's reply is lost."""
        with self._lock:
            if self.lose_replies:
                self.lose_replies -= 1
                return True
            return False

    def clear(self) -> None:
        """No more injected faults."""
        with self._lock:
            self.lose_replies = 0
            self.server_errors.clear()
            self.throttles = 0
