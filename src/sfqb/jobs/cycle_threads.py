"""A bounded set of threads for the cycles a `sfqb serve` process runs beside sessions.

Each Web Connector session with work starts a cycle; without a bound, a process serving many
companies would run one thread (and hold one database connection) per live session. Here at
most `size` run at once and the others wait their turn in order. The threads are daemons: a
cycle waiting on a Web Connector that stopped calling never keeps the process from exiting.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable

log = logging.getLogger(__name__)


class BoundedThreads:
    """Runs tasks on at most `size` daemon threads, started as needed, in the order given."""

    def __init__(self, size: int, name: str = "sfqb-cycle") -> None:
        if size < 1:
            raise ValueError("at least one thread is needed")
        self.size = size
        self._name = name
        self._changed = threading.Condition()
        self._tasks: deque[Callable[[], None]] = deque()
        self._threads = 0
        self._idle = 0  # threads waiting for a task and not yet woken for one
        self._busy = 0

    def submit(self, task: Callable[[], None]) -> None:
        """Run `task` on a free thread, or once one is free."""
        with self._changed:
            self._tasks.append(task)
            if self._idle:
                self._idle -= 1
                self._changed.notify()
            elif self._threads < self.size:
                self._threads += 1
                number = self._threads
                threading.Thread(
                    target=self._loop, name=f"{self._name}-{number}", daemon=True
                ).start()

    def counts(self) -> tuple[int, int]:
        """(tasks running now, tasks waiting for a thread)."""
        with self._changed:
            return self._busy, len(self._tasks)

    def _loop(self) -> None:
        while True:
            with self._changed:
                while not self._tasks:
                    self._idle += 1
                    self._changed.wait()
                task = self._tasks.popleft()
                self._busy += 1
            try:
                task()
            except Exception:  # a task's own failure must not end the thread
                log.exception("a task of %s failed", self._name)
            finally:
                with self._changed:
                    self._busy -= 1
