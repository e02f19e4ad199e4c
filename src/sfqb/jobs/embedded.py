"""`sfqb serve`'s own cycles when there are no workers (SQLite): the fleet's tick, in-process.

Every `poll_seconds` (and at once when woken) the same tick the workers run
(sfqb.jobs.fleet) says which companies are due, and each is asked of an `InProcessQueue`
whose cycles run in a small thread pool: one cycle per company at a time, at most one
waiting behind it, whoever asked (the tick, a webhook, the console's Run now).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from sfqb.jobs.job_queue import InProcessQueue

log = logging.getLogger(__name__)

CYCLE_THREADS = 4  # cycles of different companies run side by side, at most this many


class EmbeddedCycles:
    """The tick's loop and the queue it asks; `tick` is one look, `run` the loop."""

    def __init__(
        self,
        run_cycle: Callable[[str], object],
        tick: Callable[[datetime], list[str]],
        clock: Callable[[], datetime],
        *,
        pool: ThreadPoolExecutor | None = None,
    ) -> None:
        self._pool = pool or ThreadPoolExecutor(CYCLE_THREADS, thread_name_prefix="sfqb-cycle")
        self.queue = InProcessQueue(run_cycle, start=self._pool.submit)
        self._tick, self._clock = tick, clock
        self._wake = threading.Event()

    def tick(self) -> list[str]:
        """Ask for the cycle of every company due now; the companies newly asked for."""
        return [c for c in self._tick(self._clock()) if self.queue.defer_cycle(c)]

    def notify(self) -> None:
        """Look again now instead of at the next poll."""
        self._wake.set()

    def run(self, stop: threading.Event, poll_seconds: float) -> None:
        """Tick until `stop` is set: every `poll_seconds`, and at once when notified."""
        try:
            while not stop.is_set():
                try:
                    self.tick()
                except Exception:  # the next tick tries again
                    log.exception("the tick failed")
                self._wake.wait(poll_seconds)
                self._wake.clear()
        finally:
            self.close()

    def close(self) -> None:
        """Start no more cycles (those running end on their own)."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def start(self, stop: threading.Event, poll_seconds: float) -> threading.Thread:
        """Run the loop in a thread of its own until `stop`."""
        thread = threading.Thread(
            target=self.run, args=(stop, poll_seconds), name="sfqb-tick", daemon=True
        )
        thread.start()
        return thread
