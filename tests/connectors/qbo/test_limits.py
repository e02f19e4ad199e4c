"""The per-company limiter on a simulated clock: inside Intuit's limits, and using them fully."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest

from sfqb.connectors.qbo.limits import Limits, RealmLimiter, shared_limiter

from .conftest import SimClock


def most_in_any_window(times: list[float], seconds: float) -> int:
    # Intuit counts requests per second and per minute; check every window starting at a send.
    return max(bisect_left(times, t + seconds) - i for i, t in enumerate(times))


def run(limiter: RealmLimiter, clock: SimClock, count: int, *, batch: bool = False) -> list[float]:
    times = []
    for _ in range(count):
        limiter.acquire(batch=batch)
        times.append(clock.now)
        clock.now += 0.01  # each request takes 10 ms on the wire
    return times


def test_never_more_than_10_a_second_or_500_a_minute_yet_95_percent_used() -> None:
    clock = SimClock()
    limiter = RealmLimiter(Limits(), clock=clock, sleep=clock.sleep)
    times = run(limiter, clock, 5000)
    assert most_in_any_window(times, 1.0) <= 10
    assert most_in_any_window(times, 60.0) <= 500
    minutes = (times[-1] - times[0]) / 60
    assert len(times) / minutes >= 0.95 * 500


def test_a_share_of_the_budget_leaves_the_rest_to_other_apps() -> None:
    clock = SimClock()
    limiter = RealmLimiter(Limits(share=0.6), clock=clock, sleep=clock.sleep)
    times = run(limiter, clock, 1500)
    assert most_in_any_window(times, 60.0) <= 300
    assert len(times) / ((times[-1] - times[0]) / 60) >= 0.95 * 300


def test_batches_keep_to_40_a_minute() -> None:
    clock = SimClock()
    limiter = RealmLimiter(Limits(), clock=clock, sleep=clock.sleep)
    times = run(limiter, clock, 200, batch=True)
    assert most_in_any_window(times, 60.0) <= 40
    assert len(times) / ((times[-1] - times[0]) / 60) >= 0.95 * 40


def test_batches_count_against_the_request_budget_too() -> None:
    clock = SimClock()
    limiter = RealmLimiter(Limits(), clock=clock, sleep=clock.sleep)
    times = []
    for n in range(1200):
        limiter.acquire(batch=n % 20 == 0)
        times.append(clock.now)
    assert most_in_any_window(times, 60.0) <= 500
    assert most_in_any_window(times, 1.0) <= 10


def test_a_pause_holds_every_request_of_the_company() -> None:
    clock = SimClock()
    limiter = RealmLimiter(Limits(), clock=clock, sleep=clock.sleep)
    limiter.acquire()
    limiter.pause(60)
    limiter.acquire()
    assert clock.now >= 60


def test_shares_outside_0_to_1_are_refused() -> None:
    with pytest.raises(ValueError, match="share"):
        Limits(share=1.5)
    with pytest.raises(ValueError, match="share"):
        Limits(share=0)


def test_one_limiter_per_company_in_a_process() -> None:
    assert shared_limiter("realm-a") is shared_limiter("realm-a")
    assert shared_limiter("realm-a") is not shared_limiter("realm-b")


def test_batch_ready_says_when_the_minutes_batches_are_spent() -> None:
    clock = SimClock()
    limiter = RealmLimiter(Limits(), clock=clock, sleep=clock.sleep)
    assert limiter.batch_ready()
    run(limiter, clock, 40, batch=True)
    assert not limiter.batch_ready()  # 40 batches a minute (Intuit's limits page)
    clock.now += 61
    assert limiter.batch_ready()
    limiter.pause(5)
    assert not limiter.batch_ready()  # a 429 pause holds batches too


def drive(delay: Callable[[int], float], late: Callable[[int], bool], count: int) -> list[float]:
    """Send `count` requests through reservations, 10 in flight at most; request n is answered
    `delay(n)` seconds after it is sent and arrives at Intuit then (`late(n)`) or at once.
    Returns Intuit's arrival times."""
    clock = SimClock()
    flying: list[tuple[float, float, AbstractContextManager[None]]] = []
    arrivals: list[float] = []

    def sleep(seconds: float) -> None:
        until = clock.now + seconds
        for entry in sorted(flying, key=lambda e: e[0]):
            if entry[0] <= until:  # each answer comes back at its own time
                clock.now = max(clock.now, entry[0])
                flying.remove(entry)
                arrivals.append(entry[1])
                entry[2].__exit__(None, None, None)
        clock.now = until

    limiter = RealmLimiter(Limits(), clock=clock, sleep=sleep)
    for n in range(count):
        while len(flying) >= 10:  # every slot taken: wait for an answer
            sleep(0.01)
        slot = limiter.in_flight(limiter.reserve())
        slot.__enter__()
        answer = clock.now + delay(n)
        flying.append((answer, answer if late(n) else clock.now, slot))
        clock.now += 0.001
    sleep(5)
    return sorted(arrivals)


def test_requests_counted_until_answered_keep_intuits_seconds_whatever_the_delays() -> None:
    # Intuit counts a request when it arrives: anywhere between its send and its answer. Every
    # third request here is slow (as a batch's large body): it arrives only as it is answered,
    # 0.8 s after it was sent; the others arrive at once. Counted from the send alone, a slow
    # one and the ten fast ones sent after it met in one of Intuit's seconds: a 429.
    arrivals = drive(lambda n: 0.8 if n % 3 == 0 else 0.01, lambda n: n % 3 == 0, 1200)
    assert len(arrivals) == 1200
    assert most_in_any_window(arrivals, 1.0) <= 10
    assert most_in_any_window(arrivals, 60.0) <= 500


def test_answered_in_50_ms_the_budget_is_still_used() -> None:
    for late in (lambda n: False, lambda n: True):
        arrivals = drive(lambda n: 0.05, late, 2000)
        assert most_in_any_window(arrivals, 1.0) <= 10
        assert most_in_any_window(arrivals, 60.0) <= 500
        assert len(arrivals) / ((arrivals[-1] - arrivals[0]) / 60) >= 0.95 * 500
