"""`sfqb serve`'s own cycles (SQLite, no workers): the fleet's tick in a loop, cycles through
the in-process queue in a thread pool."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from sfqb.jobs.embedded import EmbeddedCycles


class Ran:
    def __init__(self) -> None:
        self.companies: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, company: str) -> None:
        with self.lock:
            self.companies.append(company)


def _held_pool(gate: threading.Event) -> ThreadPoolExecutor:
    """A one-thread pool busy until `gate` is set: what is asked meanwhile waits."""
    pool = ThreadPoolExecutor(1)
    pool.submit(gate.wait)
    return pool


def test_each_due_company_is_asked_for_once_while_its_cycle_waits() -> None:
    ran, gate, ticks = Ran(), threading.Event(), [0]

    def tick(now: datetime) -> list[str]:
        ticks[0] += 1
        return ["acme", "beta"]  # the fleet's tick: both due (e.g. webhook changes)

    cycles = EmbeddedCycles(ran, tick, lambda: datetime.now(UTC), pool=_held_pool(gate))
    try:
        assert cycles.tick() == ["acme", "beta"]
        assert cycles.tick() == []  # both still wait: nothing more is asked
        gate.set()
        assert cycles.queue.idle(30)
        assert sorted(ran.companies) == ["acme", "beta"] and ticks[0] == 2
    finally:
        gate.set()
        cycles.close()


def test_run_ticks_until_stopped_and_notify_wakes_it() -> None:
    ran, stop, ticked = Ran(), threading.Event(), threading.Event()
    calls: list[datetime] = []

    def tick(now: datetime) -> list[str]:
        calls.append(now)
        if len(calls) == 2:
            ticked.set()
        return []

    cycles = EmbeddedCycles(ran, tick, lambda: datetime.now(UTC))
    thread = cycles.start(stop, poll_seconds=3600)  # only a notify brings a second tick
    try:
        cycles.notify()
        assert ticked.wait(30)
    finally:
        stop.set()
        cycles.notify()
        thread.join(30)
    assert not thread.is_alive() and len(calls) >= 2


def test_a_failing_tick_is_logged_and_the_loop_goes_on() -> None:
    stop, twice = threading.Event(), threading.Event()
    calls: list[int] = []

    def tick(now: datetime) -> list[str]:
        calls.append(1)
        if len(calls) >= 2:
            twice.set()
        raise RuntimeError("the store is unreachable")

    cycles = EmbeddedCycles(Ran(), tick, lambda: datetime.now(UTC))
    thread = cycles.start(stop, poll_seconds=3600)
    try:
        cycles.notify()
        assert twice.wait(30)
    finally:
        stop.set()
        cycles.notify()
        thread.join(30)
