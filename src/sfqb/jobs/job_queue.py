"""How a company's cycle is asked for and run: the `JobQueue` port and its in-process adapter.

The contract both adapters meet (tests/jobs/test_job_queue.py runs the same tests on each):

* `defer_cycle(company)` asks for one cycle of the company. At most one waits per company: a
  second ask while one waits is answered False and adds nothing (procrastinate's queueing lock).
* A company's cycles never overlap: one asked for while another runs waits for it to end
  (procrastinate's lock), then runs. Cycles of different companies may run side by side.
* `defer_cycle(company, work=work)` belongs to the store transaction `work`: the cycle exists
  when that transaction commits and never when it is rolled back.
* A cycle that raises is logged; it keeps no other company's cycle from running.

`InProcessQueue` meets it in one process, for SQLite (no job tables: its waiting cycles live in
memory): `sfqb serve` without workers runs its cycles through it (sfqb.jobs.embedded).
`sfqb.jobs.procrastinate_queue.ProcrastinateQueue` meets it on PostgreSQL and hands the cycles
to `sfqb worker` processes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from sfqb.store.work import StoreWork

log = logging.getLogger(__name__)

Start = Callable[[Callable[[], None]], object]
"""Runs a piece of work in the background (a thread by default, a pool's `submit`)."""


class JobQueue(Protocol):
    """Where cycles are asked for; who runs them is the adapter's business."""

    def defer_cycle(self, company: str, *, work: StoreWork | None = None) -> bool:
        """Ask for a cycle of `company`; False when one already waits. With `work`, the ask is
        part of that store transaction."""


def in_thread(work: Callable[[], None]) -> None:
    """Run `work` in a thread of its own."""
    threading.Thread(target=work, name="sfqb-cycle", daemon=True).start()


class InProcessQueue:
    """The embedded adapter: cycles run in this process, one per company at a time."""

    def __init__(self, run_cycle: Callable[[str], object], *, start: Start = in_thread) -> None:
        self._run_cycle = run_cycle
        self._start = start
        self._lock = threading.Condition()
        self._running: set[str] = set()
        self._waiting: set[str] = set()
        self._failed: dict[str, str] = {}

    def defer_cycle(self, company: str, *, work: StoreWork | None = None) -> bool:
        """Ask for a cycle of `company` (see the module's contract)."""
        if work is None:
            return self._ask(company)
        with self._lock:
            if company in self._waiting:
                return False
        work.after_commit(lambda: self._ask(company))
        return True

    def busy(self, company: str) -> bool:
        """True while a cycle of the company runs or waits here."""
        with self._lock:
            return company in self._running or company in self._waiting

    def failure(self, company: str) -> str | None:
        """Why the company's last cycle here raised, in one line (None: it did not)."""
        with self._lock:
            return self._failed.get(company)

    def idle(self, timeout: float) -> bool:
        """Wait until no cycle runs or waits (at most `timeout` seconds); True when idle."""
        with self._lock:
            return self._lock.wait_for(lambda: not self._running and not self._waiting, timeout)

    def _ask(self, company: str) -> bool:
        # A cycle waits (in `_waiting`) until its thread begins; `_running` reserves the company
        # from the ask on, so a second ask meanwhile is refused like a second waiting job.
        with self._lock:
            if company in self._waiting:
                return False
            self._waiting.add(company)
            if company in self._running:
                return True  # started when the running cycle ends
            self._running.add(company)
        self._launch(company)
        return True

    def _launch(self, company: str) -> None:
        try:
            self._start(lambda: self._cycle(company))
        except Exception:
            with self._lock:
                self._running.discard(company)
                self._waiting.discard(company)
                self._lock.notify_all()
            raise

    def _cycle(self, company: str) -> None:
        with self._lock:
            self._waiting.discard(company)
            self._failed.pop(company, None)
        try:
            self._run_cycle(company)
        except Exception as exc:  # logged; the company's next cycle tries again
            log.exception("the cycle of %s failed", company)
            with self._lock:
                self._failed[company] = one_line(exc)
        finally:
            with self._lock:
                again = company in self._waiting
                if not again:
                    self._running.discard(company)
                self._lock.notify_all()
        if again:
            self._launch(company)


def one_line(exc: Exception) -> str:
    """The first line of an exception's text (its type's name when it has none)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
